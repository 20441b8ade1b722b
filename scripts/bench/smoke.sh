#!/usr/bin/env bash
# Smoke variant of `make bench` for `make test`: correctness only, no timing assertions.
# Runs scripts/bench/run.sh with 1 s runs, 1 run per row and a 1 s warm-up, in its own
# state dir and ports (build/bench-smoke; 54359/8003/8083/redis 63759: clear of `make
# bench`, `make local-up` and the tests' pod), then checks:
#   - results.json and results.md are written; every expected row is there with exactly
#     the documented fields, rps > 0 and errors == 0; machine, command, date present;
#   - the cached rows: warm ones were answered from the cache (hit ratio >= 95%, Redis'
#     and the app's), cold ones missed (<= 5%), the mixed readers and voters both hit
#     and missed (their votes drop the pages), the db rows bypassed the cache, the
#     others have no hit ratio; the 60% goal and the mixed-vs-model table are reported;
#   - scripts/bench/apply.sh turns them into a valid podtps.json (written into the
#     smoke dir, never into infra/config).
# About 100 s on an idle 2-core machine; bounded at 5 minutes.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DIR="${BENCH_SMOKE_DIR:-$REPO/build/bench-smoke}"

mkdir -p "$DIR"
started=$SECONDS
BENCH_SECONDS=1 BENCH_RUNS=1 BENCH_WARMUP_SECONDS=1 BENCH_DIR="$DIR" \
	BENCH_PG_PORT="${BENCH_SMOKE_PG_PORT:-54359}" BENCH_APP_PORT="${BENCH_SMOKE_APP_PORT:-8003}" \
	BENCH_HTTP_PORT="${BENCH_SMOKE_HTTP_PORT:-8083}" BENCH_REDIS_PORT="${BENCH_SMOKE_REDIS_PORT:-63759}" \
	BENCH_COMMAND="scripts/bench/smoke.sh" \
	timeout -k 60 300 bash "$HERE/run.sh" >"$DIR/smoke.log" 2>&1 || {
	rc=$?
	tail -n 40 "$DIR/smoke.log" >&2
	echo "[bench-smoke] FAILED: run.sh exited $rc (log: $DIR/smoke.log)" >&2
	exit 1
}

BENCH_RESULTS="$DIR/results.json" BENCH_APPLY_OUT="$DIR/podtps.json" bash "$HERE/apply.sh" 2>/dev/null

/usr/bin/python3 - "$DIR" <<'EOF'
import json, os, sys

d = sys.argv[1]
failures = []
def check(cond, msg):
    if not cond:
        failures.append(msg)

md_path, json_path = os.path.join(d, "results.md"), os.path.join(d, "results.json")
check(os.path.getsize(md_path) > 0 if os.path.exists(md_path) else False, "results.md missing or empty")
res = json.load(open(json_path))
for key in ("rows", "machine", "command", "date", "benchSeconds", "runs"):
    check(key in res, f"results.json: no {key!r}")
check(isinstance(res["machine"].get("cpuModel"), str) and res["machine"]["cpuModel"], "machine.cpuModel")
check(isinstance(res["machine"].get("cores"), int) and res["machine"]["cores"] >= 1, "machine.cores")

fields = {"server", "path", "endpoint", "rps", "p50Ms", "p99Ms", "errors", "cores", "workers", "threads", "hitRatio",
          "appHitRatio"}
servers = ("gunicorn-sync", "gunicorn-gthread", "uwsgi")
expected = {(s, p, e) for s in servers
            for p in ("direct", "nginx") for e in ("health", "db", "db-cached-warm", "db-cached-cold")} \
    | {(s, "nginx", "db-cached-mixed") for s in servers} | {("nginx", "nginx", "static")}
seen = set()
for r in res["rows"]:
    key = (r.get("server"), r.get("path"), r.get("endpoint"))
    seen.add(key)
    check(set(r) == fields, f"{key}: fields {sorted(r)}")
    for num in ("rps", "p50Ms", "p99Ms"):
        check(isinstance(r.get(num), (int, float)) and not isinstance(r.get(num), bool), f"{key}: {num} not a number")
    for num in ("errors", "cores", "workers", "threads"):
        check(isinstance(r.get(num), int) and not isinstance(r.get(num), bool), f"{key}: {num} not an integer")
    check(r.get("rps", 0) > 0, f"{key}: rps {r.get('rps')}")
    check(r.get("errors") == 0, f"{key}: {r.get('errors')} errors")
    check(r.get("p99Ms", -1) >= r.get("p50Ms", 0) > 0, f"{key}: p50 {r.get('p50Ms')} / p99 {r.get('p99Ms')}")
    ratio, app = r.get("hitRatio"), r.get("appHitRatio")
    number = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)  # noqa: E731
    if key[2] == "db-cached-warm":
        check(number(ratio) and ratio >= 0.95, f"{key}: hit ratio {ratio} (want >= 95%: hits)")
        check(number(app) and app >= 0.95, f"{key}: app hit ratio {app} (want >= 95%: hits)")
    elif key[2] == "db-cached-cold":
        check(number(ratio) and ratio <= 0.05, f"{key}: hit ratio {ratio} (want <= 5%: misses)")
        check(number(app) and app <= 0.05, f"{key}: app hit ratio {app} (want <= 5%: misses)")
    elif key[2] == "db-cached-mixed":
        check(number(ratio), f"{key}: hit ratio {ratio} (want Redis' ratio)")
        check(number(app) and 0 < app < 1, f"{key}: app hit ratio {app} (want hits and misses: votes drop pages)")
    elif key[2] == "db":
        check(ratio is None, f"{key}: hit ratio {ratio} on a row that does not use the cache")
        check(app == 0, f"{key}: app hit ratio {app} (want 0: every answer bypassed the cache)")
    else:
        check(ratio is None and app is None, f"{key}: hit ratios {ratio}/{app} on a row that does not use the cache")
check(seen == expected, f"rows: missing {sorted(expected - seen)}, unexpected {sorted(seen - expected)}")
md = open(md_path).read()
check("| server | path | endpoint | req/s |" in md, "results.md: no table")
goals = [g for g in res.get("goals", []) if g["goal"] == "db-cached-warm via nginx >= 60% of health via nginx"]
check(len(goals) == 3, f"the cached-vs-health goal for each server: {goals}")
check("db-cached-warm via nginx >= 60% of health via nginx" in md, "results.md: no cached goal")
check("warm / health" in md, "results.md: no cache table")
mixed = [x for x in res.get("ratios", {}).get("mixedVsModel", []) if x["path"] == "nginx"]
check({x["server"] for x in mixed} == set(servers), f"mixed vs model for each server via nginx: {mixed}")
check("measured / model" in md, "results.md: no mixed-vs-model table")
check(res["machine"]["cpuModel"] in md, "results.md: no CPU model")

tps = json.load(open(os.path.join(d, "podtps.json")))
check(list(tps) == ["rpsPerCore", "server", "endpoint", "path", "date", "machine", "command", "source", "cache"],
      f"podtps.json keys {list(tps)}")
cache = tps.get("cache", {})
warm = next((r for r in res["rows"] if (r["server"], r["path"], r["endpoint"]) == (tps.get("server"), "nginx", "db-cached-warm")), {})
mixed_row = next((r for r in res["rows"] if (r["server"], r["path"], r["endpoint"]) == (tps.get("server"), "nginx", "db-cached-mixed")), {})
check(sorted(cache) == ["hitRatio", "hitRpsPerCore", "workload"], f"podtps.json cache keys {sorted(cache)}")
check(cache.get("hitRpsPerCore") == round(warm.get("rps", 0) / max(warm.get("cores", 1), 1), 1), f"podtps.json cache.hitRpsPerCore {cache}")
check(cache.get("hitRatio") == mixed_row.get("appHitRatio"), f"podtps.json cache.hitRatio {cache} vs {mixed_row}")
check("vote" in cache.get("workload", ""), f"podtps.json cache.workload {cache.get('workload')!r}")
check(isinstance(tps.get("rpsPerCore"), (int, float)) and tps["rpsPerCore"] > 0, "podtps.json rpsPerCore")
check((tps.get("endpoint"), tps.get("path")) == ("db", "nginx"), "podtps.json endpoint/path")

if failures:
    print("[bench-smoke] FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
    sys.exit(1)
print(f"[bench-smoke] ok: {len(res['rows'])} rows, 0 errors, results.json + results.md + podtps.json")
EOF
echo "[bench-smoke] passed in $((SECONDS - started)) s (log: $DIR/smoke.log)"
