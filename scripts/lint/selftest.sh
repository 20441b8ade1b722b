#!/usr/bin/env bash
# Proves make lint can fail: on a copy of the repository, each check passes,
# then fails once a defect is seeded (a gofmt diff, an unused Python import,
# a root USER in the Dockerfile, a shell bug).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$tmp")
lint="$root/scripts/lint/lint.sh"

expect() { # pass|fail check description
	local want=$1 check=$2 what=$3
	if "$lint" --root "$tmp" --only "$check" >"$tmp/.out" 2>&1; then got=pass; else got=fail; fi
	if [[ $got != "$want" ]]; then
		echo "lint selftest: $check should $want on $what, but did $got:" >&2
		cat "$tmp/.out" >&2
		exit 1
	fi
	echo "lint selftest: $check → $want on $what"
}

for check in gofmt pyflakes dockerfile shellcheck; do
	expect pass "$check" "the clean copy"
done

printf 'package infra\n\nfunc  badlyFormatted( ) {\n}\n' >"$tmp/infra/zz_badly_formatted.go"
expect fail gofmt "a badly formatted Go file"

printf 'import os\n' >>"$tmp/app/polls/views.py"
expect fail pyflakes "an unused Python import"

printf 'USER root\n' >>"$tmp/app/Dockerfile"
expect fail dockerfile "a Dockerfile ending as root"

# shellcheck disable=SC2016 # the seeded bug is the literal, unquoted $1
printf '#!/usr/bin/env bash\nrm -rf $1/*\n' >"$tmp/scripts/zz_bad.sh"
expect fail shellcheck "an unquoted rm -rf"
