#!/usr/bin/env bash
# Serving benchmark on the local pod (real Postgres, nginx, Django): `make bench`.
#
# For each WSGI server configuration (gunicorn-sync, gunicorn-gthread, uwsgi), pinned
# to BENCH_APP_CPUS with taskset, measures with wrk on loopback:
#   health          GET /healthz          (Django, no database)
#   db              GET /api/questions/   (Django + Postgres: 20 of the seeded questions
#                                          with choices and vote counts; sent with
#                                          Cache-Control: no-cache, so never from the cache)
#   db-cached-warm  GET /api/questions/   (the same page from the cache server: hits)
#   db-cached-cold  GET /api/questions/?cold=RUN-THREAD-N   (a page of its own per request:
#                                          every request misses, reads Postgres, stores)
#   db-cached-mixed readers and voters: 1 request in BENCH_VOTE_EVERY votes (POST
#                                          /api/questions/Q/vote/, which drops every cached
#                                          page), the others read the list or one question;
#                                          the app's X-Cache answers give its hit ratio, the
#                                          capacity model's (make bench-apply); the seeded
#                                          rows are restored after each such run
# each `direct` (wrk -> WSGI server) and via `nginx` (wrk -> nginx -> WSGI server, the
# pod's app/nginx/nginx.conf), plus `static` (a collected file) via nginx alone. The
# cache server is redis-server with TLS and AUTH (scripts/local/up.sh), pinned with
# nginx and Postgres; its keyspace hits/misses are read around every cached run.
# Warm-up before measuring, the same connection count everywhere, BENCH_RUNS runs per
# row (interleaved) and the median reported. Writes BENCH_DIR/results.json and
# BENCH_DIR/results.md (scripts/bench/README.md describes both). Exits non-zero on any
# failure, and always stops every process it started (trap), also on Ctrl-C.
#
# Knobs (environment):
#   BENCH_SECONDS          seconds per measured run (default 20)
#   BENCH_RUNS             measured runs per row; the median is reported (default 3)
#   BENCH_WARMUP_SECONDS   warm-up per row before its runs (default: BENCH_SECONDS/4, 1..5)
#   BENCH_CONNECTIONS      wrk connections, the same for every row (default 16)
#   BENCH_MAX_RPS          request bound: a run stops after BENCH_SECONDS*BENCH_MAX_RPS
#                          requests (default 200000; hitting it fails the run)
#   BENCH_SERVERS          comma list (default gunicorn-sync,gunicorn-gthread,uwsgi)
#   BENCH_ROWS             comma list of path:endpoint rows per server (default: every
#                          (direct|nginx):(health|db|db-cached-warm|db-cached-cold), and
#                          nginx:db-cached-mixed)
#   BENCH_VOTE_EVERY       the mixed row's share of votes: 1 request in N (default 100)
#   BENCH_STATIC           1 (default) / 0: the nginx-only static row
#   BENCH_NGINX_SED        sed script applied to the rendered nginx.conf before measuring
#                          (experiments: scripts/bench/tune.sh); recorded in results.json
#   BENCH_APP_CPUS         CPUs of the WSGI server (default: the first allowed CPU)
#   BENCH_LOAD_CPUS        CPUs of wrk (default: the last allowed CPU)
#   BENCH_SUPPORT_CPUS     CPUs of nginx and Postgres (default: the CPUs left, else wrk's)
#   BENCH_UWSGI_PROCESSES / BENCH_UWSGI_THREADS   (default 2*cores+1 / 2, as gunicorn's)
#   BENCH_DIR              output and state (default <repo>/build/bench)
#   BENCH_PG_PORT / BENCH_APP_PORT / BENCH_HTTP_PORT / BENCH_REDIS_PORT   (default 54349 /
#                          8002 / 8082 / 63749: clear of `make local-up` 54329/8000/8080/63729
#                          and the tests' pod 25439/8001/8081/63739)
#   BENCH_COMMAND          the command recorded as provenance (default "make bench ...")
# The app's own variables (DB_CONN_MAX_AGE, DB_CONN_HEALTH_CHECKS, GUNICORN_THREADS, ...)
# set by the caller pass through to every server, for before/after experiments; they
# are recorded in results.json ("appEnvOverrides").
# shellcheck disable=SC2030,SC2031  # the app's environment is set in subshells on purpose
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

BENCH_SECONDS="${BENCH_SECONDS:-20}"
BENCH_RUNS="${BENCH_RUNS:-3}"
BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-16}"
BENCH_MAX_RPS="${BENCH_MAX_RPS:-200000}"
BENCH_SERVERS="${BENCH_SERVERS:-gunicorn-sync,gunicorn-gthread,uwsgi}"
BENCH_STATIC="${BENCH_STATIC:-1}"
BENCH_ROWS="${BENCH_ROWS:-direct:health,nginx:health,direct:db,nginx:db,direct:db-cached-warm,nginx:db-cached-warm,direct:db-cached-cold,nginx:db-cached-cold,nginx:db-cached-mixed}"
BENCH_VOTE_EVERY="${BENCH_VOTE_EVERY:-100}"
BENCH_NGINX_SED="${BENCH_NGINX_SED:-}"
BENCH_DIR="${BENCH_DIR:-$REPO/build/bench}"

# The local pod's machinery (scripts/local) with the benchmark's own state and ports.
mkdir -p "$BENCH_DIR"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
export LOCAL_STATE_DIR="$BENCH_DIR/pod"
export LOCAL_PG_PORT="${BENCH_PG_PORT:-54349}"
export LOCAL_APP_PORT="${BENCH_APP_PORT:-8002}"
export LOCAL_HTTP_PORT="${BENCH_HTTP_PORT:-8082}"
export LOCAL_REDIS_PORT="${BENCH_REDIS_PORT:-63749}"
export LOCAL_CACHE=1
LOG_TAG=bench # log and die (lib.sh) print [bench]
# shellcheck source-path=SCRIPTDIR source=../local/lib.sh
. "$REPO/scripts/local/lib.sh"

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
for v in BENCH_SECONDS BENCH_RUNS BENCH_CONNECTIONS BENCH_MAX_RPS BENCH_VOTE_EVERY; do
	if ! is_uint "${!v}" || ((${!v} < 1)); then die "$v=${!v}: must be a whole number >= 1"; fi
done
if [[ -z "${BENCH_WARMUP_SECONDS:-}" ]]; then
	BENCH_WARMUP_SECONDS=$((BENCH_SECONDS / 4))
	((BENCH_WARMUP_SECONDS < 1)) && BENCH_WARMUP_SECONDS=1
	((BENCH_WARMUP_SECONDS > 5)) && BENCH_WARMUP_SECONDS=5
fi
if ! is_uint "$BENCH_WARMUP_SECONDS" || ((BENCH_WARMUP_SECONDS < 1)); then
	die "BENCH_WARMUP_SECONDS=$BENCH_WARMUP_SECONDS: must be a whole number >= 1"
fi
IFS=',' read -r -a SERVERS <<<"$BENCH_SERVERS"
for s in "${SERVERS[@]}"; do
	case "$s" in
	gunicorn-sync | gunicorn-gthread | uwsgi) ;;
	*) die "BENCH_SERVERS: unknown server configuration '$s' (gunicorn-sync, gunicorn-gthread, uwsgi)" ;;
	esac
done
IFS=',' read -r -a ROWS <<<"$BENCH_ROWS"
for r in "${ROWS[@]}"; do
	case "$r" in
	direct:health | nginx:health | direct:db | nginx:db) ;;
	direct:db-cached-warm | nginx:db-cached-warm | direct:db-cached-cold | nginx:db-cached-cold) ;;
	direct:db-cached-mixed | nginx:db-cached-mixed) ;;
	*) die "BENCH_ROWS: unknown row '$r' (direct|nginx):(health|db|db-cached-warm|db-cached-cold|db-cached-mixed)" ;;
	esac
done
if [[ -z "${BENCH_COMMAND:-}" ]]; then
	BENCH_COMMAND="make bench BENCH_SECONDS=$BENCH_SECONDS"
	[[ "$BENCH_RUNS" == 3 ]] || BENCH_COMMAND+=" BENCH_RUNS=$BENCH_RUNS"
	[[ "$BENCH_SERVERS" == gunicorn-sync,gunicorn-gthread,uwsgi ]] || BENCH_COMMAND+=" BENCH_SERVERS=$BENCH_SERVERS"
	[[ "$BENCH_VOTE_EVERY" == 100 ]] || BENCH_COMMAND+=" BENCH_VOTE_EVERY=$BENCH_VOTE_EVERY"
fi


RAW_DIR="$BENCH_DIR/raw"
LOG_DIR="$BENCH_DIR/logs"
RUNS_FILE="$RAW_DIR/runs.jsonl"
SERVER_PIDFILE="$BENCH_DIR/server.pid"
WRK_LUA="$HERE/wrk.lua"
WRK_PID=""
SERVER_NAME=""

# --- dependencies -------------------------------------------------------------
bash "$HERE/deps.sh"
for tool in wrk taskset flock uwsgi curl; do
	command -v "$tool" >/dev/null || die "$tool missing (run scripts/bench/deps.sh)"
done

# One run at a time per BENCH_DIR (fd 9 stays open for the script's lifetime).
exec 9>"$BENCH_DIR/.lock"
flock -n 9 || die "another benchmark run is using $BENCH_DIR ($BENCH_DIR/.lock)"

# --- cleanup: every process this script started, on any exit ---------------------
# The WSGI master from its pid file, only if that process is still a gunicorn/uWSGI
# (a stale file whose number was reused by another process is ignored).
server_master_pid() {
	pid_alive "$SERVER_PIDFILE" gunicorn || pid_alive "$SERVER_PIDFILE" uwsgi || return 1
	read_pid "$SERVER_PIDFILE"
}

# stop_server: graceful TERM to the WSGI master (gunicorn: graceful; uwsgi: die-on-term),
# then KILL its process group (setsid made the master its leader) if anything is left.
stop_server() {
	local pid="" i
	pid="$(server_master_pid)" || pid=""
	if [[ -z "$pid" && -n "${SERVER_LAUNCH_PID:-}" ]] && kill -0 "$SERVER_LAUNCH_PID" 2>/dev/null; then
		pid="$SERVER_LAUNCH_PID"
	fi
	if [[ -n "$pid" ]]; then
		log "stopping ${SERVER_NAME:-server} (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 400; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "${SERVER_NAME:-server} did not stop within 40 s: SIGKILL"
		fi
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$SERVER_PIDFILE"
	SERVER_LAUNCH_PID=""
	# Keep the start and the end of the server's log, not the access log of every request.
	if [[ -n "$SERVER_NAME" && -f "$LOG_DIR/$SERVER_NAME.log" ]]; then
		local f="$LOG_DIR/$SERVER_NAME.log"
		if (($(wc -l <"$f") > 400)); then
			{ head -n 100 "$f" && echo "... (access log of the benchmark cut) ..." && tail -n 200 "$f"; } >"$f.cut" || true
			mv "$f.cut" "$f"
		fi
	fi
	SERVER_NAME=""
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n "$WRK_PID" ]] && kill -0 "$WRK_PID" 2>/dev/null; then
		kill -TERM "$WRK_PID" 2>/dev/null || true
		wait "$WRK_PID" 2>/dev/null || true
	fi
	stop_server || rc=1
	log "stopping the benchmark pod (nginx, Postgres)"
	bash "$REPO/scripts/local/down.sh" || rc=1
	if [[ $rc -ne 0 ]]; then
		log "FAILED (exit $rc); logs in $LOG_DIR and $STATE_DIR"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A run killed with SIGKILL (no trap) may have left its WSGI server behind: stop it.
SERVER_NAME="leftover server" stop_server

# --- CPU layout -----------------------------------------------------------------
# Prints: ALLOWED APP LOAD SUPPORT APP_CORES LOAD_CORES (taskset lists; counts).
read -r CPU_ALLOWED APP_CPUS LOAD_CPUS SUPPORT_CPUS APP_CORES LOAD_CORES < <(
	"$PY" - "${BENCH_APP_CPUS:-}" "${BENCH_LOAD_CPUS:-}" "${BENCH_SUPPORT_CPUS:-}" <<'EOF'
import os, sys

def parse(spec):
    cpus = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return sorted(cpus)

fmt = lambda cpus: ",".join(map(str, cpus))
allowed = sorted(os.sched_getaffinity(0))
app = parse(sys.argv[1]) or allowed[:1]
load = parse(sys.argv[2]) or allowed[-1:]
support = parse(sys.argv[3]) or [c for c in allowed if c not in app and c not in load] or load
for name, cpus in (("app", app), ("load", load), ("support", support)):
    bad = [c for c in cpus if c not in allowed]
    if bad:
        sys.exit(f"BENCH_{name.upper()}_CPUS: CPU(s) {fmt(bad)} not available (allowed: {fmt(allowed)})")
print(fmt(allowed), fmt(app), fmt(load), fmt(support), len(app), len(load))
EOF
) || die "bad CPU layout"
[[ -n "${LOAD_CORES:-}" ]] || die "could not work out the CPU layout"
log "CPUs allowed $CPU_ALLOWED: app (WSGI server) on $APP_CPUS, wrk on $LOAD_CPUS, nginx+Postgres on $SUPPORT_CPUS"
if [[ ",$LOAD_CPUS," == *",$APP_CPUS,"* || ",$APP_CPUS," == *",$LOAD_CPUS,"* ]]; then
	log "WARNING: the load generator shares a CPU with the app: numbers are not comparable"
fi
WRK_THREADS="$LOAD_CORES"
((BENCH_CONNECTIONS >= WRK_THREADS)) || WRK_THREADS="$BENCH_CONNECTIONS"

# --- the pod: Postgres + nginx from scripts/local/up.sh, pinned to the support CPUs ---
# A clean slate every run (a killed run may have left processes or data behind).
bash "$REPO/scripts/local/down.sh"
rm -rf "${STATE_DIR:?}" "$RAW_DIR" "$LOG_DIR" "$BENCH_DIR/results.json" "$BENCH_DIR/results.md"
mkdir -p "$RAW_DIR" "$LOG_DIR"
started_at=$SECONDS
log "starting the benchmark pod on 127.0.0.1:$HTTP_PORT (Postgres $PG_PORT, app $APP_PORT; state $STATE_DIR)"
# 9>&-: the daemons must not inherit the lock (a killed run would keep it held).
taskset -c "$SUPPORT_CPUS" bash "$REPO/scripts/local/up.sh" 9>&-
# up.sh also started gunicorn (the shipped config) on the app port: the benchmark runs
# its own servers there, pinned to the app CPUs, so stop that one.
stop_pid gunicorn "$GUNICORN_PID" gunicorn TERM 30
for _ in $(seq 1 50); do
	port_open "$APP_PORT" || break
	sleep 0.1
done
port_open "$APP_PORT" && die "port $APP_PORT is still taken"

IDS_FILE="$LOCAL_STATE_DIR/polls-ids.txt"
# seed: the benchmark's rows (again after each mixed run: its votes are rows too).
seed() {
	(
		# shellcheck source=/dev/null
		. "$ENV_FILE"
		BENCH_IDS_FILE="$IDS_FILE" "$PY" "$HERE/seed.py"
	) || die "seeding the database failed"
}
seed
QUESTIONS="${BENCH_QUESTIONS:-50}"

if [[ -n "$BENCH_NGINX_SED" ]]; then
	log "nginx experiment: sed '$BENCH_NGINX_SED' on $NGINX_CONF, reload"
	sed -i -e "$BENCH_NGINX_SED" "$NGINX_CONF"
	"${AS_NGINX[@]}" "$NGINX" -p "$NGINX_DIR/" -e stderr -c "$NGINX_CONF" -t -q >>"$NGINX_LOG" 2>&1 ||
		die "nginx -t failed after BENCH_NGINX_SED"
	"${AS_NGINX[@]}" "$NGINX" -p "$NGINX_DIR/" -e stderr -c "$NGINX_CONF" -s reload >>"$NGINX_LOG" 2>&1
	sleep 1
fi

STATIC_FILE="$("$PY" - "$STATIC_DIR/staticfiles.json" <<'EOF'
import json, sys
paths = json.load(open(sys.argv[1]))["paths"]
print(paths.get("polls/style.css") or sorted(paths.values())[0])
EOF
)" || die "no static manifest in $STATIC_DIR"
declare -A ENDPOINT_PATH=([health]=/healthz [db]=/api/questions/ [db-cached-warm]=/api/questions/
	[db-cached-cold]=/api/questions/ [db-cached-mixed]=/api/questions/ [static]="/static/$STATIC_FILE")
# wrk.lua's MODE per endpoint: db never touches the cache; cold makes every request
# unique; mixed reads and votes over the seeded ids.
declare -A ENDPOINT_MODE=([db]=nocache [db-cached-cold]=unique [db-cached-mixed]="mixed:$BENCH_VOTE_EVERY:$IDS_FILE")

# --- servers --------------------------------------------------------------------
UWSGI_PROCESSES="${BENCH_UWSGI_PROCESSES:-$((2 * APP_CORES + 1))}"
UWSGI_THREADS="${BENCH_UWSGI_THREADS:-2}"

# workers_threads NAME: "WORKERS THREADS" as the server will run them. gunicorn's come
# from app/gunicorn.conf.py itself (its formula for GUNICORN_CPU_MILLICORES).
workers_threads() {
	case "$1" in
	gunicorn-*)
		(
			# shellcheck source=/dev/null
			. "$ENV_FILE"
			export GUNICORN_CPU_MILLICORES=$((APP_CORES * 1000))
			"$PY" -c '
import runpy, sys
conf = runpy.run_path(sys.argv[1])
print(conf["workers"], 1 if sys.argv[2] == "gunicorn-sync" else conf["threads"])
' "$APP_DIR/gunicorn.conf.py" "$1"
		)
		;;
	uwsgi) echo "$UWSGI_PROCESSES $UWSGI_THREADS" ;;
	esac
}

write_uwsgi_ini() {
	cat >"$BENCH_DIR/uwsgi.ini" <<EOF
; generated by scripts/bench/run.sh: Debian's uWSGI + python3 plugin serving the app
; over plain HTTP on the port gunicorn uses, so nginx's config is the same for all.
[uwsgi]
strict = true
plugins = python3
master = true
http-socket = 127.0.0.1:$APP_PORT
; http-socket answers one request per connection: say so, or HTTP/1.1 clients (wrk,
; nginx's upstream keepalive) would reuse a connection uWSGI is closing.
add-header = Connection: close
chdir = $APP_DIR
pythonpath = $APP_DIR
module = djangogke.wsgi:application
processes = $UWSGI_PROCESSES
threads = $UWSGI_THREADS
enable-threads = true
single-interpreter = true
need-app = true
die-on-term = true
thunder-lock = true
harakiri = 30
buffer-size = 16384
pidfile = $SERVER_PIDFILE
EOF
}

start_server() {
	local name="$1" logfile="$LOG_DIR/$1.log" cmd=()
	case "$name" in
	gunicorn-gthread) cmd=("$PY" -m gunicorn --config "$APP_DIR/gunicorn.conf.py") ;;
	gunicorn-sync) cmd=("$PY" -m gunicorn --config "$APP_DIR/gunicorn.conf.py" --worker-class sync --threads 1) ;;
	uwsgi)
		write_uwsgi_ini
		cmd=(uwsgi --ini "$BENCH_DIR/uwsgi.ini")
		;;
	esac
	port_open "$APP_PORT" && die "port $APP_PORT is taken before starting $name"
	rm -f "$SERVER_PIDFILE"
	SERVER_NAME="$name"
	log "starting $name on 127.0.0.1:$APP_PORT, CPUs $APP_CPUS (log: $logfile)"
	(
		# shellcheck source=/dev/null
		. "$ENV_FILE"
		export GUNICORN_CPU_MILLICORES=$((APP_CORES * 1000)) GUNICORN_PIDFILE="$SERVER_PIDFILE"
		cd "$APP_DIR"
		exec taskset -c "$APP_CPUS" setsid "${cmd[@]}"
	) >"$logfile" 2>&1 </dev/null 9>&- &
	SERVER_LAUNCH_PID=$!
	# The WSGI master writes its pid file before it listens.
	wait_started "$name" "http://127.0.0.1:$APP_PORT/healthz" "$SERVER_LAUNCH_PID" "$logfile" 60
	server_master_pid >/dev/null || die "$name wrote no pid file"
}

# check_db URL [CURL ARGS]: the db endpoint answers 200 with the seeded data.
check_db() {
	local url="$1"
	shift
	curl -sf --max-time 10 -H 'Host: localhost' "$@" "$url" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
want = int(sys.argv[1])
count = d["count"]
assert count == want, f"count {count} != {want}"
assert len(d["results"]) == min(20, want) and all(len(q["choices"]) > 0 for q in d["results"]), d
' "$QUESTIONS" || die "GET $url did not return the seeded questions"
}

# x_cache URL [CURL ARGS]: the X-Cache header of one GET (hit, miss, bypass).
x_cache() {
	local url="$1"
	shift
	curl -s -o /dev/null -D - --max-time 10 -H 'Host: localhost' "$@" "$url" |
		tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache" { print $2 }'
}

# check_cache PORT: the db rows read the database, warm rows hit, cold rows miss.
check_cache() {
	local base="http://127.0.0.1:$1/api/questions/" got
	check_db "$base" -H 'Cache-Control: no-cache'
	got="$(x_cache "$base" -H 'Cache-Control: no-cache')"
	[[ "$got" == bypass ]] || die "GET $base with no-cache: X-Cache '$got', want bypass"
	x_cache "$base" >/dev/null
	got="$(x_cache "$base")"
	[[ "$got" == hit ]] || die "GET $base twice: X-Cache '$got', want hit (is the cache server up?)"
	check_db "$base"
	got="$(x_cache "$base?cold=check-$RANDOM$RANDOM")"
	[[ "$got" == miss ]] || die "GET $base?cold=...: X-Cache '$got', want miss"
}

# redis_stats OUT: the cache server's INFO stats (keyspace_hits / keyspace_misses).
redis_stats() { redis_cli INFO stats >"$1" || die "redis-cli INFO failed (is the cache server up?)"; }

# --- wrk ------------------------------------------------------------------------
# wrk_run OUT SECONDS URL [MODE]: one bounded wrk run on the load CPUs (time: -d and an
# outer timeout; requests: wrk.lua's cap). Runs in the background so the trap can stop it.
wrk_run() {
	local out="$1" secs="$2" url="$3" mode="${4:-}" rc=0
	taskset -c "$LOAD_CPUS" timeout -k 5 $((secs + 30)) \
		wrk -t "$WRK_THREADS" -c "$BENCH_CONNECTIONS" -d "${secs}s" --timeout 5s \
		-s "$WRK_LUA" "$url" -- localhost $((secs * BENCH_MAX_RPS / WRK_THREADS)) "$mode" >"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID" || rc=$?
	WRK_PID=""
	if [[ $rc -ne 0 ]] || ! grep -q '^BENCHJSON ' "$out"; then
		cat "$out" >&2
		die "wrk failed (exit $rc) for $url"
	fi
}

url_for() { # PATH ENDPOINT
	local port="$HTTP_PORT"
	[[ "$1" == direct ]] && port="$APP_PORT"
	printf 'http://127.0.0.1:%s%s\n' "$port" "${ENDPOINT_PATH[$2]}"
}

mode_for() { # ENDPOINT -> wrk.lua MODE (unique: a fresh token per run)
	case "${ENDPOINT_MODE[$1]:-}" in
	unique) printf 'unique:%s\n' "$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')" ;;
	*) printf '%s\n' "${ENDPOINT_MODE[$1]:-}" ;;
	esac
}

# measure SERVER WORKERS THREADS CORES ROWS... (each row "path:endpoint"): warm-up per
# row, then BENCH_RUNS rounds over all rows (interleaved, so drift hits every row alike).
measure() {
	local server="$1" workers="$2" threads="$3" cores="$4" row path endpoint run base
	shift 4
	for row in "$@"; do
		path="${row%%:*}" endpoint="${row#*:}"
		log "  warm-up $server $path $endpoint (${BENCH_WARMUP_SECONDS}s)"
		wrk_run "$RAW_DIR/warmup.txt" "$BENCH_WARMUP_SECONDS" "$(url_for "$path" "$endpoint")" "$(mode_for "$endpoint")"
		if [[ "$endpoint" == db-cached-mixed ]]; then seed; fi
	done
	for ((run = 1; run <= BENCH_RUNS; run++)); do
		for row in "$@"; do
			path="${row%%:*}" endpoint="${row#*:}"
			base="$RAW_DIR/$server.$path.$endpoint.$run"
			if [[ "$endpoint" == db-cached-* ]]; then redis_stats "$base.redis0"; fi
			cat /proc/stat >"$base.stat0"
			wrk_run "$base.wrk" "$BENCH_SECONDS" "$(url_for "$path" "$endpoint")" "$(mode_for "$endpoint")"
			cat /proc/stat >"$base.stat1"
			if [[ "$endpoint" == db-cached-* ]]; then redis_stats "$base.redis1"; fi
			if [[ "$endpoint" == db-cached-mixed ]]; then seed; fi
			printf '{"server":"%s","path":"%s","endpoint":"%s","run":%d,"cores":%d,"workers":%d,"threads":%d,"base":"%s"}\n' \
				"$server" "$path" "$endpoint" "$run" "$cores" "$workers" "$threads" "$base" >>"$RUNS_FILE"
			log "  run $run/$BENCH_RUNS $server $path $endpoint: $(grep -E '^Requests/sec' "$base.wrk" | awk '{print $2}') req/s"
		done
	done
}

for server in "${SERVERS[@]}"; do
	read -r workers threads < <(workers_threads "$server")
	start_server "$server"
	check_cache "$APP_PORT"
	check_cache "$HTTP_PORT"
	log "$server: $workers worker(s) x $threads thread(s) on $APP_CORES core(s)"
	measure "$server" "$workers" "$threads" "$APP_CORES" "${ROWS[@]}"
	stop_server
	# nginx's access log (the db rows) grows fast: keep its end only. nginx appends.
	tail -n 200 "$NGINX_LOG" >"$NGINX_LOG.tail" && cat "$NGINX_LOG.tail" >"$NGINX_LOG" && rm -f "$NGINX_LOG.tail"
done

NGINX_WORKERS="$(awk '$1 == "worker_processes" { gsub(";", "", $2); print $2 }' "$APP_DIR/nginx/nginx.conf")"
if [[ "$BENCH_STATIC" == 1 ]]; then
	[[ "$(http_code "$(url_for nginx static)")" == 200 ]] || die "$(url_for nginx static) is not 200"
	SUPPORT_CORES="$(tr ',' '\n' <<<"$SUPPORT_CPUS" | grep -c .)"
	log "nginx alone: static $(url_for nginx static)"
	measure nginx "$NGINX_WORKERS" 1 "$SUPPORT_CORES" nginx:static
fi

# --- report -----------------------------------------------------------------------
version() { "$@" 2>&1 | head -n 1 || true; }
"$PY" - "$BENCH_DIR/meta.json" "$BENCH_COMMAND" "$BENCH_NGINX_SED" <<EOF
import json, os, sys
app_env = {k: v for k, v in sorted(os.environ.items())
           if k.startswith(("DB_", "GUNICORN_", "DJANGO_", "CACHE_")) and "SECRET" not in k and "PASSWORD" not in k}
meta = {
    "command": sys.argv[2],
    "benchSeconds": $BENCH_SECONDS,
    "runs": $BENCH_RUNS,
    "warmupSeconds": $BENCH_WARMUP_SECONDS,
    "connections": $BENCH_CONNECTIONS,
    "maxRps": $BENCH_MAX_RPS,
    "loadGenerator": "wrk, $WRK_THREADS thread(s), $BENCH_CONNECTIONS connections, keep-alive, no Accept-Encoding",
    "cpuLayout": {"allowed": "$CPU_ALLOWED", "app": "$APP_CPUS", "loadGenerator": "$LOAD_CPUS",
                  "nginxAndPostgres": "$SUPPORT_CPUS", "cacheServer": "$SUPPORT_CPUS"},
    "seed": {"questions": $QUESTIONS, "choicesPerQuestion": ${BENCH_CHOICES:-4}},
    "endpoints": {"health": "${ENDPOINT_PATH[health]}", "db": "${ENDPOINT_PATH[db]} (Cache-Control: no-cache)",
                  "db-cached-warm": "${ENDPOINT_PATH[db-cached-warm]} (cache hits)",
                  "db-cached-cold": "${ENDPOINT_PATH[db-cached-cold]}?cold=RUN-THREAD-N (every request a miss)",
                  "db-cached-mixed": "1 in $BENCH_VOTE_EVERY requests a vote (POST /api/questions/Q/vote/), the others GET /api/questions/ or /api/questions/Q/ (half each, Q random)",
                  "static": "${ENDPOINT_PATH[static]}"},
    "cache": {"server": "redis-server, TLS + AUTH, 127.0.0.1:$REDIS_PORT", "ttlSeconds": int("${CACHE_TTL_SECONDS:-60}"),
              "voteEvery": $BENCH_VOTE_EVERY},
    "nginxWorkers": int("$NGINX_WORKERS" or 0),
    "software": {
        "python": """$(version "$PY" --version)""",
        "django": """Django $(version "$PY" -c 'import django; print(django.get_version())')""",
        "gunicorn": """gunicorn $(version "$PY" -c 'import gunicorn; print(gunicorn.__version__)')""",
        "uwsgi": """uWSGI $(version uwsgi --version)""",
        "nginx": """$(version "$NGINX" -v | sed 's/^nginx version: //')""",
        "postgres": """$(version "$(pg_bin)/postgres" --version | sed 's/^postgres (PostgreSQL)/PostgreSQL/')""",
        "psycopg2": """psycopg2 $(version "$PY" -c 'import psycopg2; print(psycopg2.__version__.split()[0])')""",
        "redis": """$(version "$REDIS_SERVER" --version | awk '{print "Redis", $3}' | sed 's/v=//')""",
        "redis-py": """redis-py $(version "$PY" -c 'import redis; print(redis.__version__)')""",
        "wrk": """$(version wrk -v | awk '{print "wrk", $2}')""",
    },
    "appEnvOverrides": app_env,
    "nginxSed": sys.argv[3],
}
json.dump(meta, open(sys.argv[1], "w"), indent=2)
EOF
"$PY" "$HERE/report.py" --runs "$RUNS_FILE" --meta "$BENCH_DIR/meta.json" --out "$BENCH_DIR"
log "done in $((SECONDS - started_at)) s: $BENCH_DIR/results.json, $BENCH_DIR/results.md"
