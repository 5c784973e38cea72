#!/usr/bin/env bash
# Builds versitygw (an S3 gateway over a POSIX directory, one of the S3-compatible services the provider is
# tested against) once per pinned version, and prints the path of the cached binary on stdout. Progress goes
# to stderr: a cold build takes a few minutes.
set -euo pipefail
# shellcheck source=lib/module-binary.sh
source "$(dirname "$0")/lib/module-binary.sh"

VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.8.0}"
ensure_module_binary ensure-versitygw github.com/versity/versitygw "$VERSITYGW_VERSION" ./cmd/versitygw versitygw versitygw 4
