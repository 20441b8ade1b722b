#!/usr/bin/env bash
# Shared settings and helpers for scripts/local/{up,down,test}.sh. Source it.
#
# Everything can be moved with environment variables, so the tests run a second
# "local pod" next to a developer's `make local-up` without touching it:
#   LOCAL_STATE_DIR  (default <repo>/build/local)  data, logs, pid files, secrets
#   LOCAL_PG_PORT    (default 54329)               Postgres, 127.0.0.1 only
#   LOCAL_APP_PORT   (default 8000)                gunicorn, 127.0.0.1 only
#   LOCAL_HTTP_PORT  (default 8080)                nginx, 127.0.0.1 only
# shellcheck disable=SC2034  # variables are used by the scripts that source this

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP_DIR="$REPO_ROOT/app"
STATE_DIR="${LOCAL_STATE_DIR:-$REPO_ROOT/build/local}"
PG_PORT="${LOCAL_PG_PORT:-54329}"
APP_PORT="${LOCAL_APP_PORT:-8000}"
HTTP_PORT="${LOCAL_HTTP_PORT:-8080}"

# Debian's interpreter: the one that sees python3-django, python3-psycopg2 and
# gunicorn (the PATH's python3 may be a pyenv build that sees none of them).
PY=/usr/bin/python3
NGINX=/usr/sbin/nginx

PGDATA_DIR="$STATE_DIR/pgdata"
PG_SOCKET_DIR="$STATE_DIR/pgrun"
PG_LOG="$STATE_DIR/postgres.log"
ENV_FILE="$STATE_DIR/env"
STATIC_DIR="$STATE_DIR/static"
NGINX_DIR="$STATE_DIR/nginx"
NGINX_CONF="$NGINX_DIR/nginx.conf"
NGINX_PID="$NGINX_DIR/nginx.pid"
NGINX_LOG="$STATE_DIR/nginx.log"
GUNICORN_DIR="$STATE_DIR/gunicorn"
GUNICORN_PID="$GUNICORN_DIR/gunicorn.pid"
GUNICORN_LOG="$STATE_DIR/gunicorn.log"

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
NGINX_RUNS_AS="$(id -u)"
APP_RUNS_AS="$(id -u)"
if is_root; then
	NGINX_RUNS_AS="$POD_NGINX_UID"
	APP_RUNS_AS="$POD_APP_UID"
	AS_NGINX=(setpriv --reuid="$POD_NGINX_UID" --regid="$POD_NGINX_UID" --clear-groups --)
	AS_APP=(setpriv --reuid="$POD_APP_UID" --regid="$POD_APP_UID" --clear-groups --)
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
