#!/usr/bin/env bash
# Stop the local pod started by up.sh: nginx (graceful quit), gunicorn (graceful
# TERM), redis-server (TERM), the streaming replica if replica.sh started one and
# Postgres (fast shutdown), each found through its pid file, then check that nothing
# listens on the pod's ports any more. Safe to run twice.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# nginx: QUIT is the graceful stop (`nginx -s quit`); TERM would drop requests.
stop_pid nginx "$NGINX_PID" nginx QUIT 30
# gunicorn: TERM is graceful (graceful_timeout 25 s).
stop_pid gunicorn "$GUNICORN_PID" gunicorn TERM 35
redis_stop TERM

if [[ -s "$REPLICA_DIR/postmaster.pid" ]]; then
	bash "$(dirname "${BASH_SOURCE[0]}")/replica.sh" stop
fi
if [[ -s "$PGDATA_DIR/postmaster.pid" ]]; then
	PG_BIN="$(pg_bin)"
	if as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
		log "stopping postgres"
		as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
	fi
fi

ports=("$HTTP_PORT" "$APP_PORT" "$PG_PORT")
if [[ -d "$REDIS_DIR" ]]; then ports+=("$REDIS_PORT"); fi
if [[ -d "$REPLICA_DIR" ]]; then ports+=("$REPLICA_PORT"); fi
busy=()
for port in "${ports[@]}"; do
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		port_open "$port" || continue 2
		sleep 0.3
	done
	busy+=("$port")
done
if [[ ${#busy[@]} -gt 0 ]]; then
	die "still listening on 127.0.0.1 port(s) ${busy[*]} (not started by this pod, or failed to stop)"
fi
log "stopped; nothing listens on ports ${ports[*]}"
