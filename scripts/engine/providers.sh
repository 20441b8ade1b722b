#!/usr/bin/env bash
# The real pulumi-gcp (v7.38.0) and pulumi-random (v4.18.0) providers for the
# local engine, built once from their source archives and cached outside the
# repository, then installed as plugins into the engine's PULUMI_HOME. Where
# the published plugin is already installed (a user's ~/.pulumi), that one is
# used and nothing is built. Called by scripts/engine/build.sh (make engine).
#   PROVIDER_SOURCES  folder holding the archives (default: ../shared/vendor
#                     next to the repository; ../shared/recipes/real-gcp-provider.md
#                     says what they hold and how they were made)
#   ENGINE_CACHE      (default ~/.cache/django-gke/engine)
#   USER_PULUMI_HOME  where published plugins are looked for (default ~/.pulumi)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-gke/engine}
bin=$cache/bin
src=$cache/src
sources=${PROVIDER_SOURCES:-$root/../shared/vendor}
published=${USER_PULUMI_HOME:-$HOME/.pulumi}/plugins
export PULUMI_HOME=$cache/home PULUMI_SKIP_UPDATE_CHECK=true
mkdir -p "$bin" "$src"
log() { echo "[providers] $*"; }
die() {
	echo "[providers] ERROR: $*" >&2
	exit 1
}

# provider NAME VERSION ARCHIVE MODULE_SUFFIX: one provider, from the published
# plugin or from its archive, installed as resource plugin NAME vVERSION.
provider() {
	local name=$1 version=$2 archive=$3 module=$4
	local binary=$bin/pulumi-resource-$name stamp=$bin/.$name-source
	local installed=$PULUMI_HOME/plugins/resource-$name-v$version/pulumi-resource-$name
	local user=$published/resource-$name-v$version/pulumi-resource-$name
	if [[ -x $user ]]; then
		if ! cmp -s "$user" "$installed"; then
			log "using the published $name v$version plugin from $user"
			"$bin/pulumi" plugin install resource "$name" "v$version" -f "$user" --reinstall
		fi
		return
	fi
	local path=$sources/$archive
	if [[ ! -f $path ]]; then
		die "no $name provider: $path is missing. It ships in the workspace's shared/vendor/ folder (how it was made: shared/recipes/real-gcp-provider.md); set PROVIDER_SOURCES to the folder that holds $archive, or install the published plugin (pulumi plugin install resource $name v$version)"
	fi
	local sum
	sum=$(sha256sum "$path" | cut -d' ' -f1)
	if [[ ! -x $binary || $(cat "$stamp" 2>/dev/null) != "$sum" ]]; then
		log "building pulumi-resource-$name v$version from $path (gcp: ~15-25 min and ~5 GB RAM the first time)"
		local dir=$src/pulumi-$name-$version
		rm -rf "$dir"
		mkdir -p "$dir"
		xz -dc "$path" | tar -x -C "$dir"
		(cd "$dir/provider" && GOFLAGS=-mod=mod go build -trimpath \
			-ldflags "-s -w -X github.com/pulumi/pulumi-$name/provider/$module/pkg/version.Version=$version" \
			-o "$binary.tmp" "./cmd/pulumi-resource-$name")
		mv "$binary.tmp" "$binary"
		echo "$sum" >"$stamp"
	fi
	if ! cmp -s "$binary" "$installed"; then
		log "installing the $name plugin v$version into $PULUMI_HOME"
		"$bin/pulumi" plugin install resource "$name" "v$version" -f "$binary" --reinstall
	fi
}

[[ -x $bin/pulumi ]] || die "no Pulumi CLI in $bin: run scripts/engine/build.sh"
command -v xz >/dev/null || die "xz is missing: apt-get install xz-utils"
provider gcp 7.38.0 pulumi-gcp-provider-v7.38.0-src.tar.xz v7
provider random 4.18.0 pulumi-random-provider-v4.18.0-src.tar.xz v4
log "ready: gcp v7.38.0 and random v4.18.0 in $PULUMI_HOME"
