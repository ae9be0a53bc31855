#!/usr/bin/env bash
# Reproduces the README's live figures: `liveswap live --stats-json` with profiles/default.toml
# (or PROFILE) on 30 fps file cameras made from ../shared/media — `obama` (Obama_speaking.mp4,
# one face, the figures' usual camera) and `twitch` (Twitch1.mp4, webcam-style) — at 640x360
# and 1280x720, recording to a temporary .mkv, plus the cost of decoding one MJPG camera frame
# (examples/mjpg_decode.rs). One table row per run (stats_<camera>_<size>_<mode><TAG>.json).
#
# Usage: host/scripts/bench-live.sh [SECONDS] [PROFILE]   (default 10, profiles/default.toml)
# Environment (all optional):
#   CAMERAS="obama twitch"  SIZES="640x360 1280x720"  MODES="plain overlap"
#   LIVESWAP_BIN=path       another build, e.g. an older commit's, for interleaved A/B runs
#   TAG=name                appended to the stats file names and printed in each row
# Needs a release build: cargo build --release -p liveswap -p liveswap-face-analyser
#   -p liveswap-face-morpher -p liveswap-content-guard --example mjpg_decode
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="$root/../shared"
secs="${1:-10}"
profile="${2:-$root/profiles/default.toml}"
work="$root/.runtime/bench-live"
bin="${LIVESWAP_BIN:-$root/target/release/liveswap}"
tag="${TAG:-}"
export ORT_DYLIB_PATH="${ORT_DYLIB_PATH:-$root/.runtime/onnxruntime/libonnxruntime.so}"
mkdir -p "$work"
echo "CPU: $(nproc) cores, $(grep -o -w -E 'avx512f|avx512_vnni|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')load $(cut -d' ' -f1-3 /proc/loadavg); $bin"
printf '| camera | size | mode | fps | dropped | latency p50 / p95 / max ms | analyser ms | morpher ms | sinks ms | build |\n'
for cam in ${CAMERAS:-obama twitch}; do
  case "$cam" in
    obama) media="$shared/media/Obama_speaking.mp4" ;;
    twitch) media="$shared/media/Twitch1.mp4" ;;
    *) echo "unknown camera $cam (obama, twitch)" >&2; exit 2 ;;
  esac
  for size in ${SIZES:-640x360 1280x720}; do
    w="${size%x*}"; h="${size#*x}"
    clip="$work/${cam}_${size}.mp4"
    # Twitch1 is 12 s long: loop it so every run lasts SECONDS.
    [[ -f "$clip" ]] || ffmpeg -hide_banner -loglevel error -y -stream_loop 3 -i "$media" \
      -t "$((secs + 2))" -vf "scale=$w:$h:force_original_aspect_ratio=decrease,pad=$w:$h:(ow-iw)/2:(oh-ih)/2,fps=30" \
      -an -c:v libx264 -preset veryfast -pix_fmt yuv420p "$clip"
    jpg="$work/frame_${cam}_${size}.jpg"
    [[ -f "$jpg" ]] || ffmpeg -hide_banner -loglevel error -y -ss 2 -i "$clip" -frames:v 1 -q:v 3 "$jpg"
    if [[ -x "$root/target/release/examples/mjpg_decode" && -z "$tag" ]]; then
      "$root/target/release/examples/mjpg_decode" "$jpg" 100
    fi
    for mode in ${MODES:-plain overlap}; do
      extra=()
      [[ "$mode" == overlap ]] && extra=(--overlap)
      stats="$work/stats_${cam}_${size}_${mode}${tag}.json"
      "$bin" -q live -p "$profile" -s "$shared/media/biden.jpg" --camera "file:$clip" \
        --output "record:$work/rec.mkv" --duration "${secs}s" \
        --stats-json "$stats" --overwrite "${extra[@]}" </dev/null
      jq -r --arg cam "$cam" --arg size "$size" --arg mode "$mode" --arg tag "${tag:-this}" \
        '"| \($cam) | \($size) | \($mode) | \(.fps*10|round/10) | \(.dropped) of \(.captured) | \(.latency_ms.p50|round) / \(.latency_ms.p95|round) / \(.latency_ms.max|round) | \(.stages_ms.face_analyser*10|round/10) | \(.stages_ms.face_morpher*10|round/10) | \(.host_ms.sinks*10|round/10) | \($tag) |"' "$stats"
    done
  done
done
