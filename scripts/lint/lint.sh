#!/usr/bin/env bash
# make lint: every static check of the repository, each reporting what it found.
#   scripts/lint/lint.sh [--root DIR] [--only check[,check…]]
# checks: gofmt vet staticcheck pyflakes django dockerfile nginx shellcheck actionlint
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
only=""
while [[ $# -gt 0 ]]; do
	case "$1" in
	--root) root=$(cd "$2" && pwd); shift 2 ;;
	--only) only=",$2,"; shift 2 ;;
	*) echo "lint: unknown argument $1" >&2; exit 2 ;;
	esac
done
cd "$root" || exit 2

STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.8.2
ACTIONLINT=github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
PY=/usr/bin/python3
failed=()

run() { # name, command…
	local name=$1
	shift
	if [[ -n "$only" && "$only" != *",$name,"* ]]; then
		return
	fi
	local start=$SECONDS
	if "$@"; then
		echo "lint: $name ok ($((SECONDS - start))s)"
	else
		echo "lint: $name FAILED" >&2
		failed+=("$name")
	fi
}

go_files() { find . -name '*.go' -not -path './build/*' -not -path './.git/*'; }

check_gofmt() {
	local out
	out=$(go_files | xargs gofmt -l)
	[[ -z "$out" ]] || { echo "gofmt would change:"; echo "$out"; return 1; }
}

check_pyflakes() { $PY -m pyflakes app scripts; }

check_django() {
	# Production-like settings: check --deploy must be clean, and the models must match the
	# migrations, on the Django the image ships (scripts/python/env.sh).
	local site
	site=$(scripts/python/env.sh 5.2) || return 1
	(cd app && env -i PATH="$PATH" HOME="${HOME:-/tmp}" PYTHONPATH="$site" \
		DJANGO_SECRET_KEY="lint-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
		DJANGO_ALLOWED_HOSTS=django-gke.example.com \
		DATABASE_URL=postgres://lint:lint@127.0.0.1:9/lint \
		$PY manage.py check --deploy --fail-level WARNING &&
		env -i PATH="$PATH" HOME="${HOME:-/tmp}" PYTHONPATH="$site" DJANGO_SECRET_KEY=lint-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH \
			DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=postgres://lint:lint@127.0.0.1:9/lint \
			$PY -W ignore::RuntimeWarning manage.py makemigrations --check --dry-run --no-input)
}

check_dockerfile() { $PY scripts/lint/dockerfile.py app/Dockerfile; }

# nginx -t on exactly what the pod gets: the plan's rendered nginx.conf (a Go test renders and checks it).
check_nginx() { go test -count=1 -run 'TestRenderedNginxConfPassesNginxT' ./tests/; }

check_shellcheck() {
	local files
	mapfile -t files < <(find scripts .ci -type f \( -name '*.sh' -o -path '.ci/run' \) | sort)
	shellcheck -x "${files[@]}"
}

check_actionlint() {
	[[ -d .github/workflows ]] || { echo "no .github/workflows"; return 1; }
	go run "$ACTIONLINT" -shellcheck= .github/workflows/*.yml
}

run gofmt check_gofmt
run vet go vet ./...
run staticcheck go run "$STATICCHECK" ./...
run pyflakes check_pyflakes
run django check_django
run dockerfile check_dockerfile
run nginx check_nginx
run shellcheck check_shellcheck
run actionlint check_actionlint

if [[ ${#failed[@]} -gt 0 ]]; then
	echo "lint: failed: ${failed[*]}" >&2
	exit 1
fi
echo "lint: all checks passed"
