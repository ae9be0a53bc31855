#!/usr/bin/env bash
# Reproduces the README's benchmark table on this machine:
#   1. builds the architecture-faithful stand-ins of w600k_r50 and inswapper_128 from
#      ../shared/standins (random weights: timing only) into .runtime/standins/;
#   2. makes a 120-frame 1280x720 30 fps one-face clip from ../shared/media/Obama_speaking.mp4;
#   3. times each network alone with ONNX Runtime (same library, 2 threads) — the compute
#      floor per frame: det_500m + w600k_r50 + inswapper_128;
#   4. runs `liveswap bench` with the inswapper profile on that clip (real det_500m, the
#      stand-ins for the rest);
#   5. with INT8_RUNS > 0 (default 2): makes the int8 stand-in of inswapper_128
#      (../shared/standins/quant.py: QDQ, per-channel s8 weights, u8 activations; its random
#      calibration is fine for timing only) with its emap put back as the last initializer,
#      then runs the same bench with fp32 and int8 swappers interleaved (fp32, int8, fp32,
#      int8, ...) over INT8_FRAMES frames (default 60), and prints the speed-up.
# Usage: host/scripts/bench.sh [FRAMES] (default 120); INT8_RUNS=0 skips step 5. Needs ../shared beside the checkout
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

runs="${INT8_RUNS:-2}"
[[ "$runs" -gt 0 ]] || exit 0
int8="$standins/inswapper_128_int8.onnx"
if [[ ! -f "$int8" ]]; then
  "$venv/bin/python" "$shared/standins/quant.py" "$standins/inswapper_128.onnx" "$int8"
  rm -f "$int8.pre.onnx"
  # The quantizer drops initializers no node reads; the swapper needs the emap last.
  "$venv/bin/python" - "$standins/inswapper_128.onnx" "$int8" <<'PY'
import sys, onnx
src, dst = sys.argv[1:]
last = onnx.load(src).graph.initializer[-1]
out = onnx.load(dst)
rest = [i for i in out.graph.initializer if i.name != last.name]
del out.graph.initializer[:]
out.graph.initializer.extend(rest + [last])
onnx.save(out, dst)
PY
fi
n8="${INT8_FRAMES:-60}"
echo "== fp32 vs int8 inswapper stand-in, interleaved, $n8 frames each, $runs run(s) each"
for ((i = 0; i < runs; i++)); do
  for model in "$standins/inswapper_128.onnx" "$int8"; do
    "$root/target/release/liveswap" --ort-lib "$ort" --execution-threads 2 -q bench \
      -p "$root/profiles/inswapper.toml" -t "$clip" -s "$shared/media/biden.jpg" --frames "$n8" --json \
      --set "face_analyser.detector_model=$shared/models/det_500m.onnx" \
      --set "face_analyser.recognizer_model=$standins/w600k_r50.onnx" \
      --set "face_swapper.model=$model" > "$work/int8_run_${i}_$(basename "$model" .onnx).json"
  done
done
python3 - "$work" "$runs" <<'PY'
import json, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
rows = {}
for kind in ("inswapper_128", "inswapper_128_int8"):
    rs = [json.load(open(f"{work}/int8_run_{i}_{kind}.json")) for i in range(runs)]
    rows[kind] = rs
    # A model given as a file is named by its file stem.
    sw = [r["models"][kind]["ms_per_call"] for r in rs]
    print(f"{kind:<20} {rs[0]['models'][kind]['precision']}: "
          f"s/frame {', '.join(format(1 / r['fps'], '.3f') for r in rs)}; swapper ms/call "
          f"{', '.join(format(v, '.0f') for v in sw)}; peak RSS {max(r['peak_rss_bytes'] for r in rs) / 2**30:.2f} GiB")
f = statistics.median(1 / r["fps"] for r in rows["inswapper_128"])
q = statistics.median(1 / r["fps"] for r in rows["inswapper_128_int8"])
print(f"end-to-end speed-up int8 / fp32: {f / q:.2f}x (median s/frame {f:.3f} vs {q:.3f}); cpu: {rows['inswapper_128'][0]['cpu_flags']}")
PY

