# Sourced by the ensure-*.sh scripts: builds a Go command from a module's own source, once per version, and
# prints the cached binary's path on stdout (progress on stderr).
#
# `go install` refuses modules with replace directives (SeaweedFS, OpenTofu), so the module is downloaded
# from the Go module proxy and built in place, with its own go.mod.
#
#   ensure_module_binary TAG MODULE VERSION PACKAGE BINARY CACHE_SUBDIR MINUTES [LDFLAGS]
ensure_module_binary() {
  local tag=$1 module=$2 version=$3 package=$4 binary=$5 subdir=$6 minutes=$7 ldflags=${8:-}
  local cache_root="${PROTECTEDMEDIA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-protectedmedia}"
  local bin_dir="$cache_root/$subdir/$version"
  local bin="$bin_dir/$binary"
  say() { echo "$tag: $*" >&2; }

  if [ -x "$bin" ]; then
    echo "$bin"
    return 0
  fi
  mkdir -p "$bin_dir"
  say "downloading $module@$version"
  local src
  src=$(cd "$bin_dir" && GOFLAGS=-mod=mod go mod download -json "$module@$version" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [ -z "$src" ] || [ ! -d "$src" ]; then
    say "could not locate the downloaded module source"
    return 1
  fi

  say "building $binary from $src (about $minutes minutes cold on 2 cores; cached afterwards in $bin_dir)"
  local start build_pid
  start=$(date +%s)
  # The module cache is read-only; the binary goes to a temporary name first, so an interrupted build never
  # leaves a half-written cached binary behind.
  (cd "$src" && GOFLAGS=-mod=mod go build -ldflags "$ldflags" -o "$bin.tmp" "$package") &
  build_pid=$!
  while kill -0 "$build_pid" 2>/dev/null; do
    sleep 30
    kill -0 "$build_pid" 2>/dev/null && say "still building ($(($(date +%s) - start))s elapsed)"
  done
  wait "$build_pid"
  mv "$bin.tmp" "$bin"
  say "built in $(($(date +%s) - start))s: $bin"
  echo "$bin"
}
