#!/usr/bin/env bash
# Builds (once, cached outside the repository) a local Kubernetes control plane
# from Go sources: kube-apiserver, kube-controller-manager and kube-scheduler
# v1.32.13, and kwok (fake nodes and pods). etcd comes from Debian
# (etcd-server, installed by scripts/cluster/deps.sh). Seconds when cached.
#   CLUSTER_CACHE (default ~/.cache/django-gke/cluster)
set -euo pipefail
cache=${CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-gke/cluster}
bin=$cache/bin
src=$cache/src/kubernetes
mkdir -p "$bin" "$src"
export GOFLAGS=-mod=mod
KUBE_VERSION=v1.32.13
STAGING=v0.32.13
KWOK_VERSION=v0.6.1
log() { echo "[cluster] $*"; }

build_kube() {
	if [[ -x $bin/kube-apiserver && -x $bin/kube-controller-manager && -x $bin/kube-scheduler ]] &&
		[[ $(cat "$bin/.kube-version" 2>/dev/null) == "$KUBE_VERSION" ]]; then
		return
	fi
	log "building kube-apiserver, kube-controller-manager, kube-scheduler $KUBE_VERSION (~10-15 min the first time)"
	{
		echo "module django-gke-cluster/kubernetes"
		echo
		echo "go 1.26"
		echo
		echo "require k8s.io/kubernetes $KUBE_VERSION"
		echo
		# k8s.io/kubernetes refers to its staging modules as v0.0.0: pin them all.
		for m in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider \
			cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api \
			cri-client csi-translation-lib dynamic-resource-allocation externaljwt kms kube-aggregator \
			kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils \
			pod-security-admission; do
			echo "replace k8s.io/$m => k8s.io/$m $STAGING"
		done
		# Two zips the module proxy refuses at v0.32.13.
		echo "replace k8s.io/endpointslice => k8s.io/endpointslice v0.32.12"
		echo "replace k8s.io/sample-apiserver => k8s.io/sample-apiserver v0.32.3"
	} >"$src/go.mod"
	cat >"$src/tools.go" <<'TOOLS'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
)
TOOLS
	(cd "$src" && go mod tidy)
	local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=32"
	for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
		(cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
		mv "$bin/$cmd.tmp" "$bin/$cmd"
	done
	echo "$KUBE_VERSION" >"$bin/.kube-version"
}

build_kwok() {
	if [[ -x $bin/kwok ]] && [[ $(cat "$bin/.kwok-version" 2>/dev/null) == "$KWOK_VERSION" ]]; then
		return
	fi
	log "building kwok $KWOK_VERSION (~3.5 min the first time)"
	GOBIN=$bin GOFLAGS='' go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
	echo "$KWOK_VERSION" >"$bin/.kwok-version"
}

build_kube
build_kwok
log "ready: $bin"
