#!/usr/bin/env bash
# Measures each ONNX Runtime CPU session option against the defaults (issue 14, item 5), on
# the workloads where they matter here: the default profile (morph swap: det_500m, 2d106det,
# w600k_mbf, open_nsfw, with decode and encode sharing the cores) as `liveswap bench` over a
# 640x360 clip, and as `liveswap live` from a 640x360 30 fps file camera; with `--inswapper`
# also the inswapper stand-in profile on 720p (built by host/scripts/bench.sh first).
# Interleaved: defaults, variant, defaults, variant, ... so a drift of this shared machine
# shows up in the defaults' spread rather than as a difference. Prints one row per run.
# Usage: host/scripts/bench-ort-options.sh [--inswapper]
# Needs a release build (cargo build --release --workspace) and the clip that
# host/scripts/bench-live.sh makes (made here if missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="$root/../shared"
bin="$root/target/release/liveswap"
work="$root/.runtime/bench-live"
export ORT_DYLIB_PATH="${ORT_DYLIB_PATH:-$root/.runtime/onnxruntime/libonnxruntime.so}"
export LIVESWAP_ACCEPT_TERMS=1
mkdir -p "$work"
clip="$work/cam_640x360.mp4"
[[ -f "$clip" ]] || ffmpeg -hide_banner -loglevel error -y -i "$shared/media/Obama_speaking.mp4" \
  -t 12 -vf "scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,fps=30" \
  -an -c:v libx264 -preset veryfast -pix_fmt yuv420p "$clip"
echo "CPU: $(nproc) cores, $(grep -o -w -E 'avx512f|avx512_vnni|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')load $(cut -d' ' -f1-3 /proc/loadavg)"

variants=(
  "spinning on|--ort-spinning on"
  "arena off|--ort-arena off"
  "pinning on|--ort-pinning on"
  "graph extended|--graph-optimization extended"
  "graph basic|--graph-optimization basic"
  "graph off|--graph-optimization off"
)

row() { # name, flags...
  local name="$1"; shift
  "$bin" -q "$@" bench -p "$root/profiles/default.toml" -t "$clip" -s "$shared/media/biden.jpg" \
    --frames 150 --set face_analyser.detect_full_every=10 --json > "$work/opt_bench.json"
  "$bin" -q "$@" live -p "$root/profiles/default.toml" -s "$shared/media/biden.jpg" \
    --camera "file:$clip" --output "record:$work/opt_rec.mkv" --duration 6s \
    --stats-json "$work/opt_live.json" --overwrite </dev/null
  python3 - "$name" "$work/opt_bench.json" "$work/opt_live.json" <<'PY'
import json, sys
name, b, l = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
m = b["models"]
print(f"| {name:<15} | {b['fps']:6.2f} | {b['stages_ms']['face_analyser']:5.1f} | "
      f"{b['stages_ms']['face_morpher']:5.1f} | {m['det_500m']['ms_per_call']:5.1f} | "
      f"{m['2d106det']['ms_per_call']:5.1f} | {l['fps']:6.2f} | {100 * l['dropped_share']:4.0f} % | "
      f"{l['latency_ms']['p95']:5.0f} |", flush=True)
PY
}

echo "| session options | bench fps | analyser ms | morpher ms | det_500m ms/call | 2d106det ms/call | live fps | dropped | live p95 ms |"
echo "|---|---|---|---|---|---|---|---|---|"
row "defaults"
for v in "${variants[@]}"; do
  name="${v%%|*}"; flags="${v#*|}"
  # shellcheck disable=SC2086 # the flags are words
  row "$name" $flags
  row "defaults"
done

if [[ "${1:-}" == "--inswapper" ]]; then
  standins="$root/.runtime/standins"
  clip720="$root/.runtime/bench/one_face_720p30.mp4"
  [[ -f "$standins/inswapper_128.onnx" && -f "$clip720" ]] || { echo "run host/scripts/bench.sh first"; exit 1; }
  echo
  echo "| session options (inswapper stand-in, 720p, 10 frames) | s/frame | inswapper ms/call |"
  echo "|---|---|---|"
  for flags in "" "--ort-spinning on" "" "--graph-optimization basic" ""; do
    # shellcheck disable=SC2086
    "$bin" -q $flags --execution-threads 2 bench -p "$root/profiles/inswapper.toml" -t "$clip720" \
      -s "$shared/media/biden.jpg" --frames 10 --json \
      --set "face_analyser.detector_model=$shared/models/det_500m.onnx" \
      --set "face_analyser.recognizer_model=$standins/w600k_r50.onnx" \
      --set "face_swapper.model=$standins/inswapper_128.onnx" > "$work/opt_swap.json"
    python3 - "${flags:-defaults}" "$work/opt_swap.json" <<'PY'
import json, sys
name, b = sys.argv[1], json.load(open(sys.argv[2]))
print(f"| {name} | {1 / b['fps']:.3f} | {b['models']['inswapper_128']['ms_per_call']:.0f} |", flush=True)
PY
  done
fi
