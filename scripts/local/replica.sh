#!/usr/bin/env bash
# A real streaming replica of the local pod's Postgres, like a region's cross-region
# read replica (the read-replica tests start and stop it; nothing assumes it runs):
#   scripts/local/replica.sh start|stop|status|destroy
# start: the first time (or when its data dir belongs to another primary), a
#   replication role on the primary (password generated once, in
#   LOCAL_STATE_DIR/replication-password) and `pg_basebackup -R` (WAL streamed,
#   standby.signal and primary_conninfo written) into its own data dir
#   (LOCAL_STATE_DIR/pgreplica); then Postgres in hot standby on
#   127.0.0.1:LOCAL_REPLICA_PORT (default the primary's port + 1; the tests: 25440).
#   Returns once it answers queries and streams from the primary.
# stop: fast shutdown. destroy: stop and delete its data dir.
# The primary must be running (scripts/local/up.sh).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_BIN="$(pg_bin)"
STREAMING_WITHIN_S=60

replica_running() {
	[[ -s "$REPLICA_DIR/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1
}

primary_running() {
	[[ -s "$PGDATA_DIR/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

# psql_at SOCKET_DIR PORT ARGS...: psql as the superuser over the server's own socket.
psql_at() {
	local dir="$1" port="$2"
	shift 2
	as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"
}

system_id() {
	as_pg "$PG_BIN/pg_controldata" "$1" 2>/dev/null | awk -F': *' '/^Database system identifier/ { print $2 }'
}

# The replica's data dir is a standby of the running primary (not of an older initdb).
replica_usable() {
	[[ -s "$REPLICA_DIR/PG_VERSION" && -e "$REPLICA_DIR/standby.signal" ]] || return 1
	[[ "$(system_id "$REPLICA_DIR")" == "$(system_id "$PGDATA_DIR")" ]]
}

create() {
	local password
	if [[ ! -s "$REPLICATION_PASSWORD_FILE" ]]; then
		(umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$REPLICATION_PASSWORD_FILE")
	fi
	password="$(cat "$REPLICATION_PASSWORD_FILE")"
	# The password is url-safe base64: no quoting issues inside SQL literals.
	if [[ "$(psql_at "$PG_SOCKET_DIR" "$PG_PORT" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$REPLICATION_USER'")" == "1" ]]; then
		psql_at "$PG_SOCKET_DIR" "$PG_PORT" -c "ALTER ROLE $REPLICATION_USER WITH REPLICATION LOGIN PASSWORD '$password'"
	else
		psql_at "$PG_SOCKET_DIR" "$PG_PORT" -c "CREATE ROLE $REPLICATION_USER WITH REPLICATION LOGIN PASSWORD '$password'"
	fi
	log "pg_basebackup from 127.0.0.1:$PG_PORT into $REPLICA_DIR"
	rm -rf "$REPLICA_DIR"
	mkdir -p "$REPLICA_DIR"
	chmod 700 "$REPLICA_DIR"
	if is_root; then chown postgres:postgres "$REPLICA_DIR"; fi
	# Over TCP with the role's password (the primary's pg_hba.conf from initdb allows
	# replication from 127.0.0.1 with scram-sha-256); -R writes primary_conninfo
	# (with the password: the data dir is the postgres user's alone) and standby.signal.
	if ! PGPASSWORD="$password" as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U "$REPLICATION_USER" \
		-D "$REPLICA_DIR" -R -X stream -c fast --no-sync >"$STATE_DIR/pg_basebackup.log" 2>&1; then
		cat "$STATE_DIR/pg_basebackup.log" >&2
		rm -rf "$REPLICA_DIR"
		die "pg_basebackup failed"
	fi
}

start() {
	local i state
	if replica_running; then
		log "replica already running on 127.0.0.1:$REPLICA_PORT"
		return 0
	fi
	primary_running || die "the primary Postgres ($PGDATA_DIR) is not running: scripts/local/up.sh first"
	port_open "$REPLICA_PORT" && die "port $REPLICA_PORT is taken by another process (set LOCAL_REPLICA_PORT)"
	replica_usable || create
	mkdir -p "$REPLICA_SOCKET_DIR"
	chmod 700 "$REPLICA_SOCKET_DIR"
	touch "$REPLICA_LOG"
	# pg_basebackup copied the primary's local.conf: the replica's own address replaces it.
	cat >"$REPLICA_DIR/local.conf" <<EOF
# written by scripts/local/replica.sh on every start: the streaming replica's own
# address; the rest of its configuration is the primary's (copied by pg_basebackup)
listen_addresses = '127.0.0.1'
port = $REPLICA_PORT
unix_socket_directories = '$REPLICA_SOCKET_DIR'
hot_standby = on
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
	if is_root; then
		chown postgres:postgres "$REPLICA_SOCKET_DIR" "$REPLICA_LOG" "$REPLICA_DIR/local.conf"
	fi
	rm -f "$REPLICA_DIR/postmaster.pid"
	log "starting the streaming replica on 127.0.0.1:$REPLICA_PORT (hot standby of 127.0.0.1:$PG_PORT; log: $REPLICA_LOG)"
	as_pg "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_LOG" -w -t 60 start >/dev/null || {
		tail -n 20 "$REPLICA_LOG" >&2
		die "the replica did not start (log: $REPLICA_LOG)"
	}
	state=""
	for ((i = 0; i < STREAMING_WITHIN_S * 5; i++)); do
		state="$(psql_at "$REPLICA_SOCKET_DIR" "$REPLICA_PORT" -tAc \
			"SELECT pg_is_in_recovery()::text || ' ' || coalesce((SELECT status FROM pg_stat_wal_receiver), 'no-receiver')" \
			2>/dev/null || true)"
		[[ "$state" == "true streaming" ]] && return 0
		sleep 0.2
	done
	tail -n 20 "$REPLICA_LOG" >&2
	die "the replica does not stream from the primary within ${STREAMING_WITHIN_S}s (last: '$state'; replica.sh destroy starts over)"
}

stop() {
	if replica_running; then
		log "stopping the streaming replica"
		as_pg "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w -t 60 stop >/dev/null
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) replica_running ;;
destroy)
	stop
	rm -rf "$REPLICA_DIR"
	;;
*) die "usage: $0 start|stop|status|destroy" ;;
esac
