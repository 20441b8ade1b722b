#!/usr/bin/env bash
# Debian packages `make lint` uses: shellcheck, pyflakes (python3-pyflakes), nginx
# (nginx -t), and the app's runtime for Django's checks (scripts/local/deps.sh).
# Root: installs what is missing; otherwise prints what to install. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/../local/deps.sh"
missing=()
for p in shellcheck python3-pyflakes; do
	if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
		missing+=("$p")
	fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
	echo "lint deps: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "lint deps: installing ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
	{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; }
