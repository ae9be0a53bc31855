#!/usr/bin/env bash
# Renders with the Indexed Job, waits for it, then runs the join Job and waits for that.
#   host/deploy/k8s/run.sh [gpu]     (namespace from kubectl's context; TIMEOUT=24h)
# Before: copy the video, face image and models onto the liveswap-data volume
# (/data/in, /data/models), push the image built from host/deploy/Dockerfile and edit
# render-job.yaml (completions = SEGMENTS = N, PROFILE, TARGET, RUN_ARGS).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here"; [[ "${1:-}" == "gpu" ]] && dir="$here/gpu"
kubectl apply -k "$dir"
kubectl wait --for=condition=complete job/liveswap-render --timeout="${TIMEOUT:-24h}"
kubectl apply -f "$here/join-job.yaml"
kubectl wait --for=condition=complete job/liveswap-join --timeout="${TIMEOUT:-24h}"
kubectl logs job/liveswap-join
