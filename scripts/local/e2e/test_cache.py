"""The cache server end to end: nginx -> gunicorn -> Django -> redis-server (TLS + AUTH).

- hits and misses (X-Cache), the same headers and JSON access lines for both;
- a vote (API and HTML form) is seen at once by the voter and by a second reader;
- redis-server killed under bounded concurrent load: no request fails, and the
  cache is used again once it is back (waits on conditions, never fixed sleeps);
- a wrong password: one clear start-up line, 200s from the database, /readyz 200,
  gunicorn's master and workers stay up.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pod

LOAD_THREADS = 6
LOAD_MAX_REQUESTS = 6000
LOAD_MAX_SECONDS = 60
OUTAGE_ANSWERS = 150  # answered from the database while redis-server is dead, before it is started again
BACK_WITHIN_S = 30.0  # hits again after redis-server answers (breaker retry: 5 s)
VOLATILE = {"date", "x-cache", "content-length"}


def probe():
    return os.urandom(4).hex()


def get(path, headers=None):
    status, hdrs, body, _ = pod.request("GET", path, headers=headers)
    return status, hdrs, body


class CacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        pod.ensure_up()
        if not pod.pod_environ().get("CACHE_REDIS_HOST"):
            raise AssertionError("the test pod has no cache server (CACHE_REDIS_HOST unset): run scripts/local/test.sh")

    def test_miss_then_hit_same_answer_and_access_logs(self):
        trace = os.urandom(16).hex()
        path = f"/api/questions/?limit=3&probe={probe()}"
        gunicorn_at = pod.log_size(pod.GUNICORN_LOG)
        answers = [get(path, {"X-Cloud-Trace-Context": f"{trace}/1;o=1"}) for _ in range(3)]
        self.assertEqual([a[0] for a in answers], [200, 200, 200])
        self.assertEqual([a[1]["x-cache"] for a in answers], ["miss", "hit", "hit"])
        self.assertEqual(answers[1][2], answers[0][2])
        strip = lambda h: {k: v for k, v in h.items() if k not in VOLATILE}  # noqa: E731
        self.assertEqual(strip(answers[1][1]), strip(answers[0][1]))
        self.assertEqual(answers[1][1]["cache-control"], "no-store")
        self.assertEqual(answers[1][1]["content-type"], "application/json")

        def lines():
            return [e for e in pod.json_lines(pod.GUNICORN_LOG, gunicorn_at)
                    if path in e.get("httpRequest", {}).get("requestUrl", "")]

        logged = pod.wait_until(lambda: len(lines()) >= 3 and lines(), 5)
        self.assertTrue(logged, "gunicorn did not log the hits and the miss:\n" + pod.tail(pod.GUNICORN_LOG))
        for entry in logged:
            self.assertEqual(entry["httpRequest"]["status"], 200)
            self.assertEqual(entry["logging.googleapis.com/trace"], f"projects/local/traces/{trace}")

    def test_api_vote_seen_at_once_by_voter_and_others(self):
        q = pod.create_question("Cached vote?", ("yes", "no"))
        url = q["url"]
        get(url)
        self.assertEqual(get(url)[1]["x-cache"], "hit")
        status, _, body, _ = pod.request("POST", url + "vote/", {"choice": q["choices"][0]["id"]})
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(json.loads(body)["total_votes"], 1)
        for reader in ("voter", "second reader"):
            status, hdrs, body = get(url)  # a new connection each: any worker
            self.assertEqual((status, json.loads(body)["total_votes"]), (200, 1), f"{reader}: {hdrs}")
        listing = json.loads(get("/api/questions/?limit=100")[2])
        self.assertEqual(next(x for x in listing["results"] if x["id"] == q["id"])["total_votes"], 1)

    def test_html_vote_seen_at_once(self):
        q = pod.create_question("Cached form vote?", ("red", "blue"))
        results = f"/questions/{q['id']}/results/"
        get(results)
        self.assertEqual(get(results)[1]["x-cache"], "hit")
        status, hdrs, body = get(f"/questions/{q['id']}/")
        self.assertEqual(status, 200)
        cookies = SimpleCookie(hdrs.get("set-cookie", ""))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        cookie = "; ".join(f"{k}={m.value}" for k, m in cookies.items())
        form = urlencode({"csrfmiddlewaretoken": token, "choice": q["choices"][1]["id"]}).encode()
        status, hdrs, body, _ = pod.request(
            "POST", f"/questions/{q['id']}/vote/", form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        self.assertEqual(status, 302, body[:300])
        self.assertEqual(hdrs["location"], results)
        status, _, page = get(results, {"Cookie": cookie})
        self.assertIn(b"blue &mdash; 1 vote<", page)
        self.assertIn(b"blue &mdash; 1 vote<", get(results)[2])  # a second reader, no cookies

    def test_redis_killed_under_load_nothing_fails_and_the_cache_comes_back(self):
        q = pod.create_question("Outage?", ("up", "down"))
        load = Load(q)
        gunicorn_at = pod.log_size(pod.GUNICORN_LOG)
        threads = [threading.Thread(target=load.worker, args=(i,), daemon=True) for i in range(LOAD_THREADS)]
        for t in threads:
            t.start()
        try:
            self.assertTrue(pod.wait_until(lambda: load.count("hit") >= 50, 20), f"no hits under load: {load.summary()}")
            pod.script("redis.sh", "kill", timeout=60)
            killed_at = load.mark()
            self.assertTrue(
                pod.wait_until(lambda: load.count("bypass", since=killed_at) >= OUTAGE_ANSWERS, 30),
                f"too few answers from the database after the kill: {load.summary()}\n{pod.tail(pod.GUNICORN_LOG)}",
            )
            pod.script("redis.sh", "start", timeout=60)
            started_at = load.mark()
            back = pod.wait_until(lambda: load.count("hit", since=started_at) >= 20, BACK_WITHIN_S)
            back_s = time.monotonic() - load.times[started_at]
        finally:
            load.stop.set()
            for t in threads:
                t.join(timeout=30)
            if not pod.alive(pod.read_pid(pod.REDIS_PID)):
                pod.script("redis.sh", "start", timeout=60)
        print(f"\n[cache-outage] {load.summary()}; hits again {back_s:.1f} s after redis-server was back", flush=True)
        self.assertFalse(any(t.is_alive() for t in threads), "load threads did not stop")
        self.assertTrue(back, f"no hits within {BACK_WITHIN_S} s after redis-server came back: {load.summary()}\n"
                        + pod.tail(pod.GUNICORN_LOG) + pod.tail(pod.REDIS_LOG, 5))
        self.assertEqual(load.failures, [], f"requests failed: {load.failures[:10]}")
        # Logged once per interval per process, not per request.
        warnings = [e["message"] for e in pod.json_lines(pod.GUNICORN_LOG, gunicorn_at)
                    if e.get("logger") == "djangogke.cache"]
        workers = len(pod.process_tree()["gunicorn"]) - 1
        self.assertGreaterEqual(len(warnings), 1, "the outage was not logged")
        self.assertLessEqual(len(warnings), 2 * workers * 2, warnings)  # a failure + a recovery line per worker (x2 slack)
        # every vote answered 200 is counted
        total = json.loads(get(q["url"], {"Cache-Control": "no-cache"})[2])["total_votes"]
        self.assertGreaterEqual(total, load.votes_ok)

    def test_wrong_password_start_up_line_and_served_from_the_database(self):
        environ = dict(pod.pod_environ(), CACHE_REDIS_PASSWORD="wrong-" + probe())
        with tempfile.TemporaryDirectory() as tmp, socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
            log = os.path.join(tmp, "gunicorn.log")
            environ.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_PIDFILE=os.path.join(tmp, "pid"), GUNICORN_WORKERS="2")
            with open(log, "wb") as out:
                proc = subprocess.Popen(
                    ["/usr/bin/python3", "-m", "gunicorn", "--config", str(pod.REPO / "app" / "gunicorn.conf.py")],
                    cwd=pod.REPO / "app", env=environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                )
            try:
                up = pod.wait_until(lambda: pod.status_of_port(port, "/healthz") == 200, 30, interval=0.1)
                self.assertTrue(up, "gunicorn did not start:\n" + pod.tail(log))
                workers = pod.wait_until(lambda: len(pod.children(proc.pid)) == 2 and pod.children(proc.pid), 10)
                self.assertTrue(workers, pod.tail(log))
                for _ in range(30):
                    status, hdrs, body, _ = pod.request("GET", "/api/questions/", port=port)
                    self.assertEqual((status, hdrs.get("x-cache")), (200, "bypass"), body[:200])
                status, _, body, _ = pod.request("GET", "/readyz", port=port, host="10.4.2.17")
                self.assertEqual(status, 200, body)
                self.assertEqual(json.loads(body)["cache"], "unavailable")
                self.assertEqual(pod.children(proc.pid), workers, "workers restarted: crash loop")
                self.assertIsNone(proc.poll(), "gunicorn's master exited")
                with open(log, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                address = f"127.0.0.1:{environ['CACHE_REDIS_PORT']}"
                start_lines = [json.loads(x)["message"] for x in text.splitlines()
                               if x.startswith("{") and "cache: AUTH failed" in x]
                self.assertEqual(
                    start_lines,
                    [f"cache: AUTH failed for redis at {address} (check CACHE_REDIS_PASSWORD); serving without the cache"],
                    pod.tail(log),
                )
                self.assertNotIn(environ["CACHE_REDIS_PASSWORD"], text)
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)


class Load:
    """Bounded load on nginx (keep-alive connections): GETs of list, detail, results; some votes."""

    def __init__(self, question):
        self.q = question
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.deadline = time.monotonic() + LOAD_MAX_SECONDS
        self.results = []  # (monotonic, kind, status, x-cache)
        self.times = []  # marks: monotonic times, indexes into results by time
        self.failures = []
        self.votes_ok = 0

    def mark(self):
        with self.lock:
            self.times.append(time.monotonic())
            return len(self.times) - 1

    def count(self, x_cache, since=None):
        t0 = self.times[since] if since is not None else 0
        with self.lock:
            return sum(1 for t, kind, _, xc in self.results if t >= t0 and xc == x_cache)

    def summary(self):
        with self.lock:
            by = {}
            for _, kind, status, xc in self.results:
                by[(kind, status, xc)] = by.get((kind, status, xc), 0) + 1
        return f"{len(self.results)} requests, {len(self.failures)} failed, by (kind, status, X-Cache): {by}"

    def worker(self, index):
        conn = None
        paths = ["/api/questions/?limit=5", self.q["url"], f"/questions/{self.q['id']}/results/", "/"]
        n = 0
        while not self.stop.is_set() and time.monotonic() < self.deadline and len(self.results) < LOAD_MAX_REQUESTS:
            n += 1
            vote = n % 10 == 0
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(pod.HOST, pod.HTTP_PORT, timeout=10)
                if vote:
                    body = json.dumps({"choice": self.q["choices"][n % 2]["id"]})
                    conn.request("POST", self.q["url"] + "vote/", body=body,
                                 headers={"Host": "localhost", "Content-Type": "application/json"})
                else:
                    conn.request("GET", paths[(index + n) % len(paths)], headers={"Host": "localhost"})
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
                with self.lock:
                    self.results.append((time.monotonic(), "vote" if vote else "get", resp.status, resp.getheader("X-Cache")))
                    if vote and ok:
                        self.votes_ok += 1
                    if not ok:
                        self.failures.append(f"{'POST vote' if vote else 'GET'} -> {resp.status}")
            except (OSError, http.client.HTTPException) as exc:
                with self.lock:
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()


if __name__ == "__main__":
    unittest.main()
