#!/usr/bin/env bash
# What the real-window test of `liveswap ui` (tests/ui.rs) needs on a Debian/Ubuntu machine,
# installed with apt only when missing (idempotent):
#   xvfb        — a virtual X server (no display or GPU needed);
#   x11-apps    — xwd, the screenshot tool;
#   imagemagick — convert, turns xwd dumps into PNG;
#   xdotool     — finds the window and clicks in it;
#   mesa-vulkan-drivers — lavapipe, so wgpu also finds a software adapter (the test itself
#                 forces iced's tiny-skia renderer with ICED_BACKEND=tiny-skia).
# Called by host/scripts/test.sh before the tests run.
set -euo pipefail

UI_TEST_PACKAGES=(xvfb x11-apps imagemagick xdotool mesa-vulkan-drivers)
missing=()
for pkg in "${UI_TEST_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup-ui-test: Xvfb, xwd, ImageMagick and xdotool already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-ui-test: not a Debian/Ubuntu system: install ${missing[*]} yourself" >&2
  exit 1
fi
SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup-ui-test: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup-ui-test: installing ${missing[*]} (apt)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
