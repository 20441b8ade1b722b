#!/usr/bin/env bash
# make cluster-down: stops every process make cluster-up started and removes
# the cluster's state (etcd data); the PKI is kept for the next cluster-up.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/cluster/ports.sh
source "$(dirname "$0")/ports.sh"
for name in kwok scheduler controller-manager apiserver etcd; do
	pidfile=$state/$name.pid
	[[ -f $pidfile ]] || continue
	pid=$(cat "$pidfile")
	if kill -0 "$pid" 2>/dev/null; then
		echo "[cluster] stopping $name (pid $pid)"
		kill "$pid"
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
done
rm -rf "$state/etcd"
for port in $ETCD_PORT $ETCD_PEER_PORT $API_PORT $CONTROLLER_MANAGER_PORT $SCHEDULER_PORT; do
	if ss -ltn "sport = :$port" | grep -q LISTEN; then
		echo "[cluster] something still listens on $port" >&2
		exit 1
	fi
done
echo "[cluster] stopped${CLUSTER_NAME:+ ($CLUSTER_NAME)}"
