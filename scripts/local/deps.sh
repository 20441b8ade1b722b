#!/usr/bin/env bash
# Install the Debian packages the local pod and its tests need:
#   postgresql nginx gunicorn python3-django (>= 4.2, from bookworm-backports; the local pod
#   runs Debian 13's Django stack on top, scripts/python/env.sh)
#   python3-psycopg2 curl wrk redis-server python3-redis openssl
# (redis-server: Debian's is built with TLS; python3-redis is redis-py 4.3, the image
# pins 5.x in app/requirements.txt: the app works with both.)
# (python3-psycopg2, not python3-psycopg: bookworm's psycopg 3 is 3.1.7 and
# Django 4.2 requires >= 3.1.8; the image uses psycopg 3 from requirements.txt.)
# Idempotent: when everything is present it only runs dpkg-query and exits 0.
# As root: adds bookworm-backports to /etc/apt/sources.list.d/debian.sources
# (only if missing), runs `apt-get update` once and `apt-get install -y`.
# Not root: prints what to install and exits 1.
set -euo pipefail

SOURCES=/etc/apt/sources.list.d/debian.sources
PLAIN_PKGS=(postgresql nginx gunicorn python3-psycopg2 curl wrk redis-server python3-redis openssl)
DJANGO_MIN="3:4.2"   # Debian epoch 3; bookworm itself ships 3.2

installed_version() {
	dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$1" 2>/dev/null |
		awk '$1 == "installed" { print $2 }' || true
}

missing=()
for p in "${PLAIN_PKGS[@]}"; do
	if [[ -z "$(installed_version "$p")" ]]; then
		missing+=("$p")
	fi
done

need_django=0
dj="$(installed_version python3-django)"
if [[ -z "$dj" ]] || ! dpkg --compare-versions "$dj" ge "$DJANGO_MIN"; then
	need_django=1
fi

if [[ ${#missing[@]} -eq 0 && $need_django -eq 0 ]]; then
	echo "deps: all packages present (python3-django $dj)"
	exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
	echo "deps: missing packages; run as root (or install them yourself):" >&2
	if [[ $need_django -eq 1 ]]; then
		echo "  add 'bookworm-backports' to the Suites: line of $SOURCES, then" >&2
	fi
	echo "  apt-get update" >&2
	if [[ ${#missing[@]} -gt 0 ]]; then
		echo "  apt-get install -y ${missing[*]}" >&2
	fi
	if [[ $need_django -eq 1 ]]; then
		echo "  apt-get install -y -t bookworm-backports python3-django" >&2
	fi
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

if [[ $need_django -eq 1 ]]; then
	if [[ -f "$SOURCES" ]]; then
		if ! grep -qE '^Suites:.*\bbookworm-backports\b' "$SOURCES"; then
			echo "deps: adding bookworm-backports to $SOURCES"
			# Only the stanza that lists plain 'bookworm' gets backports.
			sed -i -E '/^Suites:.*(^|[[:space:]])bookworm([[:space:]]|$)/ s/$/ bookworm-backports/' "$SOURCES"
		fi
	elif ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		echo "deps: adding /etc/apt/sources.list.d/backports.list"
		echo 'deb http://deb.debian.org/debian bookworm-backports main' >/etc/apt/sources.list.d/backports.list
	fi
fi

echo "deps: apt-get update"
apt-get update -q
if [[ ${#missing[@]} -gt 0 ]]; then
	echo "deps: installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [[ $need_django -eq 1 ]]; then
	echo "deps: installing python3-django from bookworm-backports"
	apt-get install -y -q --no-install-recommends -t bookworm-backports python3-django
fi

# Debian starts services on install; the local pod runs its own instances on
# other ports, so stop the system ones we just pulled in (harmless if absent).
for svc in nginx redis-server; do
	if [[ " ${missing[*]} " == *" $svc "* ]] && command -v service >/dev/null 2>&1; then
		service "$svc" stop >/dev/null 2>&1 || true
	fi
done
echo "deps: done (python3-django $(installed_version python3-django))"
