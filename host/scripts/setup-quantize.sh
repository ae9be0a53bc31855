#!/usr/bin/env bash
# Creates the private Python environment `liveswap models quantize` runs ONNX Runtime's
# quantizer in (the command also creates it on first use; this makes the tests' first run
# predictable). Idempotent. Location: ${XDG_DATA_HOME:-~/.local/share}/liveswap/quantize-env,
# the same place the command looks; the pins match host/src/commands/quantize/python.rs.
set -euo pipefail
data="${XDG_DATA_HOME:-$HOME/.local/share}"
env_dir="$data/liveswap/quantize-env"
packages=(onnxruntime==1.31.1 onnx==1.23.2 numpy==2.4.6)
if [[ -f "$env_dir/.ready" && -x "$env_dir/bin/python" ]]; then
  echo "quantize env ready: $env_dir"
  exit 0
fi
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  echo "installing python3-venv (apt)…"
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -q python3-venv >/dev/null
fi
python3 -m venv "$env_dir"
"$env_dir/bin/python" -m pip install --quiet --disable-pip-version-check "${packages[@]}"
printf '%s\n' "${packages[@]}" > "$env_dir/.ready"
echo "quantize env ready: $env_dir"
