#!/usr/bin/env bash
# Regenerates docs/ from the provider schema, examples/ and templates/. tfplugindocs lives in tools/, its
# own module, so doc tooling never enters the provider's go.mod. It uses the terraform on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tfrc=$(mktemp)
trap 'rm -f "$tfrc"' EXIT
cd "$root/tools"
TF_CLI_CONFIG_FILE="$tfrc" go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate \
  --provider-dir .. --provider-name protectedmedia
