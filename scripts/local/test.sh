#!/usr/bin/env bash
# The app's test entry point (called by `make test`): installs missing Debian
# packages, starts a separate local pod for the tests (build/test, ports 25439 /
# 8001 / 8081 / redis 63739, so a developer's `make local-up` on 54329 / 8000 /
# 8080 / 63729 is left alone), runs the Django unit tests and the end-to-end tests
# against it, and always stops it again. Exits non-zero on any failure. Bounded:
# 20 minutes. The test pod always has its cache server (the cache tests need it);
# the read-replica test starts a streaming replica of its Postgres on 25440
# (scripts/local/replica.sh) and stops it again (down.sh stops it too).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

export LOCAL_STATE_DIR="${TEST_STATE_DIR:-$REPO/build/test}"
# Postgres ports below the kernel's ephemeral range (32768-60999): a client
# connection's local port once took 54340 just before the replica bound it.
export LOCAL_PG_PORT="${TEST_PG_PORT:-25439}"
export LOCAL_APP_PORT="${TEST_APP_PORT:-8001}"
export LOCAL_HTTP_PORT="${TEST_HTTP_PORT:-8081}"
export LOCAL_REDIS_PORT="${TEST_REDIS_PORT:-63739}"
export LOCAL_REPLICA_PORT="${TEST_REPLICA_PORT:-25440}"
export LOCAL_CACHE=1

bash "$HERE/deps.sh"

cleanup() {
	local rc=$?
	trap - EXIT
	echo "[test] stopping the test pod"
	bash "$HERE/down.sh" || rc=1
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A clean slate every run (a previous run that was killed may have left processes).
bash "$HERE/down.sh"
rm -rf "${LOCAL_STATE_DIR:?}"

started=$SECONDS
bash "$HERE/up.sh"
# The Django stack up.sh ran the pod with (scripts/local/lib.sh).
PYTHONPATH="$("$REPO/scripts/python/env.sh" "${LOCAL_DJANGO:-5.2}")"
export PYTHONPATH
# The Django unit tests run once more on Django 4.2 LTS (the oldest a project may pin).
DJANGO42_PYTHONPATH="$("$REPO/scripts/python/env.sh" 4.2)"
export DJANGO42_PYTHONPATH
if [[ "${LOCAL_DJANGO:-5.2}" == 5.2 ]]; then
	/usr/bin/python3 "$REPO/scripts/python/check_versions.py"
fi
timeout 1200 /usr/bin/python3 "$HERE/run_tests.py"
echo "[test] app tests finished in $((SECONDS - started)) s"
