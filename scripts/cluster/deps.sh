#!/usr/bin/env bash
# Debian packages the local control plane needs: etcd (etcd-server), openssl, curl.
# Root: installs what is missing; otherwise prints what to install. Idempotent.
set -euo pipefail
missing=()
for p in etcd-server openssl curl; do
	if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
		missing+=("$p")
	fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ "$(id -u)" -ne 0 ]]; then
	echo "cluster deps: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "cluster deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" ||
	{ apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; }
# The package's own etcd service is not ours: keep it from holding the ports.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now etcd >/dev/null 2>&1 || true; fi
