#!/usr/bin/env bash
# Before/after figures for the serving tunings the app ships with: runs scripts/bench/run.sh
# once per variant (the shipped gunicorn-gthread pod with ONE thing changed back or
# varied) and writes BENCH_DIR/tuning.md and BENCH_DIR/tuning.json.
#
#   scripts/bench/tune.sh                       (BENCH_SECONDS default 10, BENCH_RUNS 3)
#   BENCH_TUNE_VARIANTS=shipped,no-access-log scripts/bench/tune.sh
#
# Rows: health and db via nginx (the pod's path). Each variant starts a fresh pod; about
# 15 s + 2 x (warm-up + BENCH_RUNS x BENCH_SECONDS) per variant. Knobs of run.sh
# (BENCH_*_CPUS, BENCH_CONNECTIONS, ports) apply.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export BENCH_SECONDS="${BENCH_SECONDS:-10}"
export BENCH_RUNS="${BENCH_RUNS:-3}"
OUT="${BENCH_DIR:-$REPO/build/bench}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# name | what changes | environment (space-separated NAME=VALUE; BENCH_NGINX_SED is a sed script)
KEEPALIVE_OFF='/^ *upstream django {/,/^ *}/ s/^\( *\)keepalive \([0-9][0-9]*\);/\1# keepalive \2; (off for the experiment)/'
declare -A WHAT=(
	[shipped]="as shipped: gthread 2*cores+1 workers x 2 threads, persistent DB connections (60 s) with health checks, gunicorn JSON access log, nginx upstream keep-alive"
	[conn-max-age-0]="DB_CONN_MAX_AGE=0: a new Postgres connection per request (no persistent connections)"
	[no-health-checks]="DB_CONN_HEALTH_CHECKS=0: reused connections not checked before use"
	[no-upstream-keepalive]="nginx upstream without keepalive: a new connection nginx -> gunicorn per request"
	[no-access-log]="GUNICORN_ACCESS_LOG=0: no gunicorn access log (nginx still logs every non-health request)"
	[threads-4]="GUNICORN_THREADS=4: 4 threads per worker instead of 2"
)
declare -A ENVS=(
	[shipped]=""
	[conn-max-age-0]="DB_CONN_MAX_AGE=0"
	[no-health-checks]="DB_CONN_HEALTH_CHECKS=0"
	[no-upstream-keepalive]=""
	[no-access-log]="GUNICORN_ACCESS_LOG=0"
	[threads-4]="GUNICORN_THREADS=4"
)
VARIANTS="${BENCH_TUNE_VARIANTS:-shipped,conn-max-age-0,no-health-checks,no-upstream-keepalive,no-access-log,threads-4}"
IFS=',' read -r -a LIST <<<"$VARIANTS"
for v in "${LIST[@]}"; do
	[[ -n "${WHAT[$v]+x}" ]] || {
		echo "[tune] ERROR: unknown variant '$v' (${!WHAT[*]})" >&2
		exit 1
	}
done

started=$SECONDS
for v in "${LIST[@]}"; do
	echo "[tune] variant $v: ${WHAT[$v]}"
	envs=()
	[[ -n "${ENVS[$v]}" ]] && read -r -a envs <<<"${ENVS[$v]}"
	sed_script=""
	[[ "$v" == no-upstream-keepalive ]] && sed_script="$KEEPALIVE_OFF"
	mkdir -p "$OUT/tuning/$v"
	if ! env "${envs[@]}" BENCH_DIR="$OUT/tuning/$v" BENCH_SERVERS=gunicorn-gthread BENCH_STATIC=0 \
		BENCH_ROWS=nginx:health,nginx:db BENCH_NGINX_SED="$sed_script" \
		BENCH_COMMAND="scripts/bench/tune.sh (variant $v) BENCH_SECONDS=$BENCH_SECONDS BENCH_RUNS=$BENCH_RUNS" \
		bash "$HERE/run.sh" >"$OUT/tuning/$v.log" 2>&1; then
		tail -n 30 "$OUT/tuning/$v.log" >&2
		echo "[tune] ERROR: variant $v failed (log: $OUT/tuning/$v.log)" >&2
		exit 1
	fi
done

/usr/bin/python3 - "$OUT" "$VARIANTS" <<'EOF'
import json, os, sys
out, variants = sys.argv[1], sys.argv[2].split(",")
what = {}
table = []
for v in variants:
    res = json.load(open(os.path.join(out, "tuning", v, "results.json")))
    rows = {(r["path"], r["endpoint"]): r for r in res["rows"]}
    table.append({"variant": v, "health": rows.get(("nginx", "health")), "db": rows.get(("nginx", "db")),
                  "appEnvOverrides": res.get("appEnvOverrides", {}), "nginxSed": res.get("nginxSed", "")})
first = res
base = next((t for t in table if t["variant"] == "shipped"), None)
lines = [
    "# Serving tunings: before/after",
    "",
    f"- machine: **{first['machine']['cpuModel']}, {first['machine']['cores']} cores**; {first['date']}",
    f"- gunicorn-gthread on {first['rows'][0]['cores']} core(s), via nginx, {first['benchSeconds']} s x {first['runs']} runs"
    f" (median), {first['connections']} connections; one change per variant against `shipped`",
    "",
    "| variant | health req/s | db req/s | db vs shipped | db p50 ms | db p99 ms | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
]
for t in table:
    h, d = t["health"], t["db"]
    delta = "-" if not base or t is base else f"{100 * (d['rps'] / base['db']['rps'] - 1):+.1f}%"
    lines.append(f"| {t['variant']} | {h['rps']:.1f} | {d['rps']:.1f} | {delta} | {d['p50Ms']:.2f} | {d['p99Ms']:.2f} |"
                 f" {h['errors'] + d['errors']} |")
lines.append("")
json.dump(table, open(os.path.join(out, "tuning.json"), "w"), indent=2)
open(os.path.join(out, "tuning.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
echo "[tune] done in $((SECONDS - started)) s: $OUT/tuning.md"
