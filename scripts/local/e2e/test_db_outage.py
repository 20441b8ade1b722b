"""Database outage: Postgres stops -> /readyz 503 fast, /healthz 200, nothing restarts; back -> ready.

With the cache server, a page cached before the outage is still served from it;
what needs the database (Cache-Control: no-cache here) answers 503.
"""

import json
import time
import unittest

import pod

NO_CACHE = {"Cache-Control": "no-cache"}  # straight to the database
READY_BUDGET_S = 4.0  # one /readyz answer: DB_CONNECT_TIMEOUT (3 s) + slack
DETECT_WITHIN_S = 10.0
RECOVER_WITHIN_S = 20.0


class DatabaseOutageTest(unittest.TestCase):
    def setUp(self):
        pod.ensure_up()

    def _readyz(self):
        try:
            status, _, body, seconds = pod.request("GET", "/readyz", host="10.4.2.17", timeout=10)
        except OSError as exc:
            return 0, str(exc).encode(), 10.0
        return status, body, seconds

    def test_postgres_down_and_back(self):
        before = pod.process_tree()
        self.assertGreaterEqual(len(before["gunicorn"]), 3, before)  # master + >= 2 workers
        self.assertEqual(self._readyz()[0], 200)
        # Warm every worker's persistent connection so the outage breaks live connections.
        for _ in range(20):
            self.assertEqual(pod.request("GET", "/api/questions/?limit=1", headers=NO_CACHE)[0], 200)
        cached = "/api/questions/?limit=2&outage=" + str(time.monotonic_ns())
        for _ in range(2):
            status, headers, _, _ = pod.request("GET", cached)
        self.assertEqual((status, headers.get("x-cache")), (200, "hit"))

        try:
            t0 = time.monotonic()
            pod.script("pg.sh", "stop", timeout=90)
            t_stopped = time.monotonic()

            latencies = []
            first_503 = None
            deadline = t_stopped + DETECT_WITHIN_S
            while time.monotonic() < deadline:
                status, body, seconds = self._readyz()
                latencies.append(seconds)
                if status == 503:
                    first_503 = time.monotonic()
                    self.assertEqual(json.loads(body)["status"], "unavailable")
                    break
                time.sleep(0.05)
            self.assertIsNotNone(first_503, "/readyz never answered 503 with Postgres down")

            # During the outage: readiness keeps failing fast, liveness stays 200,
            # a page that needs the database answers 503 (not 500).
            for _ in range(10):
                status, _, seconds = self._readyz()
                latencies.append(seconds)
                self.assertEqual(status, 503)
                self.assertEqual(pod.status_of("/healthz", host="10.4.2.17"), 200)
            status, headers, body, _ = pod.request("GET", "/api/questions/", headers=NO_CACHE)
            self.assertEqual(status, 503, body[:300])
            self.assertEqual(headers.get("retry-after"), "5")
            status, headers, body, _ = pod.request("GET", cached)
            self.assertEqual((status, headers.get("x-cache")), (200, "hit"), body[:300])
        finally:
            t_start = time.monotonic()
            pod.script("pg.sh", "start", timeout=90)
            t_started = time.monotonic()

        back = pod.wait_until(lambda: self._readyz()[0] == 200, RECOVER_WITHIN_S)
        t_ready = time.monotonic()
        self.assertTrue(back, "/readyz did not come back to 200 after Postgres restarted")
        self.assertEqual(pod.request("GET", "/api/questions/?limit=1", headers=NO_CACHE)[0], 200)

        after = pod.process_tree()
        print(
            "\n[db-outage] pg stop took %.2fs; /readyz 503 %.3fs after Postgres was down "
            "(max /readyz answer %.3fs during the outage); pg start took %.2fs; "
            "/readyz 200 again %.3fs after Postgres was up; gunicorn pids %s -> %s, nginx pids %s -> %s"
            % (t_stopped - t0, first_503 - t_stopped, max(latencies), t_started - t_start,
               t_ready - t_started, before["gunicorn"], after["gunicorn"], before["nginx"], after["nginx"]),
            flush=True,
        )
        self.assertLess(max(latencies), READY_BUDGET_S)
        self.assertEqual(after["gunicorn"], before["gunicorn"], "gunicorn master or workers restarted")
        self.assertEqual(after["nginx"], before["nginx"], "nginx restarted")


if __name__ == "__main__":
    unittest.main()
