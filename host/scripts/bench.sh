#!/usr/bin/env bash
# Reproduces the README's benchmark table on this machine:
#   1. builds the architecture-faithful stand-ins of w600k_r50 and inswapper_128 from
#      ../shared/standins (random weights: timing only) into .runtime/standins/;
#   2. makes a 120-frame 1280x720 30 fps one-face clip from ../shared/media/Obama_speaking.mp4;
#   3. times each network alone with ONNX Runtime (same library, 2 threads) — the compute
#      floor per frame: det_500m + w600k_r50 + inswapper_128;
#   4. runs `liveswap bench` with the inswapper profile on that clip (real det_500m, the
#      stand-ins for the rest).
# Usage: host/scripts/bench.sh [FRAMES] (default 120). Needs ../shared beside the checkout
# and a release build (`cargo build --release --workspace`). Nothing here is committed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="$root/../shared"
frames="${1:-120}"
work="$root/.runtime/bench"
standins="$root/.runtime/standins"
venv="$root/.runtime/standins-venv"
ort="$root/.runtime/onnxruntime/libonnxruntime.so"
mkdir -p "$work" "$standins"

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy onnx onnxruntime==1.31.1
fi
for m in w600k_r50 inswapper_128; do
  [[ -f "$standins/$m.onnx" ]] || "$venv/bin/python" "$shared/standins/make_standins.py" "$standins" "$m"
done
clip="$work/one_face_720p30.mp4"
if [[ ! -f "$clip" ]]; then
  ffmpeg -hide_banner -loglevel error -y -i "$shared/media/Obama_speaking.mp4" \
    -vf "scale=-2:720,pad=1280:720:(ow-iw)/2:0" -frames:v 120 -r 30 \
    -c:v libx264 -crf 18 -pix_fmt yuv420p "$clip"
fi

echo "== each network alone (ONNX Runtime $("$venv/bin/python" -c 'import onnxruntime as o; print(o.__version__)'), 2 threads, median of 10 runs after 2 warm-ups)"
"$venv/bin/python" - "$shared/models/det_500m.onnx" "$standins/w600k_r50.onnx" "$standins/inswapper_128.onnx" <<'PY'
import sys, time, statistics
import numpy as np, onnxruntime as ort
shapes = {"det_500m": {"input.1": (1, 3, 640, 640)}, "w600k_r50": {"input.1": (1, 3, 112, 112)},
          "inswapper_128": {"target": (1, 3, 128, 128), "source": (1, 512)}}
total = 0.0
for path in sys.argv[1:]:
    name = path.rsplit("/", 1)[-1][:-5]
    o = ort.SessionOptions(); o.intra_op_num_threads = 2; o.inter_op_num_threads = 1
    s = ort.InferenceSession(path, o, providers=["CPUExecutionProvider"])
    feed = {i.name: np.random.rand(*shapes[name][i.name]).astype(np.float32) for i in s.get_inputs()}
    for _ in range(2): s.run(None, feed)
    times = []
    for _ in range(10):
        t = time.perf_counter(); s.run(None, feed); times.append(time.perf_counter() - t)
    ms = statistics.median(times) * 1000; total += ms
    print(f"{name:<16} {ms:8.1f} ms")
print(f"{'floor per frame':<16} {total:8.1f} ms  ({1000/total:.3f} fps)")
PY

echo "== liveswap bench ($frames frames)"
"$root/target/release/liveswap" --ort-lib "$ort" --execution-threads 2 -q bench \
  -p "$root/profiles/inswapper.toml" -t "$clip" -s "$shared/media/biden.jpg" --frames "$frames" \
  --set "face_analyser.detector_model=$shared/models/det_500m.onnx" \
  --set "face_analyser.recognizer_model=$standins/w600k_r50.onnx" \
  --set "face_swapper.model=$standins/inswapper_128.onnx"
