#!/usr/bin/env bash
# The Django stack the image ships, for the local pod, the tests and the
# benchmark: Debian 13's own packages of Django, psycopg 3, redis-py and
# gunicorn at the minor versions app/requirements.txt pins (checked by
# scripts/python/check_versions.py), unpacked — not installed — into
#   ${XDG_CACHE_HOME:-~/.cache}/django-gke/python/django-<minor>/
# (as root: /var/cache/django-gke/python/, readable by the pod's users the
# local pod runs as; PYTHON_ENV_CACHE moves it) and put on PYTHONPATH for this
# machine's python3 (bookworm's 3.11; every
# package here is pure Python, so the interpreter is all they share).
#
#   scripts/python/env.sh [5.2|4.2]   prints the PYTHONPATH (builds it once, then seconds)
#
# 5.2 is the shipped one (trixie-backports); 4.2 LTS (trixie) is the oldest
# Django a project may pin, for the runtime's tests. apt-get runs with a
# configuration of its own under the cache (the machine's sources are not
# touched), against Debian's mirror (DEBIAN_MIRROR, default deb.debian.org).
set -euo pipefail
minor=${1:-5.2}
case "$minor" in
5.2) django_spec=python3-django/trixie-backports ;;
4.2) django_spec=python3-django ;; # trixie (with its security updates)
*) echo "scripts/python/env.sh: Django $minor is not offered (5.2 or 4.2)" >&2 && exit 2 ;;
esac
if [[ "$(id -u)" -eq 0 ]]; then
	cache=${PYTHON_ENV_CACHE:-/var/cache/django-gke/python}
else
	cache=${PYTHON_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-gke/python}
fi
env_dir=$cache/django-$minor
site=$env_dir/root/usr/lib/python3/dist-packages
mirror=${DEBIAN_MIRROR:-http://deb.debian.org}
# Pure-Python packages (and the JavaScript Django's admin links to); bookworm's python3 is 3.11.2, older than the
# versions that make typing-extensions and async-timeout optional.
packages=(python3-django python3-asgiref python3-sqlparse python3-psycopg python3-redis python3-async-timeout
	python3-gunicorn python3-packaging python3-typing-extensions
	# Debian's Django links its admin's jQuery to this package's copy.
	libjs-jquery)
stamp="$minor ${packages[*]}"

if [[ -f $env_dir/.done && "$(cat "$env_dir/.done")" == "$stamp" ]]; then
	echo "$site"
	exit 0
fi
log() { echo "[python] $*" >&2; }
apt_dir=$cache/apt
mkdir -p "$apt_dir/etc/sources.list.d" "$apt_dir/etc/preferences.d" "$apt_dir/state/lists/partial" \
	"$apt_dir/cache/archives/partial"
touch "$apt_dir/state/status"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$apt_dir/etc/sources.list" <<SOURCES
deb [signed-by=$keyring] $mirror/debian trixie main
deb [signed-by=$keyring] $mirror/debian trixie-updates main
deb [signed-by=$keyring] $mirror/debian trixie-backports main
deb [signed-by=$keyring] $mirror/debian-security trixie-security main
SOURCES
cat >"$apt_dir/apt.conf" <<CONF
Dir::State "$apt_dir/state";
Dir::State::status "$apt_dir/state/status";
Dir::Cache "$apt_dir/cache";
Dir::Etc::SourceList "$apt_dir/etc/sources.list";
Dir::Etc::SourceParts "$apt_dir/etc/sources.list.d";
Dir::Etc::Preferences "$apt_dir/etc/preferences";
Dir::Etc::PreferencesParts "$apt_dir/etc/preferences.d";
APT::Architecture "amd64";
Acquire::Languages "none";
CONF
apt=(env APT_CONFIG="$apt_dir/apt.conf")
if [[ -z "$(find "$apt_dir/state/lists" -name '*trixie-backports*Packages*' -mmin -1440 2>/dev/null)" ]]; then
	log "apt-get update (Debian 13 trixie, trixie-backports; own configuration in $apt_dir)"
	"${apt[@]}" apt-get update -q >&2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
specs=()
for p in "${packages[@]}"; do
	if [[ $p == python3-django ]]; then specs+=("$django_spec"); else specs+=("$p"); fi
done
log "downloading ${specs[*]}"
(cd "$work" && "${apt[@]}" apt-get download -q "${specs[@]}" >&2)
rm -rf "$env_dir"
mkdir -p "$env_dir/root"
for deb in "$work"/*.deb; do
	dpkg-deb -x "$deb" "$env_dir/root"
	echo "$(dpkg-deb -f "$deb" Package)=$(dpkg-deb -f "$deb" Version)" >>"$env_dir/packages.txt"
done
dangling=$(find "$env_dir/root" -xtype l)
[[ -z $dangling ]] || { log "links to files no package here provides:" && echo "$dangling" >&2 && exit 1; }
version=$(PYTHONPATH=$site /usr/bin/python3 -c 'import django; print(django.get_version())')
[[ $version == "$minor".* ]] || { log "got Django $version ($django_spec), not $minor.x" && exit 1; }
echo "$stamp" >"$env_dir/.done"
log "Django $version and friends in $env_dir ($(paste -sd, "$env_dir/packages.txt"))"
echo "$site"
