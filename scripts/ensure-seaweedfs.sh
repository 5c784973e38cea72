#!/usr/bin/env bash
# Builds the SeaweedFS server used by the tests and the demo, once per pinned version, and prints the
# path of the cached binary on stdout. Progress goes to stderr: a cold build takes ~13 minutes on 2 cores.
#
# `go install` refuses SeaweedFS's replace directives, so the module is downloaded and built in place.
set -euo pipefail

SEAWEEDFS_VERSION="${SEAWEEDFS_VERSION:-v0.0.0-20261109003541-7506e5f91cd6}"
cache_root="${PROTECTEDMEDIA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-protectedmedia}"
bin_dir="$cache_root/seaweedfs/$SEAWEEDFS_VERSION"
bin="$bin_dir/weed"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

say() { echo "ensure-seaweedfs: $*" >&2; }

mkdir -p "$bin_dir"
say "downloading github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION"
src=$(cd "$bin_dir" && GOFLAGS=-mod=mod go mod download -json "github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$src" ] || [ ! -d "$src" ]; then
  say "could not locate the downloaded module source"
  exit 1
fi

say "building weed from $src (about 13 minutes cold on 2 cores; cached afterwards in $bin_dir)"
start=$(date +%s)
# The module cache is read-only; build with its own go.mod, writing the binary to a temporary name first
# so an interrupted build never leaves a half-written cached binary behind.
(cd "$src" && GOFLAGS=-mod=mod go build -o "$bin.tmp" ./weed) &
build_pid=$!
while kill -0 "$build_pid" 2>/dev/null; do
  sleep 30
  kill -0 "$build_pid" 2>/dev/null && say "still building ($(( $(date +%s) - start ))s elapsed)"
done
wait "$build_pid"
mv "$bin.tmp" "$bin"
say "built in $(( $(date +%s) - start ))s: $bin"
echo "$bin"
