#!/usr/bin/env bash
# Builds the OpenTofu CLI used by `make test-tofu`, once per pinned version, and prints the path of the cached
# binary on stdout. Progress goes to stderr: a cold build takes many minutes.
set -euo pipefail
# shellcheck source=lib/module-binary.sh
source "$(dirname "$0")/lib/module-binary.sh"

OPENTOFU_VERSION="${OPENTOFU_VERSION:-v1.12.6}"
# version.dev=no is what OpenTofu's release build sets: without it `tofu version` reports a prerelease.
bin=$(ensure_module_binary ensure-opentofu github.com/opentofu/opentofu "$OPENTOFU_VERSION" ./cmd/tofu tofu opentofu 10 \
  "-X github.com/opentofu/opentofu/version.dev=no")
"$bin" version >&2 || true
echo "$bin"
