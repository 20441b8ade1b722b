#!/usr/bin/env bash
# Start or stop only the local pod's Postgres (the DB-outage test uses it):
#   scripts/local/pg.sh stop|start|status
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_BIN="$(pg_bin)"
[[ -s "$PGDATA_DIR/PG_VERSION" ]] || die "no Postgres data dir at $PGDATA_DIR (run scripts/local/up.sh)"
case "${1:-}" in
stop) as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null ;;
start) as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 start >/dev/null ;;
status) as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null ;;
*) die "usage: $0 stop|start|status" ;;
esac
