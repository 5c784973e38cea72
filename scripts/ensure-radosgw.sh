#!/usr/bin/env bash
# Installs Ceph's RADOS Gateway with the monitor and OSD daemons it needs (Debian's radosgw, ceph-mon and
# ceph-osd, which bring ceph-common's `ceph`, `monmaptool` and `radosgw-admin`), and prints the path of the
# radosgw binary on stdout, for PROTECTEDMEDIA_RADOSGW (internal/testsupport/localrgw). Progress goes to
# stderr; a first install downloads about 70 MB and takes one to two minutes.
#
# Unlike the Go-built servers this is not cached under ~/.cache: Debian's packages install system-wide, with
# their shared libraries, plugins and Python modules where the binaries expect them, which needs root (or
# password-less sudo). The behaviour tables in localrgw are pinned to the 16.2 series Debian 12 ships; another
# series installs, with a warning, and those tables then show what changed.
set -euo pipefail

series=16.2
packages=(radosgw ceph-mon ceph-osd)
tools=(radosgw radosgw-admin ceph-mon ceph-osd monmaptool ceph)

say() { echo "ensure-radosgw: $*" >&2; }
fail() {
  say "$*"
  exit 1
}

installed() {
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
  for t in "${tools[@]}"; do
    [ -x "/usr/bin/$t" ] || return 1
  done
}

if ! installed; then
  command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1 \
    || fail "apt-get is not available: install ${packages[*]} (Ceph $series) by other means and set PROTECTEDMEDIA_RADOSGW to radosgw's path"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null \
      || fail "installing ${packages[*]} needs root or password-less sudo: run \`apt-get install --no-install-recommends ${packages[*]}\` as root"
    sudo=(sudo -n)
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when apt does not know a package yet (a fresh container).
  for p in "${packages[@]}"; do
    if ! apt-cache show "$p" >/dev/null 2>&1; then
      say "apt does not know $p yet: running apt-get update"
      "${sudo[@]}" apt-get update -qq >&2 || fail "apt-get update failed"
      break
    fi
  done
  start=$(date +%s)
  say "installing ${packages[*]} with apt-get (about 70 MB, a minute or two)"
  # The packages' maintainer scripts enable systemd units, which a container without systemd ignores; the
  # tests start their own daemons with their own configuration and never use the units or /etc/ceph.
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${packages[@]}" >&2 \
    || fail "apt-get install ${packages[*]} failed"
  installed || fail "apt-get installed ${packages[*]}, but one of ${tools[*]} is missing from /usr/bin"
  say "installed in $(($(date +%s) - start))s"
fi

version=$(dpkg-query -W -f='${Version}' radosgw)
case "$version" in
  "$series".*) ;;
  *) say "warning: radosgw $version is not the $series series localrgw's behaviour tables were written for" ;;
esac
say "radosgw $version"
echo /usr/bin/radosgw
