#!/usr/bin/env bash
# make demo: a media/static pair created on a local S3 server, its Django storage config, a media file
# with versions, drift caught by `terraform plan` and repaired by `terraform apply`, then a clean-up.
# Everything lives under .demo/ and is removed or stopped at the end.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/.demo"
version="0.1.0"
namespace="protectedmedia"
step=0

say() { step=$((step + 1)); printf '\n\033[1m==> [%d] %s\033[0m\n' "$step" "$*"; }
note() { printf '    %s\n' "$*"; }

server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    note "stopping the local S3 server (pid $server_pid)"
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work"

say "Building the provider (version $version)"
plugin_dir="$work/mirror/registry.terraform.io/$namespace/protectedmedia/$version/linux_amd64"
mkdir -p "$plugin_dir"
(cd "$root" && go build -ldflags "-X main.version=$version" -o "$plugin_dir/terraform-provider-protectedmedia_v$version" .)
(cd "$root" && go build -o "$work/demos3" ./internal/testsupport/demos3 && go build -o "$work/locals3" ./internal/testsupport/locals3/cmd/locals3)
note "laid out as an offline provider mirror in .demo/mirror"

say "Making sure the local S3 server (SeaweedFS) is built"
weed=$("$root/scripts/ensure-seaweedfs.sh")
note "$weed"

say "Starting SeaweedFS on loopback over HTTPS, with a throwaway certificate authority"
"$work/locals3" -binary "$weed" -dir "$work/s3" -env-file "$work/s3.env" 2>"$work/locals3.log" &
server_pid=$!
for _ in $(seq 1 600); do
  [ -f "$work/s3.env" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/locals3.log"; exit 1; }
  sleep 0.1
done
[ -f "$work/s3.env" ] || { echo "the server did not come up; see $work/locals3.log"; exit 1; }
# shellcheck disable=SC1091
source "$work/s3.env"
note "endpoint $AWS_ENDPOINT_URL_S3 (AWS_ENDPOINT_URL_S3, AWS_CA_BUNDLE and test credentials exported)"

cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/$namespace/*"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
cp "$root/examples/demo/main.tf" "$work/main.tf"
tf() { terraform -chdir="$work" "$@"; }

say "terraform init (offline, from the mirror)"
tf init -input=false -no-color >/dev/null
note "initialized: protectedmedia/protectedmedia $version"

say "terraform apply: create the media and static buckets"
tf apply -auto-approve -input=false -no-color | grep -E '^(protectedmedia_|Apply complete)' || true

say "The Django storage configuration the pair outputs (terraform output -raw django_storages)"
tf output -raw django_storages

say "Upload a media file twice: versioning keeps both"
"$work/demos3" put demo-site-media uploads/avatar.png "first upload"
"$work/demos3" put demo-site-media uploads/avatar.png "second upload"
"$work/demos3" versions demo-site-media

say "Someone suspends versioning on the media bucket outside Terraform"
"$work/demos3" suspend-versioning demo-site-media

say "terraform plan catches it"
set +e
tf plan -input=false -no-color -detailed-exitcode >"$work/plan.txt"
code=$?
set -e
sed -n '/# protectedmedia_bucket_pair.site will be updated/,/^Plan:/p' "$work/plan.txt" | grep -vE '^\s*\(|^\s*$|unchanged' || true
[ "$code" = 2 ] || { echo "expected the plan to show changes (exit 2), got $code"; cat "$work/plan.txt"; exit 1; }
note "plan exit code 2: changes pending, as a scheduled drift check would report"

say "terraform apply repairs it"
tf apply -auto-approve -input=false -no-color | grep -E '^(protectedmedia_|Apply complete)' || true
tf plan -input=false -no-color -detailed-exitcode >/dev/null
note "next plan is empty; media_versioning = $(tf output -raw media_versioning)"

say "terraform destroy refuses to delete media that still holds files"
set +e
tf destroy -auto-approve -input=false -no-color 2>&1 | grep -E 'Error:|holds' | head -3
set -e

say "Cleaning up: allow force destroy, destroy, stop the server"
tf apply -auto-approve -input=false -no-color -var media_force_destroy=true >/dev/null
tf destroy -auto-approve -input=false -no-color -var media_force_destroy=true | grep -E 'Destroy complete' || true
cleanup
server_pid=""
rm -rf "$work"
note "done"
