#!/usr/bin/env bash
# Start or stop only the local pod's cache server (the cache-outage tests use it):
#   scripts/local/redis.sh stop|kill|start|status
# stop = TERM (clean shutdown), kill = KILL (a crash: connections reset, data lost).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -s "$REDIS_CONF" ]] || die "no cache server configured at $REDIS_CONF (run scripts/local/up.sh with LOCAL_CACHE=1)"
case "${1:-}" in
stop) redis_stop TERM ;;
kill) redis_stop KILL ;;
start) redis_start ;;
status) redis_running ;;
*) die "usage: $0 stop|kill|start|status" ;;
esac
