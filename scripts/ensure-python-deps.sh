#!/usr/bin/env bash
# Installs what the Django acceptance test (internal/provider/django_app_test.go) runs: the system Python's
# Django, django-storages (with its S3 backend) and boto3, from Debian's packages. Debian's Django (3.2) and django-storages (1.13)
# are the oldest the provider supports, so the test exercises the legacy settings path for real.
#
# It never fails the build: where it cannot install (no /usr/bin/python3, no apt-get, not root) it says so
# and exits 0, and the test skips itself with the same explanation. Messages go to stderr.
set -euo pipefail

python=/usr/bin/python3
# Debian ships django-storages' S3 backend separately, in python3-django-storages-boto3 (only a Recommends
# of python3-django-storages): without it `import storages` works but storages.backends.s3boto3 is missing.
packages=(python3-django python3-django-storages python3-django-storages-boto3 python3-boto3)
# What the test imports; keep in step with djangoModulesCheck in internal/provider/django_app_test.go.
modules='import django, storages.backends.s3boto3, boto3'

say() { echo "ensure-python-deps: $*" >&2; }
give_up() {
  say "$* — the Django app test will be skipped. To run it, install ${packages[*]} (Debian/Ubuntu) for $python."
  exit 0
}

if [ ! -x "$python" ]; then
  give_up "$python not found"
fi
# The system interpreter, not whatever python3 is first on PATH (pyenv, a virtualenv): Debian installs
# the packages into its dist-packages only.
if "$python" -c "$modules" 2>/dev/null; then
  say "Django, django-storages (S3 backend) and boto3 are installed for $python"
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

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when apt does not know one of the packages yet (a fresh container).
  for p in "${missing[@]}"; do
    if ! apt-cache show "$p" >/dev/null 2>&1; then
      say "apt does not know $p yet: running apt-get update"
      "${sudo[@]}" apt-get update -qq >&2 || give_up "apt-get update failed"
      break
    fi
  done
  say "installing ${missing[*]} with apt-get"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >&2 \
    || give_up "apt-get install failed"
fi
if ! "$python" -c "$modules" 2>/dev/null; then
  give_up "the packages are installed but $python cannot run: $modules"
fi
say "ready: $("$python" -c 'import django, storages, boto3; print("Django", django.get_version() + ", django-storages", storages.__version__ + ", boto3", boto3.__version__)')"
