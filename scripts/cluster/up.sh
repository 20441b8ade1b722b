#!/usr/bin/env bash
# make cluster-up: a Kubernetes control plane on 127.0.0.1 — etcd, kube-apiserver
# (RBAC, Pod Security admission), kube-controller-manager, kube-scheduler — and
# kwok with three fake nodes in three zones; GKE's CRDs (BackendConfig,
# FrontendConfig, ManagedCertificate) installed with their schemas; a
# kubeconfig in build/cluster/kubeconfig. Idempotent; seconds once built.
# CLUSTER_NAME=b CLUSTER_PORT_OFFSET=100 starts a second one beside it
# (build/cluster-b, every port +100): env local's second region.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/scripts/cluster
# shellcheck source=scripts/cluster/ports.sh
source "$here/ports.sh"
cache=${CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-gke/cluster}
bin=$cache/bin
pki=$state/pki
# Node health. The node lifecycle controller marks a node NotReady when neither
# its Lease nor its status has been renewed within the grace period, and then
# sets every pod on it NotReady, which kwok never undoes: rollouts stall. Like
# a kubelet, kwok renews each node's Lease (every quarter of its duration, 10 s);
# without the flag it keeps no Leases and posts status only about once a minute.
# The grace period is three lease durations, not the default 40 s, so a renewal
# delayed on a busy 2-core machine does not take every pod down.
# CLUSTER_NODE_MONITOR_GRACE overrides it for a test that stops the API server
# for minutes: the controller must not judge the nodes by a gap it could not see.
NODE_LEASE_SECONDS=40
NODE_MONITOR_GRACE=${CLUSTER_NODE_MONITOR_GRACE:-2m}
log() { echo "[cluster] $*"; }

"$here/deps.sh"
"$here/build.sh"
mkdir -p "$state" "$pki"

if [[ -f $state/apiserver.pid ]] && kill -0 "$(cat "$state/apiserver.pid")" 2>/dev/null; then
	log "already running (make cluster-down to stop)"
	exit 0
fi

cert() { # name subject [sans]
	local name=$1 subject=$2 sans=${3:-}
	[[ -f $pki/$name.crt ]] && return
	openssl genrsa -out "$pki/$name.key" 2048 2>/dev/null
	openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
	local ext=$pki/$name.ext
	echo "extendedKeyUsage=serverAuth,clientAuth" >"$ext"
	[[ -n $sans ]] && echo "subjectAltName=$sans" >>"$ext"
	openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
		-days 365 -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
}
if [[ ! -f $pki/ca.crt ]]; then
	log "creating the PKI in $pki"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 365 \
		-subj "/CN=django-gke-local-ca" 2>/dev/null
	openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
	openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
fi
cert apiserver "/CN=kube-apiserver" \
	"IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin "/O=system:masters/CN=admin"
cert controller-manager "/CN=system:kube-controller-manager"
cert scheduler "/CN=system:kube-scheduler"
cert kwok "/O=system:masters/CN=kwok"

kubeconfig() { # user file
	cat >"$2" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $pki/ca.crt
users:
- name: $1
  user:
    client-certificate: $pki/$1.crt
    client-key: $pki/$1.key
contexts:
- name: local
  context: {cluster: local, user: $1}
current-context: local
KC
}
kubeconfig admin "$state/kubeconfig"
kubeconfig controller-manager "$state/controller-manager.kubeconfig"
kubeconfig scheduler "$state/scheduler.kubeconfig"
kubeconfig kwok "$state/kwok.kubeconfig"

start() { # name, command…
	local name=$1
	shift
	"$@" >"$state/$name.log" 2>&1 &
	echo $! >"$state/$name.pid"
}
api() { # method path [json]
	curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" -X "$1" \
		-H 'Content-Type: application/json' "https://127.0.0.1:$API_PORT$2" ${3:+--data-binary "$3"}
}
wait_for() { # what, command…
	local what=$1
	shift
	for _ in $(seq 1 120); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "[cluster] $what did not come up; logs in $state" >&2
	return 1
}

log "starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler"
rm -rf "$state/etcd"
start etcd etcd --name local --data-dir "$state/etcd" \
	--listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
	--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
	--initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT"
wait_for etcd curl -fsS "http://127.0.0.1:$ETCD_PORT/health"
start apiserver "$bin/kube-apiserver" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port=$API_PORT \
	--etcd-servers="http://127.0.0.1:$ETCD_PORT" --service-cluster-ip-range=10.96.0.0/16 \
	--tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" \
	--service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
	--service-account-issuer=https://kubernetes.default.svc.cluster.local \
	--authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction,PodSecurity \
	--allow-privileged=false --endpoint-reconciler-type=none
wait_for kube-apiserver api GET /readyz
start controller-manager "$bin/kube-controller-manager" --kubeconfig="$state/controller-manager.kubeconfig" \
	--authentication-kubeconfig="$state/controller-manager.kubeconfig" --authorization-kubeconfig="$state/controller-manager.kubeconfig" \
	--bind-address=127.0.0.1 --secure-port=$CONTROLLER_MANAGER_PORT --leader-elect=false \
	--service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" --use-service-account-credentials=true \
	--cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
	--horizontal-pod-autoscaler-sync-period=5s \
	--node-monitor-grace-period="$NODE_MONITOR_GRACE"
start scheduler "$bin/kube-scheduler" --kubeconfig="$state/scheduler.kubeconfig" \
	--authentication-kubeconfig="$state/scheduler.kubeconfig" --authorization-kubeconfig="$state/scheduler.kubeconfig" \
	--bind-address=127.0.0.1 --secure-port=$SCHEDULER_PORT --leader-elect=false

# The nodes offer what a GKE node with a 100 GB boot disk does for local
# ephemeral storage (the pods request it; infra/capacity/resources.go).
log "three fake nodes in three zones, and kwok to run their pods"
for zone in a b c; do
	node="kwok-node-$zone"
	api GET "/api/v1/nodes/$node" >/dev/null 2>&1 || api POST /api/v1/nodes "{
	  \"apiVersion\": \"v1\", \"kind\": \"Node\",
	  \"metadata\": {\"name\": \"$node\", \"annotations\": {\"kwok.x-k8s.io/node\": \"fake\"},
	    \"labels\": {\"kubernetes.io/hostname\": \"$node\", \"kubernetes.io/os\": \"linux\", \"kubernetes.io/arch\": \"amd64\",
	      \"type\": \"kwok\", \"topology.kubernetes.io/zone\": \"local-$zone\", \"topology.kubernetes.io/region\": \"local\"}},
	  \"status\": {\"capacity\": {\"cpu\": \"8\", \"memory\": \"32Gi\", \"ephemeral-storage\": \"100Gi\", \"pods\": \"110\"},
	    \"allocatable\": {\"cpu\": \"8\", \"memory\": \"32Gi\", \"ephemeral-storage\": \"44880Mi\", \"pods\": \"110\"}}}" >/dev/null
done
start kwok "$bin/kwok" --kubeconfig="$state/kwok.kubeconfig" --manage-all-nodes=false \
	--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake --cidr=10.244.0.0/16 --node-ip=10.0.0.1 \
	--node-lease-duration-seconds="$NODE_LEASE_SECONDS"

log "installing GKE's CRDs"
(cd "$root" && go run ./cmd/gkecrds) >"$state/gke-crds.json"
count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$state/gke-crds.json")
for i in $(seq 0 $((count - 1))); do
	crd=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[int(sys.argv[2])]))' "$state/gke-crds.json" "$i")
	name=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["metadata"]["name"])' "$crd")
	api GET "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$name" >/dev/null 2>&1 ||
		api POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions "$crd" >/dev/null
done
# Every fake node has a Lease that kwok has renewed.
leases_renewed() {
	api GET /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases | python3 -c '
import json, sys
names = sorted(l["metadata"]["name"] for l in json.load(sys.stdin)["items"] if l["spec"].get("renewTime"))
sys.exit(0 if names == ["kwok-node-a", "kwok-node-b", "kwok-node-c"] else 1)'
}
wait_for "the node Leases" leases_renewed
wait_for "the nodes" sh -c "curl -fsS --cacert '$pki/ca.crt' --cert '$pki/admin.crt' --key '$pki/admin.key' https://127.0.0.1:$API_PORT/api/v1/nodes | grep -c '\"type\": \"Ready\"' | grep -qx 3"
wait_for "the default service account" api GET /api/v1/namespaces/default/serviceaccounts/default
log "ready: KUBECONFIG=$state/kubeconfig (API https://127.0.0.1:$API_PORT)"
