#!/usr/bin/env bash
# Reproduces the README's live figures: `liveswap live --stats-json` with
# profiles/default.toml (or PROFILE) on 640x360 and 1280x720 30 fps file cameras made from
# ../shared/media/Obama_speaking.mp4 (one face), recording to a temporary .mkv, plus the cost
# of decoding one MJPG camera frame (examples/mjpg_decode.rs) at both sizes. Each size runs
# twice, without and with --overlap (stats_<size>.json, stats_<size>_overlap.json).
# Usage: host/scripts/bench-live.sh [SECONDS] [PROFILE] (default 10, profiles/default.toml).
# Needs a release build: cargo build --release -p liveswap -p liveswap-face-analyser
#   -p liveswap-face-morpher --example mjpg_decode
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="$root/../shared"
secs="${1:-10}"
profile="${2:-$root/profiles/default.toml}"
work="$root/.runtime/bench-live"
bin="$root/target/release/liveswap"
export ORT_DYLIB_PATH="${ORT_DYLIB_PATH:-$root/.runtime/onnxruntime/libonnxruntime.so}"
mkdir -p "$work"
echo "CPU: $(nproc) cores, $(grep -o -w -E 'avx512f|avx512_vnni|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')load $(cut -d' ' -f1-3 /proc/loadavg)"
for size in 640x360 1280x720; do
  w="${size%x*}"; h="${size#*x}"
  clip="$work/cam_${size}.mp4"
  [[ -f "$clip" ]] || ffmpeg -hide_banner -loglevel error -y -i "$shared/media/Obama_speaking.mp4" \
    -t "$((secs + 2))" -vf "scale=$w:$h:force_original_aspect_ratio=decrease,pad=$w:$h:(ow-iw)/2:(oh-ih)/2,fps=30" \
    -an -c:v libx264 -preset veryfast -pix_fmt yuv420p "$clip"
  jpg="$work/frame_${size}.jpg"
  [[ -f "$jpg" ]] || ffmpeg -hide_banner -loglevel error -y -ss 2 -i "$clip" -frames:v 1 -q:v 3 "$jpg"
  "$root/target/release/examples/mjpg_decode" "$jpg" 100
  for mode in plain overlap; do
    extra=(); suffix=""
    [[ "$mode" == overlap ]] && { extra=(--overlap); suffix="_overlap"; }
    "$bin" live -p "$profile" -s "$shared/media/biden.jpg" --camera "file:$clip" \
      --output "record:$work/rec_${size}${suffix}.mkv" --duration "${secs}s" \
      --stats-json "$work/stats_${size}${suffix}.json" --overwrite "${extra[@]}" </dev/null
  done
done
