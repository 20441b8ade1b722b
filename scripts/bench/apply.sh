#!/usr/bin/env bash
# `make bench-apply`: turn the measured serving rate into the capacity model's input.
#
# Reads build/bench/results.json (from `make bench`) and writes infra/config/podtps.json:
#   {"rpsPerCore": <db endpoint via nginx, req/s of SERVER / its app cores>,
#    "server": SERVER, "endpoint": "db", "path": "nginx", "date": "YYYY-MM-DD",
#    "machine": "<cpu model>, <n> cores", "command": "make bench BENCH_SECONDS=...",
#    "source": "build/bench/results.json",
#    "cache": {"hitRpsPerCore": <db-cached-warm via nginx, req/s / cores>,
#              "hitRatio": <db-cached-mixed via nginx: the app's X-Cache hits / cacheable answers>,
#              "workload": "<the mixed row: its votes share, server, date, command>"}}
# The capacity model's podTps default is rpsPerCore x the pod's CPU request in cores;
# with the cache on, a pod serves 1 / (h / hit TPS + (1 - h) / podTps), h = cache.hitRatio
# unless the stack sets django-gke:cache.hitRatio. Without the cached rows (BENCH_ROWS
# left them out) the cache section is left as it was.
#
# SERVER is the configuration the pod ships (from app/gunicorn.conf.py's worker class:
# gunicorn-gthread today):
# podTps must describe what the pod runs, whichever server was fastest; the script
# says when another configuration measured faster. Refuses rows with errors.
#
#   BENCH_RESULTS       input (default <repo>/build/bench/results.json)
#   BENCH_APPLY_OUT     output (default <repo>/infra/config/podtps.json)
#   BENCH_APPLY_SERVER  configuration to take (default: the shipped one, gunicorn-gthread)
#   BENCH_APPLY_FORCE   1: write even if the row had errors
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

RESULTS="${BENCH_RESULTS:-$REPO/build/bench/results.json}"
OUT="${BENCH_APPLY_OUT:-$REPO/infra/config/podtps.json}"
SERVER="${BENCH_APPLY_SERVER:-$(cd "$HERE" && /usr/bin/python3 -B -c 'import report; print(report.SHIPPED_SERVER)')}"

[[ -s "$RESULTS" ]] || {
	echo "[bench-apply] ERROR: $RESULTS not found: run \`make bench\` first" >&2
	exit 1
}

exec /usr/bin/python3 - "$RESULTS" "$OUT" "$SERVER" "$REPO" "${BENCH_APPLY_FORCE:-0}" <<'EOF'
import json, os, sys

results_path, out_path, server, repo, force = sys.argv[1:6]
with open(results_path) as f:
    res = json.load(f)

def fail(msg):
    sys.exit(f"[bench-apply] ERROR: {msg}")

rows = res.get("rows") if isinstance(res, dict) else None
if not rows:
    fail(f"{results_path}: no rows")
def row_of(endpoint):
    """SERVER's row for endpoint via nginx (None if not measured); refuses one with errors."""
    r = next((r for r in rows if (r["server"], r["path"], r["endpoint"]) == (server, "nginx", endpoint)), None)
    if r is not None and r["errors"] and force != "1":
        fail(f"{server} {endpoint} via nginx had {r['errors']} errors: fix that first (or BENCH_APPLY_FORCE=1)")
    return r

row = row_of("db")
if row is None:
    fail(f"{results_path}: no row for server {server!r}, path nginx, endpoint db "
         f"(servers measured: {', '.join(sorted({r['server'] for r in rows}))})")
if not row["rps"] > 0 or not row["cores"] > 0:
    fail(f"{server} db via nginx: rps {row['rps']} on {row['cores']} cores is not a measurement")

source = os.path.relpath(os.path.abspath(results_path), repo)
machine = res["machine"]
warm, mixed = row_of("db-cached-warm"), row_of("db-cached-mixed")
try:
    with open(out_path) as f:
        cache = json.load(f).get("cache")
except (OSError, ValueError):
    cache = None
if warm and mixed:
    if not warm["rps"] > 0 or mixed.get("appHitRatio") is None:
        fail(f"{server} cached rows via nginx: warm {warm['rps']} req/s, mixed app hit ratio "
             f"{mixed.get('appHitRatio')} is not a measurement")
    cache = {
        "hitRpsPerCore": round(warm["rps"] / warm["cores"], 1),
        "hitRatio": mixed["appHitRatio"],
        "workload": f"readers and voters: {res['endpoints']['db-cached-mixed']} "
                    f"({server}, via nginx, {res['command']}, {res['date']})",
    }
elif warm or mixed:
    fail(f"{results_path}: {server} has only one of db-cached-warm and db-cached-mixed via nginx; "
         "measure both (the default BENCH_ROWS) or neither")
else:
    print("[bench-apply] NOTE: no cached rows measured: the cache section stays as it was", file=sys.stderr)

podtps = {
    "rpsPerCore": round(row["rps"] / row["cores"], 1),
    "server": server,
    "endpoint": "db",
    "path": "nginx",
    "date": res["date"],
    "machine": f"{machine['cpuModel']}, {machine['cores']} cores",
    "command": res["command"],
    "source": source,
}
if cache is not None:
    podtps["cache"] = cache
tmp = out_path + ".tmp"
with open(tmp, "w") as f:
    json.dump(podtps, f, indent=2)
    f.write("\n")
os.replace(tmp, out_path)
print(f"[bench-apply] wrote {os.path.relpath(out_path, repo)}: rpsPerCore {podtps['rpsPerCore']} "
      f"({server}, db via nginx, {row['rps']} req/s on {row['cores']} core(s), {podtps['date']}, {podtps['machine']})")
if warm and mixed:
    print(f"[bench-apply] cache: hitRpsPerCore {cache['hitRpsPerCore']} (db-cached-warm via nginx), "
          f"hitRatio {cache['hitRatio']} (db-cached-mixed via nginx)")

if res.get("benchSeconds", 0) < 10 or res.get("runs", 0) < 3:
    print(f"[bench-apply] WARNING: measured with {res.get('benchSeconds')} s x {res.get('runs')} run(s); "
          "for a committed figure use `make bench` (20 s x 3 runs) on an idle machine", file=sys.stderr)
best = max((r for r in rows if r["path"] == "nginx" and r["endpoint"] == "db"), key=lambda r: r["rps"] / r["cores"])
if best["server"] != server and best["rps"] / best["cores"] > 1.05 * row["rps"] / row["cores"]:
    print(f"[bench-apply] NOTE: {best['server']} measured faster on db via nginx "
          f"({best['rps'] / best['cores']:.1f} vs {row['rps'] / row['cores']:.1f} req/s per core); "
          f"podTps follows what the pod runs ({server})", file=sys.stderr)
EOF
