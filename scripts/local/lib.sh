#!/usr/bin/env bash
# Shared settings and helpers for scripts/local/{up,down,test}.sh. Source it.
#
# Everything can be moved with environment variables, so the tests run a second
# "local pod" next to a developer's `make local-up` without touching it:
#   LOCAL_STATE_DIR  (default <repo>/build/local)  data, logs, pid files, secrets
#   LOCAL_PG_PORT    (default 54329)               Postgres, 127.0.0.1 only
#   LOCAL_APP_PORT   (default 8000)                gunicorn, 127.0.0.1 only
#   LOCAL_HTTP_PORT  (default 8080)                nginx, 127.0.0.1 only
#   LOCAL_REDIS_PORT (default 63729)               redis-server (TLS only, AUTH), 127.0.0.1 only
#   LOCAL_CACHE      (default 1)                   0: no redis-server, the app runs without a cache
#   LOCAL_REPLICA_PORT (default LOCAL_PG_PORT + 1)  the streaming replica of Postgres, started
#                                                  only by scripts/local/replica.sh (the tests), 127.0.0.1 only
# shellcheck disable=SC2034  # variables are used by the scripts that source this

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP_DIR="$REPO_ROOT/app"
STATE_DIR="${LOCAL_STATE_DIR:-$REPO_ROOT/build/local}"
PG_PORT="${LOCAL_PG_PORT:-54329}"
APP_PORT="${LOCAL_APP_PORT:-8000}"
HTTP_PORT="${LOCAL_HTTP_PORT:-8080}"
REDIS_PORT="${LOCAL_REDIS_PORT:-63729}"
LOCAL_CACHE="${LOCAL_CACHE:-1}"
case "$LOCAL_CACHE" in
0 | 1) ;;
*) printf '[local] ERROR: LOCAL_CACHE=%s: use 1 (redis-server) or 0 (no cache)\n' "$LOCAL_CACHE" >&2 && exit 1 ;;
esac

# Debian's interpreter (the PATH's python3 may be a pyenv build), with the
# Django stack the image ships on its path: Debian 13's Django, psycopg 3,
# redis-py and gunicorn at app/requirements.txt's minor versions
# (scripts/python/env.sh). LOCAL_DJANGO=4.2 runs the oldest Django a project may pin.
PY=/usr/bin/python3
LOCAL_DJANGO="${LOCAL_DJANGO:-5.2}"
PYTHONPATH="$("$REPO_ROOT/scripts/python/env.sh" "$LOCAL_DJANGO")" || {
	printf '[local] ERROR: no Django %s stack (scripts/python/env.sh %s failed)\n' "$LOCAL_DJANGO" "$LOCAL_DJANGO" >&2
	exit 1
}
export PYTHONPATH
NGINX=/usr/sbin/nginx

PGDATA_DIR="$STATE_DIR/pgdata"
PG_SOCKET_DIR="$STATE_DIR/pgrun"
PG_LOG="$STATE_DIR/postgres.log"
# A real streaming replica of that Postgres (hot standby, its own data dir and port),
# like a region's cross-region read replica: scripts/local/replica.sh.
REPLICA_PORT="${LOCAL_REPLICA_PORT:-$((PG_PORT + 1))}"
REPLICA_DIR="$STATE_DIR/pgreplica"
REPLICA_SOCKET_DIR="$STATE_DIR/pgreplica-run"
REPLICA_LOG="$STATE_DIR/postgres-replica.log"
REPLICATION_USER=replicator
REPLICATION_PASSWORD_FILE="$STATE_DIR/replication-password"
ENV_FILE="$STATE_DIR/env"
STATIC_DIR="$STATE_DIR/static"
NGINX_DIR="$STATE_DIR/nginx"
NGINX_CONF="$NGINX_DIR/nginx.conf"
NGINX_PID="$NGINX_DIR/nginx.pid"
NGINX_LOG="$STATE_DIR/nginx.log"
GUNICORN_DIR="$STATE_DIR/gunicorn"
GUNICORN_PID="$GUNICORN_DIR/gunicorn.pid"
GUNICORN_LOG="$STATE_DIR/gunicorn.log"
# The cache server, like Memorystore with AUTH and in-transit encryption: TLS only,
# a password, a CA of its own that clients verify (generated once, kept here).
REDIS_DIR="$STATE_DIR/redis"
REDIS_CONF="$REDIS_DIR/redis.conf"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$STATE_DIR/redis.log"
REDIS_TLS_DIR="$STATE_DIR/redis-tls"
REDIS_CA="$REDIS_TLS_DIR/ca.pem"
REDIS_PASSWORD_FILE="$STATE_DIR/redis-password"
REDIS_SERVER=/usr/bin/redis-server
REDIS_CLI=/usr/bin/redis-cli

# The users (and groups) the pod's nginx and gunicorn containers run as
# (components.NginxUID / components.AppUID; tests/hardening_test.go keeps them
# equal). Started as root, up.sh runs them as these users, so the local pod
# proves what the pod relies on: nothing needs root, and each writes only its
# own directory (NGINX_DIR, GUNICORN_DIR).
POD_NGINX_UID=10101
POD_APP_UID=10001
# The pod's static-files volume (capacity.StaticFilesMiB): up.sh fails when the
# collected static files outgrow it, before a pod would be evicted for it.
POD_STATIC_MIB=64

# LOG_TAG names the script family in log lines (default local; the benchmark sets bench).
log() { printf '[%s] %s\n' "${LOG_TAG:-local}" "$*"; }
die() {
	printf '[%s] ERROR: %s\n' "${LOG_TAG:-local}" "$*" >&2
	exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# AS_NGINX and AS_APP prefix a command to run it as the pod's nginx or app
# user and group (no other groups) when we are root; they are empty otherwise.
AS_NGINX=()
AS_APP=()
AS_REDIS=()
NGINX_RUNS_AS="$(id -u)"
APP_RUNS_AS="$(id -u)"
REDIS_RUNS_AS="$(id -un)"
if is_root; then
	NGINX_RUNS_AS="$POD_NGINX_UID"
	APP_RUNS_AS="$POD_APP_UID"
	AS_NGINX=(setpriv --reuid="$POD_NGINX_UID" --regid="$POD_NGINX_UID" --clear-groups --)
	AS_APP=(setpriv --reuid="$POD_APP_UID" --regid="$POD_APP_UID" --clear-groups --)
	# redis-server runs as the `redis` user of Debian's package (Memorystore is not ours to run).
	REDIS_RUNS_AS=redis
	AS_REDIS=(setpriv --reuid=redis --regid=redis --clear-groups --)
fi

# Newest installed Postgres server binaries (Debian: /usr/lib/postgresql/<major>/bin).
pg_bin() {
	local d
	d="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
	[[ -n "$d" && -x "$d/pg_ctl" ]] || die "Postgres server not found under /usr/lib/postgresql (run scripts/local/deps.sh)"
	printf '%s\n' "$d"
}

# Run a Postgres command as the `postgres` user when we are root (initdb and
# pg_ctl refuse to run as root), as ourselves otherwise. cd / avoids
# "could not change directory" noise when the caller's cwd is private.
as_pg() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# pid_alive FILE WORD: the pid in FILE is running and its command line contains WORD
# (so a stale pid file whose number was reused by another process is not "alive").
pid_alive() {
	local file="$1" word="$2" pid
	[[ -s "$file" ]] || return 1
	pid="$(head -n 1 "$file" | tr -dc '0-9')"
	[[ -n "$pid" ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$word"
}

read_pid() { head -n 1 "$1" | tr -dc '0-9'; }

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
	"$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(0.5)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
EOF
}

# http_code URL [curl args...]: the HTTP status, or 000 when nothing answered.
http_code() {
	local url="$1"
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" || true
}

# stop_pid NAME PIDFILE WORD SIGNAL TIMEOUT_S: send SIGNAL to the process in PIDFILE
# (if it is still a WORD), wait up to TIMEOUT_S for it to exit, then SIGKILL it.
stop_pid() {
	local name="$1" file="$2" word="$3" sig="$4" timeout="$5" pid i
	if ! pid_alive "$file" "$word"; then
		rm -f "$file"
		return 0
	fi
	pid="$(read_pid "$file")"
	log "stopping $name (pid $pid, SIG$sig)"
	kill "-$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < timeout * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name did not stop within ${timeout}s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.5
	fi
	rm -f "$file"
}

# redis_cli ARGS...: redis-cli against the local cache server over TLS with AUTH
# (the password through the environment, never on a command line).
redis_cli() {
	REDISCLI_AUTH="$(cat "$REDIS_PASSWORD_FILE")" "$REDIS_CLI" --tls --cacert "$REDIS_CA" \
		-h 127.0.0.1 -p "$REDIS_PORT" --no-auth-warning "$@"
}

redis_running() { pid_alive "$REDIS_PID" redis-server; }

# redis_start: start the configured redis-server (redis.conf written by up.sh) and
# wait until it answers PING over TLS; fails with the end of its log.
redis_start() {
	local i
	if redis_running; then
		return 0
	fi
	port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by another process (set LOCAL_REDIS_PORT)"
	rm -f "$REDIS_PID"
	(cd / && exec setsid "${AS_REDIS[@]}" "$REDIS_SERVER" "$REDIS_CONF") </dev/null >>"$REDIS_LOG" 2>&1 &
	for ((i = 0; i < 100; i++)); do
		if [[ "$(redis_cli PING 2>/dev/null)" == PONG ]]; then
			return 0
		fi
		sleep 0.1
	done
	tail -n 20 "$REDIS_LOG" >&2
	die "redis-server did not answer PING on 127.0.0.1:$REDIS_PORT within 10 s (log: $REDIS_LOG)"
}

# redis_stop SIGNAL: stop the cache server (TERM: clean shutdown; KILL: a crash).
redis_stop() { stop_pid redis-server "$REDIS_PID" redis-server "$1" 15; }

# wait_started NAME URL PID LOGFILE SECONDS: wait until URL answers 200; fail fast,
# with the end of LOGFILE, when process PID exits first.
wait_started() {
	local name="$1" url="$2" pid="$3" logfile="$4" secs="$5" i
	for ((i = 0; i < secs * 5; i++)); do
		[[ "$(http_code "$url")" == "200" ]] && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 30 "$logfile" >&2
			die "$name exited during start-up (log: $logfile)"
		fi
		sleep 0.2
	done
	die "$name did not answer $url within $secs s (log: $logfile)"
}
