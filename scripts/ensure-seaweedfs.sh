#!/usr/bin/env bash
# Builds the SeaweedFS server used by the tests and the demo, once per pinned version, and prints the path of
# the cached binary on stdout. Progress goes to stderr: a cold build takes many minutes.
set -euo pipefail
# shellcheck source=lib/module-binary.sh
source "$(dirname "$0")/lib/module-binary.sh"

SEAWEEDFS_VERSION="${SEAWEEDFS_VERSION:-v0.0.0-20261109003541-7506e5f91cd6}"
ensure_module_binary ensure-seaweedfs github.com/seaweedfs/seaweedfs "$SEAWEEDFS_VERSION" ./weed weed seaweedfs 13
