#!/usr/bin/env bash
# Submits a liveswap render of one video as a Slurm array (one task per segment) and a join
# job that runs after all of them succeeded. Prints the two job ids ("ARRAY_ID JOIN_ID").
#
#   host/deploy/slurm/submit.sh -n 8 -p profiles/inswapper.toml -t /shared/in/long.mp4 \
#       -w /shared/work/long -o /shared/out/long-swapped.mp4 [-- -s /shared/in/face.jpg]
#
# Options after `--` go to every `liveswap run`. Extra sbatch options (partition, GPUs,
# time limit) go in SBATCH_ARGS, e.g. SBATCH_ARGS="--partition=gpu --gres=gpu:1".
# `liveswap plan -t VIDEO --segments N -p PROFILE` shows the frames and time per segment.
# Tasks have no terminal to ask the responsible-use question on: export
# LIVESWAP_ACCEPT_TERMS=1 before submitting (sbatch passes it on), or add --accept-terms.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" >&2; exit 2; }
n="" profile="" target="" work="" output=""
while getopts "n:p:t:w:o:h" opt; do
  case "$opt" in
    n) n="$OPTARG" ;; p) profile="$OPTARG" ;; t) target="$OPTARG" ;;
    w) work="$OPTARG" ;; o) output="$OPTARG" ;; *) usage ;;
  esac
done
shift $((OPTIND - 1))
[[ "${1:-}" == "--" ]] && shift
[[ -n "$n" && -n "$profile" && -n "$target" && -n "$work" && -n "$output" ]] || usage
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: -n must be a positive number" >&2; exit 2; }
mkdir -p "$work"
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
export LIVESWAP="${LIVESWAP:-$(command -v liveswap || true)}"
[[ -x "$LIVESWAP" ]] || { echo "submit.sh: set LIVESWAP to the liveswap executable" >&2; exit 2; }
export LIVESWAP_PROFILE; LIVESWAP_PROFILE="$(abs "$profile")"
export LIVESWAP_TARGET; LIVESWAP_TARGET="$(abs "$target")"
export LIVESWAP_WORK; LIVESWAP_WORK="$(cd "$work" && pwd)"
export LIVESWAP_OUTPUT; LIVESWAP_OUTPUT="$(abs "$output")"
export LIVESWAP_SEGMENTS="$n"
export LIVESWAP_ARGS="$*"
# shellcheck disable=SC2086 # SBATCH_ARGS is a list of options on purpose
array=$(sbatch --parsable ${SBATCH_ARGS:-} --array="0-$((n - 1))" \
  --output="$LIVESWAP_WORK/seg-%a.log" "$here/segments.sbatch")
array="${array%%;*}"
# shellcheck disable=SC2086
join=$(sbatch --parsable ${SBATCH_ARGS:-} --dependency="afterok:$array" \
  --output="$LIVESWAP_WORK/join.log" "$here/join.sbatch")
echo "$array ${join%%;*}"
