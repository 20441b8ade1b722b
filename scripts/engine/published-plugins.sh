#!/usr/bin/env bash
# The gcp (v7.38.0) and random (v4.18.0) provider plugins for the local
# engine's real-provider preview (make preview): only the published plugins,
# as `pulumi plugin install resource gcp v7.38.0` puts them in a user's
# ~/.pulumi on a machine with internet. They are detected and copied into the
# engine's PULUMI_HOME, never built. Without them make preview prints
# SKIPPED; nothing else needs them (the replacement guard reads infra/guard's
# ForceNew table, env local generates its secrets without pulumi-random).
# A gcp or random plugin in the engine's PULUMI_HOME that is not a published
# one is removed. Called by scripts/engine/build.sh (make engine).
#   ENGINE_CACHE      (default ~/.cache/django-gke/engine)
#   USER_PULUMI_HOME  where published plugins are looked for (default ~/.pulumi)
set -euo pipefail
cache=${ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-gke/engine}
bin=$cache/bin
published=${USER_PULUMI_HOME:-$HOME/.pulumi}/plugins
export PULUMI_HOME=$cache/home PULUMI_SKIP_UPDATE_CHECK=true
log() { echo "[plugins] $*"; }

[[ -x $bin/pulumi ]] || {
	echo "[plugins] ERROR: no Pulumi CLI in $bin: run scripts/engine/build.sh" >&2
	exit 1
}

# plugin NAME VERSION: the published plugin, if the user has it.
plugin() {
	local name=$1 version=$2
	local dir=$PULUMI_HOME/plugins/resource-$name-v$version
	local installed=$dir/pulumi-resource-$name
	local user=$published/resource-$name-v$version/pulumi-resource-$name
	if [[ -x $user ]]; then
		if ! cmp -s "$user" "$installed"; then
			log "using the published $name v$version plugin from $user"
			"$bin/pulumi" plugin install resource "$name" "v$version" -f "$user" --reinstall
		fi
		return
	fi
	if [[ -e $dir ]]; then
		log "removing a $name v$version plugin that is not a published one ($dir)"
		rm -rf "$dir" "$dir.lock" "$dir.partial"
	fi
	log "$name v$version: no published plugin in $published; make preview will print SKIPPED" \
		"(pulumi plugin install resource $name v$version on a machine with internet to enable it)"
}

plugin gcp 7.38.0
plugin random 4.18.0
