#!/usr/bin/env bash
# Install what `make bench` needs on top of the local pod's packages:
#   scripts/local/deps.sh (postgresql nginx gunicorn python3-django python3-psycopg2 curl wrk
#                          redis-server python3-redis openssl: the cache server of the cached rows)
#   uwsgi uwsgi-plugin-python3   (Debian's uWSGI with the python3 plugin)
#   util-linux                   (taskset; present on every Debian, checked anyway)
# Same rules as scripts/local/deps.sh: idempotent (only dpkg-query when everything is
# present); as root `apt-get update` once and `apt-get install -y`; not root: prints
# what to install and exits 1.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bash "$HERE/../local/deps.sh"

PKGS=(uwsgi uwsgi-plugin-python3 util-linux)

installed() {
	dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null | grep -qx installed
}

missing=()
for p in "${PKGS[@]}"; do
	installed "$p" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "bench deps: all packages present (uwsgi $(dpkg-query -W -f='${Version}' uwsgi))"
	exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
	echo "bench deps: missing packages; run as root (or install them yourself):" >&2
	echo "  apt-get update" >&2
	echo "  apt-get install -y ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "bench deps: apt-get update"
apt-get update -q
echo "bench deps: installing ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}"

# Debian's uwsgi package ships an init script for /etc/uwsgi/apps-enabled (empty by
# default); stop it anyway so nothing but the benchmark's own server runs.
if [[ " ${missing[*]} " == *" uwsgi "* ]] && command -v service >/dev/null 2>&1; then
	service uwsgi stop >/dev/null 2>&1 || true
fi
echo "bench deps: done (uwsgi $(dpkg-query -W -f='${Version}' uwsgi))"
