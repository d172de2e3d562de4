#!/usr/bin/env bash
# Debian packages the full test suite uses: independent references (numpy, PyTorch, the ONNX checker),
# the browser and code-server build dependencies for the end-to-end tests, GNU time for benchmarks.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail
pkgs=(python3-numpy python3-torch python3-onnx python3-yaml chromium libkrb5-dev libx11-dev libxkbfile-dev
      libsecret-1-dev pkg-config ripgrep libvulkan1 time build-essential)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing: ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
