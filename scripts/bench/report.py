"""Turn the benchmark's raw wrk runs into results.json and results.md (stdlib only).

    /usr/bin/python3 scripts/bench/report.py --runs RAW/runs.jsonl --meta META.json --out DIR

runs.jsonl has one line per measured run, written by run.sh:
    {"server", "path", "endpoint", "run", "cores", "workers", "threads", "base"}
where BASE.wrk is wrk's output (with wrk.lua's `BENCHJSON {...}` line),
BASE.stat0 / BASE.stat1 are /proc/stat before and after the run (CPU busy per CPU)
and, for the cached rows, BASE.redis0 / BASE.redis1 the cache server's INFO stats
before and after it (keyspace_hits / keyspace_misses: Redis' hit ratio). wrk.lua also
counts the responses' X-Cache header: the app's hit ratio (hits / cacheable GETs),
which for the mixed row (readers and voters) is the capacity model's input.
The format of the outputs is described in scripts/bench/README.md.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys

GUNICORN_CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "app", "gunicorn.conf.py")


def shipped_server(conf_path=GUNICORN_CONF):
    """The configuration the pod ships, from app/gunicorn.conf.py's worker class."""
    import runpy

    try:
        worker_class = str(runpy.run_path(conf_path).get("worker_class", ""))
    except BaseException:  # noqa: BLE001 - a broken conf must not hide the results
        return "gunicorn-gthread"
    if "thread" in worker_class.lower():  # gthread, or the app's DrainingThreadWorker
        return "gunicorn-gthread"
    return "gunicorn-" + (worker_class.rsplit(".", 1)[-1].lower() or "gthread")


SHIPPED_SERVER = shipped_server()
ENDPOINT_ORDER = {"health": 0, "db": 1, "db-cached-warm": 2, "db-cached-cold": 3, "db-cached-mixed": 4, "static": 5}
PATH_ORDER = {"direct": 0, "nginx": 1}
GOAL_DB_VS_HEALTH = 0.60
GOAL_CACHED_VS_HEALTH = 0.60
GOAL_NGINX_OVERHEAD = 0.10


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def parse_wrk(path):
    with open(path) as f:
        for line in f:
            if line.startswith("BENCHJSON "):
                return json.loads(line[len("BENCHJSON "):])
    raise SystemExit(f"report: no BENCHJSON line in {path} (wrk.lua not run?)")


def read_stat(path):
    cpus = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts and parts[0].startswith("cpu") and parts[0] != "cpu":
                values = [int(v) for v in parts[1:]]
                # user nice system idle iowait irq softirq steal (guest is inside user)
                total = sum(values[:8])
                idle = values[3] + (values[4] if len(values) > 4 else 0)
                cpus[parts[0][3:]] = (total, idle)
    return cpus


def cpu_busy(base):
    try:
        before, after = read_stat(base + ".stat0"), read_stat(base + ".stat1")
    except OSError:
        return {}
    busy = {}
    for cpu, (total1, idle1) in after.items():
        if cpu not in before:
            continue
        total0, idle0 = before[cpu]
        dt_total = total1 - total0
        if dt_total > 0:
            busy[cpu] = round(100.0 * (dt_total - (idle1 - idle0)) / dt_total, 1)
    return busy


def redis_lookups(base):
    """(keyspace hits, misses) of the cache server during the run, or None (not a cached row)."""
    counts = []
    for suffix in (".redis0", ".redis1"):
        try:
            with open(base + suffix) as f:
                stats = dict(line.strip().split(":", 1) for line in f if ":" in line)
        except OSError:
            return None
        counts.append((int(stats["keyspace_hits"]), int(stats["keyspace_misses"])))
    (h0, m0), (h1, m1) = counts
    return h1 - h0, m1 - m0


def hit_ratio(runs):
    lookups = [x["redis"] for x in runs if x["redis"] is not None]
    if not lookups:
        return None
    hits, misses = sum(h for h, _ in lookups), sum(m for _, m in lookups)
    return round(hits / (hits + misses), 4) if hits + misses else None


def app_hit_ratio(runs):
    """X-Cache hits / (hits + misses + bypasses) over the runs, or None (no cacheable answers)."""
    counts = [x["xCache"] for x in runs if x["xCache"]]
    hits = sum(c.get("hit", 0) for c in counts)
    labelled = sum(c.get("hit", 0) + c.get("miss", 0) + c.get("bypass", 0) for c in counts)
    return round(hits / labelled, 4) if labelled else None


def median(values):
    return statistics.median(values) if values else 0.0


def load_runs(path, meta):
    cap = meta["benchSeconds"] * meta.get("maxRps", 0)
    groups = {}
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            w = parse_wrk(r["base"] + ".wrk")
            seconds = w["durationUs"] / 1e6
            if seconds <= 0:
                raise SystemExit(f"report: zero duration in {r['base']}.wrk")
            if cap and w["requests"] >= cap * 0.99:
                raise SystemExit(
                    f"report: {r['server']} {r['path']} {r['endpoint']} run {r['run']} hit the request "
                    f"bound ({w['requests']} >= {cap}); raise BENCH_MAX_RPS"
                )
            key = (r["server"], r["path"], r["endpoint"])
            g = groups.setdefault(
                key,
                {"cores": r["cores"], "workers": r["workers"], "threads": r["threads"], "runs": []},
            )
            g["runs"].append(
                {
                    "rps": w["requests"] / seconds,
                    "p50Ms": w["latencyUs"]["p50"] / 1000.0,
                    "p99Ms": w["latencyUs"]["p99"] / 1000.0,
                    "errors": sum(w["errors"].values()),
                    "errorsByKind": w["errors"],
                    "requests": w["requests"],
                    "cpuBusyPct": cpu_busy(r["base"]),
                    "redis": redis_lookups(r["base"]),
                    "xCache": w.get("xCache"),
                }
            )
    if not groups:
        raise SystemExit(f"report: no runs in {path}")
    return groups


def build(groups, meta):
    server_order = []
    for server, _, _ in groups:
        if server not in server_order:
            server_order.append(server)
    keys = sorted(
        groups,
        key=lambda k: (server_order.index(k[0]), ENDPOINT_ORDER.get(k[2], 9), PATH_ORDER.get(k[1], 9)),
    )
    rows, detail = [], []
    for server, path, endpoint in keys:
        g = groups[(server, path, endpoint)]
        runs = g["runs"]
        rows.append(
            {
                "server": server,
                "path": path,
                "endpoint": endpoint,
                "rps": round(median([x["rps"] for x in runs]), 1),
                "p50Ms": round(median([x["p50Ms"] for x in runs]), 2),
                "p99Ms": round(median([x["p99Ms"] for x in runs]), 2),
                "errors": sum(x["errors"] for x in runs),
                "cores": g["cores"],
                "workers": g["workers"],
                "threads": g["threads"],
                "hitRatio": hit_ratio(runs),
                "appHitRatio": app_hit_ratio(runs),
            }
        )
        busy_cpus = sorted({c for x in runs for c in x["cpuBusyPct"]}, key=int)
        detail.append(
            {
                "server": server,
                "path": path,
                "endpoint": endpoint,
                "rpsRuns": [round(x["rps"], 1) for x in runs],
                "p50MsRuns": [round(x["p50Ms"], 2) for x in runs],
                "p99MsRuns": [round(x["p99Ms"], 2) for x in runs],
                "requestsRuns": [x["requests"] for x in runs],
                "errorsByKind": {
                    k: sum(x["errorsByKind"].get(k, 0) for x in runs)
                    for k in ("connect", "read", "write", "status", "timeout")
                },
                "cpuBusyPct": {
                    c: round(median([x["cpuBusyPct"].get(c, 0.0) for x in runs]), 1) for c in busy_cpus
                },
                "redisHitsMissesRuns": [list(x["redis"]) for x in runs if x["redis"] is not None],
                "xCacheRuns": [x["xCache"] for x in runs if x["xCache"]],
            }
        )
    return rows, detail


def analyse(rows):
    by = {(r["server"], r["path"], r["endpoint"]): r for r in rows}
    servers = [s for s in dict.fromkeys(r["server"] for r in rows) if s != "nginx"]
    ratios = {"dbVsHealth": [], "cachedVsHealth": [], "coldVsDb": [], "nginxOverhead": [], "vsBest": [], "mixedVsModel": []}
    for s in servers:
        for path in ("direct", "nginx"):
            health, db = by.get((s, path, "health")), by.get((s, path, "db"))
            warm, cold = by.get((s, path, "db-cached-warm")), by.get((s, path, "db-cached-cold"))
            for name, num, den in (("dbVsHealth", db, health), ("cachedVsHealth", warm, health), ("coldVsDb", cold, db)):
                if num and den and den["rps"] > 0:
                    ratios[name].append({"server": s, "path": path, "ratio": round(num["rps"] / den["rps"], 3)})
            mixed = by.get((s, path, "db-cached-mixed"))
            predicted = served_rps(warm, cold, mixed and mixed["appHitRatio"])
            if predicted:
                # The capacity model's mix (hits at warm's rate, misses at cold's), beside
                # what the readers and voters measured (votes cost more than reads).
                ratios["mixedVsModel"].append({
                    "server": s, "path": path, "hitRatio": mixed["appHitRatio"], "rps": mixed["rps"],
                    "modelRps": round(predicted, 1), "ratio": round(mixed["rps"] / predicted, 3)})
        for endpoint in ("health", "db", "db-cached-warm"):
            direct, via = by.get((s, "direct", endpoint)), by.get((s, "nginx", endpoint))
            if direct and via and direct["rps"] > 0:
                ratios["nginxOverhead"].append(
                    {"server": s, "endpoint": endpoint, "overhead": round(1 - via["rps"] / direct["rps"], 3)}
                )
    for endpoint in ("health", "db", "db-cached-warm"):
        for path in ("direct", "nginx"):
            cands = [by[(s, path, endpoint)] for s in servers if (s, path, endpoint) in by]
            if not cands:
                continue
            best = max(cands, key=lambda r: r["rps"])
            for r in cands:
                ratios["vsBest"].append(
                    {
                        "endpoint": endpoint,
                        "path": path,
                        "server": r["server"],
                        "best": best["server"],
                        "ratio": round(r["rps"] / best["rps"], 3) if best["rps"] > 0 else 0.0,
                    }
                )

    def via_nginx_goals(name, ratio_rows, threshold):
        return [
            {"goal": name, "server": x["server"], "value": x["ratio"], "met": x["ratio"] >= threshold}
            for x in ratio_rows
            if x["path"] == "nginx"
        ]

    goals = via_nginx_goals("db via nginx >= 60% of health via nginx", ratios["dbVsHealth"], GOAL_DB_VS_HEALTH)
    goals += via_nginx_goals(
        "db-cached-warm via nginx >= 60% of health via nginx", ratios["cachedVsHealth"], GOAL_CACHED_VS_HEALTH
    )
    for x in ratios["nginxOverhead"]:
        if x["endpoint"] == "db":
            goals.append(
                {
                    "goal": "nginx overhead on db <= 10%",
                    "server": x["server"],
                    "value": x["overhead"],
                    "met": x["overhead"] <= GOAL_NGINX_OVERHEAD,
                }
            )
    for r in rows:
        goals.append(
            {
                "goal": "0 errors",
                "server": r["server"],
                "path": r["path"],
                "endpoint": r["endpoint"],
                "value": r["errors"],
                "met": r["errors"] == 0,
            }
        )

    db_nginx = [by[(s, "nginx", "db")] for s in servers if (s, "nginx", "db") in by]
    winner = max(db_nginx, key=lambda r: r["rps"])["server"] if db_nginx else None
    return ratios, goals, winner


def served_rps(warm, cold, h):
    """1 / (h / warm + (1 - h) / cold): what a server does with hit ratio h, or None."""
    if not warm or not cold or h is None or warm["rps"] <= 0 or cold["rps"] <= 0:
        return None
    return 1 / (h / warm["rps"] + (1 - h) / cold["rps"])


def pct(x):
    return f"{100 * x:.1f}%"


def markdown(result, detail):
    m = result["machine"]
    out = [
        "# Serving benchmark",
        "",
        f"- machine: **{m['cpuModel']}, {m['cores']} cores** (CPUs allowed: {result['cpuLayout']['allowed']})",
        f"- date: {result['timestamp']}",
        f"- command: `{result['command']}`",
        f"- {result['benchSeconds']} s per run, {result['runs']} run(s) per row (median reported, errors summed),"
        f" {result['warmupSeconds']} s warm-up per row, {result['connections']} connections for every row",
        f"- pinning (taskset): WSGI server on CPU {result['cpuLayout']['app']}, wrk on CPU"
        f" {result['cpuLayout']['loadGenerator']}, nginx + Postgres on CPU {result['cpuLayout']['nginxAndPostgres']}",
        f"- endpoints: health `{result['endpoints']['health']}` (no DB), db `{result['endpoints']['db']}`"
        f" ({result['seed']['questions']} questions x {result['seed']['choicesPerQuestion']} choices seeded,"
        f" 20 per page), static `{result['endpoints']['static']}`",
        f"- cached rows: db-cached-warm `{result['endpoints'].get('db-cached-warm', '-')}`, db-cached-cold"
        f" `{result['endpoints'].get('db-cached-cold', '-')}`; cache server: {result.get('cache', {}).get('server', '-')}"
        f" on CPU {result['cpuLayout'].get('cacheServer', '-')}; hit ratio = keyspace_hits / (hits + misses)"
        " from its INFO stats over the runs; app hit ratio = X-Cache hits / cacheable answers",
        f"- mixed row: db-cached-mixed {result['endpoints'].get('db-cached-mixed', '-')}",
        "- software: " + "; ".join(f"{v}" for v in result["software"].values() if v),
    ]
    if result.get("appEnvOverrides"):
        out.append(
            "- app environment overrides: "
            + ", ".join(f"`{k}={v}`" for k, v in result["appEnvOverrides"].items())
        )
    if result.get("nginxSed"):
        out.append(f"- nginx experiment (sed on the rendered nginx.conf): `{result['nginxSed']}`")
    busy = {(d["server"], d["path"], d["endpoint"]): d["cpuBusyPct"] for d in detail}
    app_cpus = result["cpuLayout"]["app"].split(",")
    load_cpus = result["cpuLayout"]["loadGenerator"].split(",")

    def busy_of(key, cpus):
        vals = [busy.get(key, {}).get(c) for c in cpus]
        vals = [v for v in vals if v is not None]
        return f"{sum(vals) / len(vals):.0f}%" if vals else "-"

    out += [
        "",
        "| server | path | endpoint | req/s | p50 ms | p99 ms | errors | hit ratio | app hit ratio | cores | workers | threads | app CPU busy | wrk CPU busy |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in result["rows"]:
        key = (r["server"], r["path"], r["endpoint"])
        out.append(
            f"| {r['server']} | {r['path']} | {r['endpoint']} | {r['rps']:.1f} | {r['p50Ms']:.2f} |"
            f" {r['p99Ms']:.2f} | {r['errors']} | {'-' if r.get('hitRatio') is None else pct(r['hitRatio'])} |"
            f" {'-' if r.get('appHitRatio') is None else pct(r['appHitRatio'])} |"
            f" {r['cores']} | {r['workers']} | {r['threads']} |"
            f" {busy_of(key, app_cpus) if r['server'] != 'nginx' else '-'} | {busy_of(key, load_cpus)} |"
        )
    ratios = result["ratios"]
    out += ["", "## Ratios", "", "db vs health (req/s of `db` / req/s of `health`, same server and path):", ""]
    out += ["| server | direct | via nginx |", "| --- | ---: | ---: |"]
    for s in dict.fromkeys(x["server"] for x in ratios["dbVsHealth"]):
        vals = {x["path"]: pct(x["ratio"]) for x in ratios["dbVsHealth"] if x["server"] == s}
        out.append(f"| {s} | {vals.get('direct', '-')} | {vals.get('nginx', '-')} |")
    if ratios.get("cachedVsHealth"):
        rows_by = {(r["server"], r["path"], r["endpoint"]): r for r in result["rows"]}
        out += ["", "cache: warm (hits) vs health, cold (misses) vs db, same server and path;"
                " p99 and hit ratio of the cached rows:", ""]
        out += ["| server | path | warm / health | cold / db | warm p99 ms | cold p99 ms | warm hit ratio | cold hit ratio |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for x in ratios["cachedVsHealth"]:
            s, p = x["server"], x["path"]
            cold = next((c for c in ratios["coldVsDb"] if (c["server"], c["path"]) == (s, p)), None)
            w, c = rows_by.get((s, p, "db-cached-warm"), {}), rows_by.get((s, p, "db-cached-cold"), {})
            ratio = lambda r: "-" if r.get("hitRatio") is None else pct(r["hitRatio"])  # noqa: E731
            out.append(
                f"| {s} | {p} | {pct(x['ratio'])} | {pct(cold['ratio']) if cold else '-'} |"
                f" {w.get('p99Ms', '-')} | {c.get('p99Ms', '-')} | {ratio(w)} | {ratio(c)} |"
            )
    if ratios.get("mixedVsModel"):
        out += ["", "readers and voters (db-cached-mixed) beside the capacity model's mix of hits at the warm"
                " rate and misses at the cold rate, at the measured app hit ratio:", ""]
        out += ["| server | path | app hit ratio | measured req/s | model req/s | measured / model |",
                "| --- | --- | ---: | ---: | ---: | ---: |"]
        for x in ratios["mixedVsModel"]:
            out.append(f"| {x['server']} | {x['path']} | {pct(x['hitRatio'])} | {x['rps']:.1f} | {x['modelRps']:.1f} |"
                       f" {pct(x['ratio'])} |")
    out += ["", "nginx overhead (1 - via nginx / direct; negative: faster through nginx):", ""]
    out += ["| server | health | db | db-cached-warm |", "| --- | ---: | ---: | ---: |"]
    for s in dict.fromkeys(x["server"] for x in ratios["nginxOverhead"]):
        vals = {x["endpoint"]: pct(x["overhead"]) for x in ratios["nginxOverhead"] if x["server"] == s}
        out.append(f"| {s} | {vals.get('health', '-')} | {vals.get('db', '-')} | {vals.get('db-cached-warm', '-')} |")
    out += ["", "each server vs the best (req/s / the best server's, same endpoint and path):", ""]
    combos = list(dict.fromkeys((x["endpoint"], x["path"]) for x in ratios["vsBest"]))
    servers = list(dict.fromkeys(x["server"] for x in ratios["vsBest"]))
    out += ["| server | " + " | ".join(f"{e} {p}" for e, p in combos) + " |"]
    out += ["| --- |" + " ---: |" * len(combos)]
    for s in servers:
        cells = []
        for e, p in combos:
            x = next((x for x in ratios["vsBest"] if x["server"] == s and x["endpoint"] == e and x["path"] == p), None)
            cells.append("-" if x is None else ("**best**" if x["server"] == x["best"] else pct(x["ratio"])))
        out.append(f"| {s} | " + " | ".join(cells) + " |")

    out += ["", "## Goals", ""]
    for g in result["goals"]:
        if g["goal"] == "0 errors":
            continue
        value = pct(g["value"])
        out.append(f"- {g['goal']}: {g['server']} {value} — {'met' if g['met'] else '**missed**'}")
    bad = [g for g in result["goals"] if g["goal"] == "0 errors" and not g["met"]]
    if bad:
        for g in bad:
            out.append(f"- 0 errors: {g['server']} {g['path']} {g['endpoint']}: **{g['value']} errors**")
    else:
        out.append("- 0 errors in every row — met")
    out += [
        "",
        "## Capacity input",
        "",
        f"- fastest server on db via nginx: **{result['winner']}**; the app ships `{SHIPPED_SERVER}`"
        " (app/gunicorn.conf.py); `make bench-apply` (scripts/bench/apply.sh) writes the shipped"
        " server's db-via-nginx req/s per core to infra/config/podtps.json, and with the cached rows"
        " its cache hits' req/s per core (db-cached-warm via nginx) and the app hit ratio of the"
        " readers and voters (db-cached-mixed via nginx).",
    ]
    sync_ = next((r for r in result["rows"] if (r["server"], r["path"], r["endpoint"]) == (result["winner"], "nginx", "db")), None)
    ship = next((r for r in result["rows"] if (r["server"], r["path"], r["endpoint"]) == (SHIPPED_SERVER, "nginx", "db")), None)
    if sync_ and ship and sync_["rps"] > 0:
        out.append(
            f"- {SHIPPED_SERVER} db via nginx: {ship['rps']:.1f} req/s on {ship['cores']} core(s)"
            f" = {ship['rps'] / ship['cores']:.1f} req/s per core ({pct(ship['rps'] / sync_['rps'])} of the fastest)"
        )
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    with open(args.meta) as f:
        meta = json.load(f)
    groups = load_runs(args.runs, meta)
    rows, detail = build(groups, meta)
    ratios, goals, winner = analyse(rows)
    now = dt.datetime.now(dt.timezone.utc)
    result = {
        "date": now.strftime("%Y-%m-%d"),
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpuModel": cpu_model(), "cores": os.cpu_count()},
        **meta,
        "rows": rows,
        "ratios": ratios,
        "goals": goals,
        "winner": winner,
        "shipped": SHIPPED_SERVER,
        "detail": detail,
    }
    os.makedirs(args.out, exist_ok=True)
    for name, text in (
        ("results.json", json.dumps(result, indent=2) + "\n"),
        ("results.md", markdown(result, detail)),
    ):
        tmp = os.path.join(args.out, name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(args.out, name))
    print(markdown(result, detail), end="")


if __name__ == "__main__":
    sys.exit(main())
