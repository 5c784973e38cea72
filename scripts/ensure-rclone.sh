#!/usr/bin/env bash
# Installs rclone for `make bench`, which measures the point-in-time restore beside rclone's own
# (--s3-version-at, copied back server-side) on the same objects. Debian's package (1.60 in bookworm) is
# enough: --s3-version-at came in 1.59.
#
# It never fails the build: where it cannot install (no apt-get, not root) it says so and exits 0, and the
# rclone case of BenchmarkRestore skips itself. Messages go to stderr.
set -euo pipefail

say() { echo "ensure-rclone: $*" >&2; }
give_up() {
  say "$* — the rclone case of BenchmarkRestore will be skipped. To run it, install Debian's rclone package."
  exit 0
}

# --s3-version-at is what the comparison needs: an older rclone without it is as good as none.
works() { rclone help flags 2>/dev/null | grep -q -- '--s3-version-at'; }

if command -v rclone >/dev/null 2>&1 && works; then
  say "$(rclone version 2>/dev/null | head -1) is installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  give_up "apt-get is not available"
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    give_up "installing Debian packages needs root (or password-less sudo)"
  fi
fi
say "installing Debian's rclone (apt-get update first; this takes a minute)"
"${sudo[@]}" apt-get update -qq >&2 || give_up "apt-get update failed"
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq rclone >&2 || give_up "apt-get install rclone failed"
works || give_up "the installed rclone has no --s3-version-at"
say "$(rclone version 2>/dev/null | head -1) is installed"
