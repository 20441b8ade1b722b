# The local control plane's state directory and ports (sourced by up.sh and
# down.sh; needs $root). CLUSTER_NAME names another cluster beside the
# default one (build/cluster-<name>), CLUSTER_PORT_OFFSET moves its ports.
# shellcheck shell=bash disable=SC2034,SC2154
CLUSTER_NAME=${CLUSTER_NAME:-}
CLUSTER_PORT_OFFSET=${CLUSTER_PORT_OFFSET:-0}
if [[ -n $CLUSTER_NAME ]]; then
	if [[ ! $CLUSTER_NAME =~ ^[a-z0-9]+$ ]]; then
		echo "CLUSTER_NAME=$CLUSTER_NAME: use lower-case letters and digits" >&2
		exit 2
	fi
	if [[ ! $CLUSTER_PORT_OFFSET =~ ^[1-9][0-9]{0,3}$ ]]; then
		echo "CLUSTER_NAME=$CLUSTER_NAME needs CLUSTER_PORT_OFFSET (1 to 9999; the default cluster has 0): got '$CLUSTER_PORT_OFFSET'" >&2
		exit 2
	fi
	state=$root/build/cluster-$CLUSTER_NAME
else
	state=$root/build/cluster
fi
ETCD_PORT=$((12379 + CLUSTER_PORT_OFFSET))
ETCD_PEER_PORT=$((12380 + CLUSTER_PORT_OFFSET))
API_PORT=$((16443 + CLUSTER_PORT_OFFSET))
CONTROLLER_MANAGER_PORT=$((20257 + CLUSTER_PORT_OFFSET))
SCHEDULER_PORT=$((20259 + CLUSTER_PORT_OFFSET))
