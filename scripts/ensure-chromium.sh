#!/usr/bin/env bash
# Installs what the browser tests (internal/testsupport/browser and the *_browser_test.go acceptance tests in
# internal/provider) drive: Debian's chromium, run headless through the DevTools protocol. Those tests check
# what only a browser enforces (CORS on fonts and on cross-origin uploads, @import-ed stylesheets), so they
# need a real one.
#
# It never fails the build: where it cannot install (no apt-get, not root, no chromium package) it says so
# and exits 0, and the browser tests skip themselves with the same explanation. Messages go to stderr.
set -euo pipefail

# The binary the tests start; keep in step with browser.ChromiumPath in internal/testsupport/browser.
chromium=/usr/bin/chromium
package=chromium

say() { echo "ensure-chromium: $*" >&2; }
give_up() {
  say "$* — the browser tests will be skipped. To run them, install Debian's $package package ($chromium)."
  exit 0
}

# A binary that is there but cannot start (a half-installed package, missing libraries) is as good as none.
works() { "$chromium" --headless=new --no-sandbox --version >/dev/null 2>&1; }

if [ -x "$chromium" ] && works; then
  say "$("$chromium" --version 2>/dev/null) is installed at $chromium"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
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

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when apt does not know the package yet (a fresh container).
if ! apt-cache show "$package" >/dev/null 2>&1; then
  say "apt does not know $package yet: running apt-get update"
  "${sudo[@]}" apt-get update -qq >&2 || give_up "apt-get update failed"
fi
# Chromium and its libraries are a few hundred megabytes: say so, or the build looks hung.
say "installing $package with apt-get (a few hundred MB, this takes a while) ..."
"${sudo[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "$package" >&2 \
  || give_up "apt-get install $package failed"
if ! works; then
  give_up "$package is installed but $chromium does not start"
fi
say "ready: $("$chromium" --version 2>/dev/null)"
