#!/usr/bin/env bash
# make test-e2e-soak: the end-to-end test (make test-e2e) E2E_RUNS times in a
# row (default 5) while another build keeps every core busy: one loop per core
# rebuilding Go's standard library from scratch. Prints each run's time and the
# load average; stops at the first failure and shows the end of its log.
# Logs: build/e2e-soak/run-<n>.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${E2E_RUNS:-5}
out=$root/build/e2e-soak
mkdir -p "$out"
log() { echo "[soak] $*"; }

"$root/scripts/engine/build.sh"
"$root/scripts/cluster/build.sh"

loadcache=$(mktemp -d)
load_pids=()
stop_load() {
	for pid in "${load_pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
	rm -rf "$loadcache"
}
trap stop_load EXIT
cores=$(nproc)
for i in $(seq 1 "$cores"); do
	# Its own process group, so the whole loop (and its compilers) stops at exit.
	# shellcheck disable=SC2016 # $1 is the inner shell's argument
	setsid bash -c 'while :; do GOCACHE="$1" go build -a std >/dev/null 2>&1 || true; done' load "$loadcache/$i" &
	load_pids+=($!)
done
log "background load: $cores build loops ($(uptime | sed 's/.*load average/load average/'))"

passed=0
for n in $(seq 1 "$runs"); do
	started=$SECONDS
	if (cd "$root" && go test -count=1 -timeout 30m -tags e2e -run TestLocalEngineEndToEnd -v ./tests/e2e/) >"$out/run-$n.log" 2>&1; then
		passed=$((passed + 1))
		log "run $n/$runs: PASS in $((SECONDS - started)) s ($(uptime | sed 's/.*load average/load average/'))"
		grep -E 'cluster-up:|pulumi (up|preview|destroy)|healthy for' "$out/run-$n.log" | sed 's/^ */    /'
	else
		log "run $n/$runs: FAIL after $((SECONDS - started)) s; the end of $out/run-$n.log:"
		tail -n 60 "$out/run-$n.log"
		exit 1
	fi
done
log "$passed of $runs runs passed under load"
