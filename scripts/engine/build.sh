#!/usr/bin/env bash
# make engine: the Pulumi CLI (v3.274.1) and the pulumi-kubernetes provider
# (as plugin v4.32.0), built from Go sources once and cached outside the
# repository; then the provider is installed as a plugin in the engine's
# PULUMI_HOME. The gcp and random plugins are never built: a user's published
# ones are used where present (scripts/engine/published-plugins.sh).
# Idempotent: seconds when cached.
#   ENGINE_CACHE (default ~/.cache/django-gke/engine)
set -euo pipefail
cache=${ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-gke/engine}
bin=$cache/bin
src=$cache/src
mkdir -p "$bin" "$src"
export GOFLAGS=-mod=mod
PULUMI_VERSION=v3.274.1
K8S_PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
K8S_PROVIDER_REV=v4.0.0-20260115033456-f47bc2d6f199 # ≈ v4.25; stamped as the SDK's plugin version
K8S_PLUGIN_VERSION=4.32.0

log() { echo "[engine] $*"; }

build_pulumi() {
	if [[ -x $bin/pulumi ]] && "$bin/pulumi" version 2>/dev/null | grep -qx "$PULUMI_VERSION"; then
		return
	fi
	log "building the Pulumi CLI $PULUMI_VERSION from source (~7 min the first time)"
	local dir=$src/pulumi-cli
	mkdir -p "$dir"
	cat >"$dir/go.mod" <<MOD
module django-gke-engine/pulumi

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)

// The upstream clipboard module is not served by the module proxy.
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
	cat >"$dir/tools.go" <<'TOOLS'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
TOOLS
	(cd "$dir" && go mod tidy && go build -trimpath \
		-ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
		-o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
	mv "$bin/pulumi.tmp" "$bin/pulumi"
}

build_k8s_provider() {
	if [[ -x $bin/pulumi-resource-kubernetes ]] && [[ $(cat "$bin/.k8s-provider-rev" 2>/dev/null) == "$K8S_PROVIDER_REV" ]]; then
		return
	fi
	log "building pulumi-resource-kubernetes from source (~13 min, ~5 GB RAM the first time)"
	go mod download "$K8S_PROVIDER_MODULE@$K8S_PROVIDER_REV"
	local mod dir
	mod=$(go env GOMODCACHE)/github.com/pulumi/pulumi-kubernetes/provider/v4@$K8S_PROVIDER_REV
	dir=$src/pulumi-kubernetes-provider
	rm -rf "$dir"
	cp -r "$mod" "$dir"
	chmod -R u+w "$dir"
	# The module replaces its SDK with ../sdk, which is not in the module zip: use the published one.
	sed -i '/=> \.\.\/sdk/d' "$dir/go.mod"
	(cd "$dir" && go mod tidy)
	(cd "$dir/cmd/pulumi-resource-kubernetes" && VERSION=$K8S_PLUGIN_VERSION go run ./generate.go)
	(cd "$dir" && go build -trimpath \
		-ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PLUGIN_VERSION" \
		-o "$bin/pulumi-resource-kubernetes.tmp" ./cmd/pulumi-resource-kubernetes)
	mv "$bin/pulumi-resource-kubernetes.tmp" "$bin/pulumi-resource-kubernetes"
	echo "$K8S_PROVIDER_REV" >"$bin/.k8s-provider-rev"
}

install_plugin() {
	export PULUMI_HOME=$cache/home PULUMI_SKIP_UPDATE_CHECK=true
	if [[ -x $PULUMI_HOME/plugins/resource-kubernetes-v$K8S_PLUGIN_VERSION/pulumi-resource-kubernetes ]] &&
		cmp -s "$bin/pulumi-resource-kubernetes" "$PULUMI_HOME/plugins/resource-kubernetes-v$K8S_PLUGIN_VERSION/pulumi-resource-kubernetes"; then
		return
	fi
	log "installing the kubernetes plugin v$K8S_PLUGIN_VERSION into $PULUMI_HOME"
	"$bin/pulumi" plugin install resource kubernetes "v$K8S_PLUGIN_VERSION" -f "$bin/pulumi-resource-kubernetes" --reinstall
}

build_pulumi
build_k8s_provider
install_plugin
# The published gcp and random plugins, where a user has them (never built).
"$(dirname "$0")/published-plugins.sh"
log "ready: $bin/pulumi ($("$bin/pulumi" version)), kubernetes plugin v$K8S_PLUGIN_VERSION in $cache/home"
