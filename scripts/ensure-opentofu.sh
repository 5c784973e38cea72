#!/usr/bin/env bash
# Builds the OpenTofu CLI used by `make test-tofu`, once per pinned version, and prints the path of the
# cached binary on stdout. Progress goes to stderr: a cold build takes ~10 minutes on 2 cores.
#
# `go install` refuses OpenTofu's replace directives (it pins a fork of hcl/v2), so the module is downloaded
# from the Go module proxy and built in place, exactly as scripts/ensure-seaweedfs.sh builds SeaweedFS.
set -euo pipefail

OPENTOFU_VERSION="${OPENTOFU_VERSION:-v1.12.6}"
cache_root="${PROTECTEDMEDIA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-protectedmedia}"
bin_dir="$cache_root/opentofu/$OPENTOFU_VERSION"
bin="$bin_dir/tofu"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

say() { echo "ensure-opentofu: $*" >&2; }

mkdir -p "$bin_dir"
say "downloading github.com/opentofu/opentofu@$OPENTOFU_VERSION"
src=$(cd "$bin_dir" && GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@$OPENTOFU_VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$src" ] || [ ! -d "$src" ]; then
  say "could not locate the downloaded module source"
  exit 1
fi

say "building tofu from $src (about 10 minutes cold on 2 cores; cached afterwards in $bin_dir)"
start=$(date +%s)
# The module cache is read-only; build with its own go.mod, writing the binary to a temporary name first
# so an interrupted build never leaves a half-written cached binary behind. version.dev=no is what
# OpenTofu's release build sets: without it `tofu version` reports "<version>-dev", a prerelease.
(cd "$src" && GOFLAGS=-mod=mod go build -ldflags "-X github.com/opentofu/opentofu/version.dev=no" -o "$bin.tmp" ./cmd/tofu) &
build_pid=$!
while kill -0 "$build_pid" 2>/dev/null; do
  sleep 30
  kill -0 "$build_pid" 2>/dev/null && say "still building ($(( $(date +%s) - start ))s elapsed)"
done
wait "$build_pid"
mv "$bin.tmp" "$bin"
say "built in $(( $(date +%s) - start ))s: $bin"
"$bin" version >&2 || true
echo "$bin"
