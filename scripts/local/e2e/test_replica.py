"""A real streaming replica: reads from it, writes (and a writer's reads) to the primary, real lag.

scripts/local/replica.sh makes a hot standby of the test pod's Postgres (pg_basebackup
-R into its own data dir, its own port); each class here starts it, and replaces the
pod's gunicorn (same port, same nginx in front, same user, pid file and log) with one
that has DB_REPLICA_HOST/PORT pointing at it and a read-your-writes window of
WINDOW_S seconds; afterwards the replica is stopped and the pod's own gunicorn started
again (up.sh). Replication lag is made deterministic by pausing WAL replay on the
replica (pg_wal_replay_pause()): the primary then has a vote the replica has not applied.

- a plain GET reads the replica (X-DB-Route: replica) and shows the primary's data
  once replayed;
- staleness: A votes; A's reads (with the cookie) show the new count from the primary,
  B's (no cookie) the old one from the replica; after the replay resumes B sees it;
- after the window A reads the replica again (the old count while replay is paused:
  the window is what protects the writer, the server ignores an expired cookie);
- with the cache server: a miss after A's vote is filled from the primary although
  the replica lags (B: X-Cache miss then hit, new count; a bypass shows the replica's
  old count);
- replica stopped: /readyz 503 naming the replica, writes and the writer's reads work
  on the primary, other reads 503, one line per failure and no traceback, nothing
  restarts; replica back: /readyz 200.

Every wait is on a condition with a bounded timeout and says what it saw; all
traffic goes to 127.0.0.1.
"""

import http.client
import json
import time
import unittest
from http.cookies import SimpleCookie

import pod

WINDOW_S = 3  # DB_READ_YOUR_WRITES_SECONDS of this test's gunicorn
COOKIE = "db_primary_until"
REPLAY_WITHIN_S = 30.0  # the replica applies what the primary wrote (no pause): normally milliseconds
READY_WITHIN_S = 15.0
BACK_WITHIN_S = 40.0  # replica started again -> /readyz 200 (pg start + streaming + health checks)
PROBE_HOST = "10.4.2.17"  # kubelet sends the pod IP


class Browser:
    """A client on fresh connections to nginx that keeps the cookies it is given (all of them)."""

    def __init__(self, name):
        self.name = name
        self.cookies = {}
        self.last_set_cookie = []  # the Set-Cookie headers of the last answer

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(pod.HOST, pod.HTTP_PORT, timeout=15)
        hdrs = {"Host": "localhost"}
        if body is not None:
            body = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        sent = time.time()
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            for raw in resp.headers.get_all("Set-Cookie") or []:
                for key, morsel in SimpleCookie(raw).items():
                    self.cookies[key] = morsel.value
            self.last_set_cookie = resp.headers.get_all("Set-Cookie") or []
            return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, sent)
        finally:
            conn.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, body):
        return self.request("POST", path, body)


class Answer:
    def __init__(self, status, headers, body, sent):
        self.status, self.headers, self.body = status, headers, body
        # wall clock when it was sent and when it arrived (the cookie holds an epoch second)
        self.sent, self.at = sent, time.time()

    @property
    def route(self):
        return self.headers.get("x-db-route")

    @property
    def cache(self):
        return self.headers.get("x-cache")

    def json(self):
        return json.loads(self.body)

    @property
    def votes(self):
        return self.json()["total_votes"] if self.status == 200 else None

    def __repr__(self):
        return (f"<{self.status} X-DB-Route={self.route} X-Cache={self.cache} "
                f"votes={self.votes if self.status == 200 else '-'} body={self.body[:160]!r}>")


# --- the replica ------------------------------------------------------------------


def replica_lsn():
    return pod.psql("SELECT pg_last_wal_replay_lsn()", replica=True)


def wait_on_replica(test, sql, expected):
    """Wait until `sql` on the replica answers `expected` (what the primary committed is replayed)."""
    seen = []

    def check():
        seen.append(pod.psql(sql, replica=True))
        return seen[-1] == expected

    done = pod.wait_until(check, REPLAY_WITHIN_S, interval=0.1)
    test.assertTrue(done, f"the replica did not answer {expected!r} to {sql!r} within {REPLAY_WITHIN_S} s "
                          f"(last: {seen[-1:]}; replayed up to {replica_lsn()}, primary at "
                          f"{pod.psql('SELECT pg_current_wal_insert_lsn()')}; replay {pause_state()})\n"
                          + pod.tail(pod.REPLICA_LOG))


def pause_state():
    return pod.psql("SELECT pg_get_wal_replay_pause_state()", replica=True)


def pause_replay(test):
    """Pause WAL replay: from now on the replica applies nothing the primary writes.

    The startup process checks the request before applying each record, so once it
    is requested ("pause requested", then "paused") nothing newer is applied.
    """
    pod.psql("SELECT pg_wal_replay_pause()", replica=True)
    state = pause_state()
    test.assertIn(state, ("pause requested", "paused"), "WAL replay not paused on the replica")


def resume_replay():
    if pod.psql("SELECT pg_is_wal_replay_paused()", replica=True) == "t":
        pod.psql("SELECT pg_wal_replay_resume()", replica=True)


def replica_running():
    try:
        pod.script("replica.sh", "status", timeout=60)
        return True
    except AssertionError:
        return False


class ReplicaPodTest(unittest.TestCase):
    """The pod with a streaming replica and a gunicorn that reads from it."""

    CACHE = False  # the cache server (CACHE_* of the pod): on in the cache test only

    @classmethod
    def setUpClass(cls):
        pod.ensure_up()
        pod.script("replica.sh", "start", timeout=180)
        cls.proc = None
        try:
            pod.stop_gunicorn()
            drop = () if cls.CACHE else ("CACHE_REDIS_HOST", "CACHE_REDIS_PORT", "CACHE_REDIS_PASSWORD",
                                         "CACHE_REDIS_CA_FILE")
            cls.proc = pod.start_gunicorn(
                {"DB_REPLICA_HOST": "127.0.0.1", "DB_REPLICA_PORT": str(pod.REPLICA_PORT),
                 "DB_READ_YOUR_WRITES_SECONDS": str(WINDOW_S),
                 # What the program sets in a replica region: readiness = can it read its region's replica.
                 "DB_READINESS": "replica"},
                drop=drop,
            )
            ready = pod.wait_until(lambda: pod.status_of("/readyz", host=PROBE_HOST) == 200, READY_WITHIN_S)
            if not ready:
                raise AssertionError("gunicorn with the replica is not ready:\n" + pod.tail(pod.GUNICORN_LOG))
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.proc is not None:
                pod.stop_gunicorn(cls.proc)
                cls.proc = None
        finally:
            try:
                pod.script("replica.sh", "stop", timeout=120)
            finally:
                pod.ensure_up()  # the pod's own gunicorn again, for the other tests

    def setUp(self):
        if not replica_running():
            pod.script("replica.sh", "start", timeout=180)
        resume_replay()
        self.log_at = pod.log_size(pod.GUNICORN_LOG)

    def tearDown(self):
        if replica_running():
            resume_replay()

    def question(self, text):
        """A new question, created through nginx (a write: the primary), then replayed on the replica."""
        r = Browser("creator").post("/api/questions/", {"text": text, "choices": ["yes", "no"]})
        self.assertEqual((r.status, r.route), (201, "primary"), r)
        q = r.json()
        wait_on_replica(self, f"SELECT count(*) FROM polls_choice WHERE question_id = {int(q['id'])}", "2")
        return q

    def vote(self, browser, q):
        r = browser.post(q["url"] + "vote/", {"choice": q["choices"][0]["id"]})
        self.assertEqual((r.status, r.route), (200, "primary"), r)
        self.assertIn(COOKIE, browser.cookies, browser.last_set_cookie)
        cookie = SimpleCookie(next(c for c in browser.last_set_cookie if c.startswith(COOKIE + "=")))[COOKIE]
        self.assertEqual((cookie["max-age"], cookie["httponly"], cookie["samesite"]), (str(WINDOW_S), True, "Lax"))
        return r, int(cookie.value)

    def assert_reads(self, browser, url, route, votes, times=3, **extra):
        """`times` GETs on fresh connections (any worker): each from `route` with `votes` votes."""
        for _ in range(times):
            r = browser.get(url, **extra)
            self.assertEqual((r.status, r.route, r.votes), (200, route, votes), f"{browser.name}: {r}")
        return r

    def wait_reads(self, browser, url, route, votes, within, **extra):
        seen = []

        def check():
            r = browser.get(url, **extra)
            seen.append(r)
            return r.status == 200 and r.route == route and r.votes == votes and r

        r = pod.wait_until(check, within, interval=0.1)
        self.assertTrue(r, f"{browser.name} never read {votes} votes from the {route} within {within} s; "
                           f"last answers: {seen[-3:]}")
        return r


class ReplicaReadsTest(ReplicaPodTest):
    """Without the cache server: every read the app makes goes to the database the router picks."""

    def test_a_plain_get_reads_the_replica(self):
        created = self.question("Served by the replica?")
        b = Browser("B")
        r = b.get(created["url"])
        self.assertEqual((r.status, r.route), (200, "replica"), r)
        self.assertEqual(r.json(), created, "the replica's answer is the primary's data, once replayed")
        listing = b.get("/api/questions/?limit=5")
        self.assertEqual((listing.status, listing.route), (200, "replica"), listing)
        self.assertIn(created["id"], [q["id"] for q in listing.json()["results"]])
        page = b.get("/")
        self.assertEqual((page.status, page.route), (200, "replica"), page)
        self.assertIn(b"Served by the replica?", page.body)
        self.assertIsNone(r.cache, "this gunicorn runs without the cache server")
        self.assertNotIn(COOKIE, b.cookies, "a read sets no cookie")

    def test_b_others_may_read_stale_data_the_writer_never(self):
        q = self.question("Stale for others?")
        a, b = Browser("A"), Browser("B")
        self.assert_reads(b, q["url"], "replica", 0, times=1)
        pause_replay(self)
        r, until = self.vote(a, q)
        self.assertEqual(r.votes, 1, "the vote's answer comes from the primary")
        self.assertLess(time.time(), until - 1, "the machine took more than the window to get here")
        self.assert_reads(a, q["url"], "primary", 1)  # A's reads carry the cookie
        self.assert_reads(b, q["url"], "replica", 0)  # B: the replica has not applied the vote
        results = b.get(f"/questions/{q['id']}/results/")
        self.assertEqual((results.status, results.route), (200, "replica"), results)
        self.assertIn(b"yes &mdash; 0 votes<", results.body)
        primary_at = pod.psql("SELECT pg_current_wal_insert_lsn()")
        print(f"\n[replica] paused: A (cookie) reads 1 vote from the primary, B reads 0 from the replica "
              f"(primary's WAL at {primary_at}, replica replayed {replica_lsn()})", flush=True)
        resume_replay()
        started = time.monotonic()
        self.wait_reads(b, q["url"], "replica", 1, REPLAY_WITHIN_S)
        print(f"[replica] resumed: B reads 1 vote from the replica {time.monotonic() - started:.2f} s later",
              flush=True)

    def test_c_after_the_window_the_writer_reads_the_replica_again(self):
        q = self.question("Window?")
        a = Browser("A")
        pause_replay(self)
        r, until = self.vote(a, q)
        self.assertGreaterEqual(until, r.sent + WINDOW_S)
        self.assertLessEqual(until, r.at + WINDOW_S + 1)
        self.assertLess(time.time(), until - 1, "the machine took more than the window to get here")
        self.assert_reads(a, q["url"], "primary", 1, times=1)
        # A keeps sending the cookie (a browser drops it after Max-Age): the server
        # ignores it once expired, and A reads the replica, which has not applied A's
        # vote yet: the window is all that protects the writer.
        after = self.wait_reads(a, q["url"], "replica", 0, WINDOW_S + 15)
        self.assertIn(COOKIE, a.cookies)
        self.assertGreaterEqual(after.at, until, "the cookie was ignored before it expired")
        print(f"\n[replica] A reads the replica again {after.at - r.at:.2f} s after its vote "
              f"(window {WINDOW_S} s, cookie until {until})", flush=True)
        resume_replay()
        self.wait_reads(a, q["url"], "replica", 1, REPLAY_WITHIN_S)

    def test_e_replica_down_unready_writes_still_work_and_back(self):
        q = self.question("Replica down?")
        before = pod.process_tree()
        status, _, body, _ = pod.request("GET", "/readyz", host=PROBE_HOST)
        self.assertEqual((status, json.loads(body)["replica"]), (200, "ok"), body)
        log_at = pod.log_size(pod.GUNICORN_LOG)
        pod.script("replica.sh", "stop", timeout=120)
        answers = []

        def readyz():
            try:
                status, _, body, seconds = pod.request("GET", "/readyz", host=PROBE_HOST, timeout=10)
            except OSError as exc:
                status, body, seconds = 0, str(exc).encode(), 10.0
            answers.append((status, body, seconds))
            return status

        self.assertTrue(pod.wait_until(lambda: readyz() == 503, READY_WITHIN_S, interval=0.1),
                        f"/readyz never 503 with the replica down: {answers[-3:]}")
        for _ in range(5):
            self.assertEqual(readyz(), 503, answers[-1])
        body = json.loads(answers[-1][1])
        self.assertEqual((body["status"], body["replica"], body["error"]),
                         ("unavailable", "error", "OperationalError"), body)
        self.assertLess(max(s for _, _, s in answers), 4.0, "a probe must answer within its timeout")
        self.assertEqual(pod.status_of("/healthz", host=PROBE_HOST), 200)

        # Writes go to the primary, and so do the writer's reads; other reads need the replica.
        a, b = Browser("A"), Browser("B")
        created = a.post("/api/questions/", {"text": "Written while the replica is down", "choices": ["x", "y"]})
        self.assertEqual((created.status, created.route), (201, "primary"), created)
        r, _ = self.vote(a, q)
        self.assertEqual(r.votes, 1)
        self.assert_reads(a, q["url"], "primary", 1, times=2)
        r = b.get(q["url"])
        self.assertEqual((r.status, r.headers.get("retry-after"), r.route), (503, "5", "replica"), r)

        lines = pod.json_lines(pod.GUNICORN_LOG, log_at)
        with open(pod.GUNICORN_LOG, "rb") as f:
            f.seek(log_at)
            text = f.read().decode("utf-8", "replace")
        self.assertNotIn("Traceback", text)
        health = [e["message"] for e in lines if e.get("logger") == "djangogke.health"]
        failed_checks = sum(1 for s, _, _ in answers if s == 503)
        self.assertGreaterEqual(len(health), 1)
        self.assertLessEqual(len(health), failed_checks, health)  # one line per failed check
        for message in health:
            self.assertIn(f"replica database at 127.0.0.1:{pod.REPLICA_PORT}", message)
        unavailable = [e["message"] for e in lines if e.get("logger") == "djangogke.middleware"]
        self.assertEqual(len(unavailable), 1, unavailable)  # B's read

        started = time.monotonic()
        pod.script("replica.sh", "start", timeout=180)
        back = pod.wait_until(lambda: readyz() == 200, BACK_WITHIN_S, interval=0.2)
        self.assertTrue(back, f"/readyz not 200 within {BACK_WITHIN_S} s after the replica started: {answers[-3:]}")
        self.wait_reads(b, q["url"], "replica", 1, REPLAY_WITHIN_S)
        after = pod.process_tree()
        print(f"\n[replica] down: /readyz 503 naming the replica, {len(health)} warning line(s) for "
              f"{failed_checks} failed checks; ready again {time.monotonic() - started:.2f} s after replica.sh start; "
              f"gunicorn pids {before['gunicorn']} -> {after['gunicorn']}", flush=True)
        self.assertEqual(after["gunicorn"], before["gunicorn"], "gunicorn master or workers restarted")


    def test_f_primary_down_the_replica_region_serves_reads(self):
        """The primary stops (an outage of the primary's region, or its failover): this
        region's pods stay ready, so the load balancer keeps them; reads come from the
        replica, writes answer 503 fast; nothing restarts. (The primary's health is an alert.)"""
        q = self.question("Primary down?")
        before = pod.process_tree()
        b = Browser("B")
        self.assert_reads(b, q["url"], "replica", 0, times=1)
        pod.script("pg.sh", "stop", timeout=90)
        try:
            answers = []
            for _ in range(10):
                status, _, body, seconds = pod.request("GET", "/readyz", host=PROBE_HOST, timeout=10)
                answers.append((status, seconds))
                self.assertEqual(status, 200, body)
                self.assertEqual(json.loads(body)["replica"], "ok")
                self.assert_reads(b, q["url"], "replica", 0, times=1)
            page = b.get("/")
            self.assertEqual((page.status, page.route), (200, "replica"), page)
            started = time.monotonic()
            r = Browser("A").post(q["url"] + "vote/", {"choice": q["choices"][0]["id"]})
            write_s = time.monotonic() - started
            self.assertEqual((r.status, r.headers.get("retry-after")), (503, "5"), r)
            self.assertLess(write_s, 4.0, "a write fails fast (the connect timeout), never hangs")
            self.assertLess(max(s for _, s in answers), 4.0)
        finally:
            pod.script("pg.sh", "start", timeout=90)
        after = pod.process_tree()
        self.assertEqual(after["gunicorn"], before["gunicorn"], "gunicorn master or workers restarted")
        back = pod.wait_until(lambda: Browser("C").post(q["url"] + "vote/", {"choice": q["choices"][0]["id"]}).status == 200,
                              BACK_WITHIN_S, interval=0.5)
        self.assertTrue(back, "writes did not work again after the primary came back")
        print(f"\n[replica] primary down: /readyz 200 in this region (max {max(s for _, s in answers):.3f} s), reads "
              f"from the replica, a write 503 in {write_s:.3f} s, gunicorn pids unchanged", flush=True)


class ReplicaCacheTest(ReplicaPodTest):
    """With the cache server, as the other end-to-end tests run: fills read the primary."""

    CACHE = True

    def test_d_a_miss_after_a_vote_is_filled_from_the_primary(self):
        if not pod.pod_environ().get("CACHE_REDIS_HOST"):
            raise AssertionError("the test pod has no cache server (CACHE_REDIS_HOST unset): run scripts/local/test.sh")
        q = self.question("Cached from the primary?")
        a, b = Browser("A"), Browser("B")
        r = b.get(q["url"])
        self.assertEqual((r.cache, r.route, r.votes), ("miss", "primary", 0), r)
        r = b.get(q["url"])
        self.assertEqual((r.cache, r.route, r.votes), ("hit", "replica", 0), r)
        pause_replay(self)
        r, _ = self.vote(a, q)  # drops every cached page
        self.assertEqual(r.votes, 1)
        miss = b.get(q["url"])
        hit = b.get(q["url"])
        bypass = b.get(q["url"], headers={"Cache-Control": "no-cache"})
        self.assertEqual((miss.cache, miss.route, miss.votes), ("miss", "primary", 1), miss)
        self.assertEqual((hit.cache, hit.route, hit.votes), ("hit", "replica", 1), hit)
        # the replica still lags: what a fill from it would have stored for the TTL
        self.assertEqual((bypass.cache, bypass.route, bypass.votes), ("bypass", "replica", 0), bypass)
        results = f"/questions/{q['id']}/results/"
        page = b.get(results)
        self.assertEqual((page.status, page.cache, page.route), (200, "miss", "primary"), page)
        self.assertIn(b"yes &mdash; 1 vote<", page.body)
        page = b.get(results)
        self.assertEqual((page.cache, page.route), ("hit", "replica"), page)
        self.assertIn(b"yes &mdash; 1 vote<", page.body)
        self.assert_reads(a, q["url"], "primary", 1, times=1)  # the writer: pinned, and a hit
        resume_replay()
        self.wait_reads(b, q["url"], "replica", 1, REPLAY_WITHIN_S, headers={"Cache-Control": "no-cache"})


if __name__ == "__main__":
    unittest.main()
