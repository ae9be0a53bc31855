#!/usr/bin/env bash
# The scale-out test through a real Slurm: installs Debian's slurm-wlm and munge (when
# missing), starts a single-node cluster on this machine (munged, slurmctld, slurmd on
# localhost, with their own config, ports and state under a temporary folder), submits
# host/deploy/slurm/submit.sh with N = 3 segments plus the dependent join job, waits
# (bounded), and checks the joined video against a single `liveswap run`: same frame count,
# same timestamps, same decoded frames (lossless x264), same audio packets.
#
# Called by host/scripts/test.sh after the workspace is built (it uses target/debug/liveswap).
# It skips (exit 0, with a loud message) ONLY when slurmctld cannot be started here (no
# root to install or run the daemons, or the daemons refuse to come up); any other failure
# fails. Everything it started is stopped by PID at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
TIMEOUT="${LIVESWAP_SLURM_TIMEOUT:-600}" # seconds for the whole array + join

say() { printf 'test-slurm: %s\n' "$*"; }
fail() { printf 'test-slurm: FAILED: %s\n' "$*" >&2; exit 1; }
skip() {
  printf '\n%s\n' "################################################################" >&2
  printf 'test-slurm: SKIPPED — slurmctld cannot start here: %s\n' "$*" >&2
  printf '%s\n\n' "################################################################" >&2
  exit 0
}

bin="$root/target/debug/liveswap"
[[ -x "$bin" ]] || fail "$bin is not built (cargo build --workspace first)"
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || fail "ffmpeg/ffprobe missing (host/scripts/setup.sh)"

if [[ "$(id -u)" != 0 ]]; then
  skip "not root (installing and running munged/slurmctld/slurmd needs root)"
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge (apt)"
  apt-get update -qq || skip "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null \
    || skip "apt-get install slurm-wlm munge failed"
fi

work="$(mktemp -d /tmp/liveswap-slurm.XXXXXX)"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$work"
}
trap cleanup EXIT
# PID from a daemon's pid file, waiting for it to appear.
pid_of() {
  local f="$1" i
  for i in $(seq 100); do
    if [[ -s "$f" ]]; then cat "$f"; return 0; fi
    sleep 0.1
  done
  return 1
}

# munge: the package makes /etc/munge/munge.key. A munged that already answers is used
# as it is (and left running); otherwise ours is started and stopped at the end.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge
  chown -R munge:munge /var/log/munge /var/lib/munge /etc/munge
  rm -f /run/munge/munged.pid
  su -s /bin/sh munge -c munged || skip "munged does not start: $(tail -n 3 /var/log/munge/munged.log 2>/dev/null)"
  pids+=("$(pid_of /run/munge/munged.pid)") || skip "munged wrote no pid file"
  munge -n | unmunge >/dev/null || skip "munge does not work"
fi

host="$(hostname)"
cpus="$(nproc)"
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))
mkdir -p "$work/state" "$work/spool" "$work/out"
conf="$work/slurm.conf"
cat >"$conf" <<EOF
ClusterName=liveswap-test
SlurmctldHost=$host
SlurmctldPort=6917
SlurmdPort=6918
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$conf"
slurmctld -f "$conf" || skip "slurmctld exited: $(tail -n 5 "$work/slurmctld.log" 2>/dev/null)"
pids+=("$(pid_of "$work/slurmctld.pid")") || skip "slurmctld wrote no pid file: $(tail -n 5 "$work/slurmctld.log" 2>/dev/null)"
slurmd -f "$conf" || skip "slurmd exited: $(tail -n 5 "$work/slurmd.log" 2>/dev/null)"
pids+=("$(pid_of "$work/slurmd.pid")") || skip "slurmd wrote no pid file: $(tail -n 5 "$work/slurmd.log" 2>/dev/null)"
ready=""
for _ in $(seq 60); do
  state="$(sinfo -h -o %t 2>/dev/null | head -n 1 || true)"
  if [[ "$state" == idle* || "$state" == mix* ]]; then ready=1; break; fi
  sleep 1
done
[[ -n "$ready" ]] || skip "the node does not become idle (sinfo: '${state:-}'); slurmctld log: $(tail -n 5 "$work/slurmctld.log" 2>/dev/null)"
say "single-node cluster up: $(sinfo -h -o '%P %D %t %c')"

# A small clip with audio: 60 frames of a real talking-face clip, keyframes every 20.
clip="$work/clip.mp4"
media="$root/../shared/media/short_hamilton_clip.mp4"
[[ -f "$media" ]] || fail "$media is missing (../shared beside the checkout)"
ffmpeg -hide_banner -loglevel error -y -i "$media" -frames:v 60 -vf scale=320:180 \
  -c:v libx264 -g 20 -c:a aac "$clip"
if [[ -d "$root/../shared/models" ]]; then export LIVESWAP_MODELS_DIR="$root/../shared/models"; fi
args=(--set face_analyser.det_size=160 --video-quality 0 --video-preset ultrafast)
# Batch tasks have no terminal to ask the responsible-use question on; the operator who runs
# this test accepts it for these processes only (sbatch passes the environment on).
export LIVESWAP_ACCEPT_TERMS=1

say "submitting 3 segments + join"
read -r array join < <(LIVESWAP="$bin" host/deploy/slurm/submit.sh -n 3 -p profiles/debug.toml \
  -t "$clip" -w "$work/segments" -o "$work/out/joined.mp4" -- "${args[@]}")
say "array job $array, join job $join"
deadline=$(( $(date +%s) + TIMEOUT ))
seg_logs() { local k; for k in 0 1 2; do printf -- '--- seg-%s.log\n' "$k" >&2; cat "$work/segments/seg-$k.log" >&2 2>/dev/null || true; done; }
while [[ -n "$(squeue -h -j "$array,$join" 2>/dev/null)" ]]; do
  # A failed array task leaves the join pending forever: report at once, with the task logs.
  if squeue -h -j "$join" -o %r 2>/dev/null | grep -q DependencyNeverSatisfied; then
    seg_logs
    fail "a segment task failed (the join's dependency can never be satisfied)"
  fi
  if (( $(date +%s) > deadline )); then
    seg_logs
    squeue
    fail "the jobs did not finish within ${TIMEOUT}s"
  fi
  sleep 2
done
for k in 0 1 2; do
  [[ -f "$work/segments/seg-$k.mp4.json" ]] || { cat "$work/segments/seg-$k.log" 2>/dev/null; fail "segment $k wrote no manifest"; }
done
[[ -f "$work/out/joined.mp4" ]] || { cat "$work/segments/join.log" 2>/dev/null; fail "the join job wrote no output"; }
say "joined: $(cat "$work/segments/join.log")"

"$bin" run -q -p profiles/debug.toml -t "$clip" -o "$work/out/single.mp4" "${args[@]}"
pts() { ffprobe -v error -select_streams v:0 -show_entries packet=pts -of csv=p=0 "$1" | sort -n; }
md5() { ffmpeg -v error -i "$1" -map "0:$2" ${3:+-c copy} -f framemd5 - | grep -v '^#'; }
frames_single=$(pts "$work/out/single.mp4" | wc -l)
frames_joined=$(pts "$work/out/joined.mp4" | wc -l)
[[ "$frames_single" == 60 && "$frames_joined" == 60 ]] || fail "frame counts: single $frames_single, joined $frames_joined (want 60)"
cmp -s <(pts "$work/out/single.mp4") <(pts "$work/out/joined.mp4") || fail "video timestamps differ"
cmp -s <(md5 "$work/out/single.mp4" v) <(md5 "$work/out/joined.mp4" v) || fail "decoded video frames differ"
cmp -s <(md5 "$work/out/single.mp4" a copy) <(md5 "$work/out/joined.mp4" a copy) || fail "audio packets differ"
rate() { ffprobe -v error -select_streams v:0 -show_entries stream=avg_frame_rate -of csv=p=0 "$1"; }
[[ "$(rate "$work/out/single.mp4")" == "$(rate "$work/out/joined.mp4")" ]] || fail "frame rates differ"
ffprobe -v error -show_entries format_tags=comment -of csv=p=0 "$work/out/joined.mp4" | grep -q "face swap" \
  || fail "the joined file has no provenance comment"
say "OK: 3 Slurm array tasks + join = one run (60 frames, timestamps, pixels, audio, rate $(rate "$work/out/joined.mp4"))"
