#!/bin/sh
# A software Vulkan driver (Mesa lavapipe from bookworm-backports) so ONNX Runtime's WebGPU provider runs on
# CPU-only machines, for tests. Idempotent; cached under .cache/vulkan in the repo; never touches the system's
# apt sources (a private sources file and lists dir are passed to apt-get). Prints the VK_ICD_FILENAMES to use.
# Debian 12's own mesa-vulkan-drivers (22.3) is rejected by Dawn; libvulkan1 (the loader) must be installed.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR="$ROOT/.cache/vulkan"
ICD="$DIR/lvp_icd.json"
if [ -f "$ICD" ] && [ -f "$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$ICD")" ]; then
  echo "VK_ICD_FILENAMES=$ICD"
  exit 0
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  echo "setup-vulkan: libvulkan1 is not installed (apt-get install libvulkan1)" >&2
  exit 1
fi
mkdir -p "$DIR/apt/lists/partial" "$DIR/apt/archives/partial" "$DIR/root"
echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$DIR/apt/sources.list"
APT="-o Dir::Etc::sourcelist=$DIR/apt/sources.list -o Dir::Etc::sourceparts=/dev/null -o Dir::State::Lists=$DIR/apt/lists -o Dir::Cache::archives=$DIR/apt/archives -o Debug::NoLocking=1"
# shellcheck disable=SC2086
apt-get $APT update >&2
cd "$DIR/apt/archives"
# shellcheck disable=SC2086
apt-get $APT download mesa-vulkan-drivers/bookworm-backports >&2
DEB=$(ls -t "$DIR"/apt/archives/mesa-vulkan-drivers_*.deb | head -n 1)
dpkg -x "$DEB" "$DIR/root"
SRC=$(find "$DIR/root" -name 'lvp_icd*.json' | head -n 1)
LIB=$(find "$DIR/root" -name 'libvulkan_lvp.so' | head -n 1)
if [ -z "$SRC" ] || [ -z "$LIB" ]; then
  echo "setup-vulkan: lavapipe not found in $DEB" >&2
  exit 1
fi
sed "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$LIB\"#" "$SRC" > "$ICD.tmp"
mv "$ICD.tmp" "$ICD"
echo "VK_ICD_FILENAMES=$ICD"
