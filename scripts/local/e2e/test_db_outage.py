"""Database outage in one region (a Cloud SQL HA failover or maintenance restart):
Postgres stops -> the pod stays ready (DB_READINESS=none, as the program sets it for a
stack in one region: there is no other region to send users to), so the load balancer
keeps it: static files and cached pages are served, what needs the database answers
503 + Retry-After fast, /healthz 200, nothing restarts; Postgres back -> 200s again.
"""

import json
import time
import unittest

import pod

NO_CACHE = {"Cache-Control": "no-cache"}  # straight to the database
ANSWER_BUDGET_S = 4.0  # one database page's 503: DB_CONNECT_TIMEOUT (3 s) + slack
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

        static = "/static/admin/css/base.css"
        self.assertEqual(pod.request("GET", static)[0], 200)
        try:
            t0 = time.monotonic()
            pod.script("pg.sh", "stop", timeout=90)
            t_stopped = time.monotonic()

            # During the outage: a database page answers 503 (not 500, not a hang),
            # while readiness, liveness, static files and cached pages stay 200.
            latencies = []
            for _ in range(10):
                status, headers, body, seconds = pod.request("GET", "/api/questions/", headers=NO_CACHE)
                latencies.append(seconds)
                self.assertEqual(status, 503, body[:300])
                self.assertEqual(headers.get("retry-after"), "5")
                status, body, _ = self._readyz()
                self.assertEqual(status, 200, body[:300])
                self.assertEqual(json.loads(body)["database"], "not checked")
                self.assertEqual(pod.status_of("/healthz", host="10.4.2.17"), 200)
                self.assertEqual(pod.request("GET", static)[0], 200)
                status, headers, body, _ = pod.request("GET", cached)
                self.assertEqual((status, headers.get("x-cache")), (200, "hit"), body[:300])
        finally:
            t_start = time.monotonic()
            pod.script("pg.sh", "start", timeout=90)
            t_started = time.monotonic()

        back = pod.wait_until(
            lambda: pod.request("GET", "/api/questions/?limit=1", headers=NO_CACHE)[0] == 200, RECOVER_WITHIN_S)
        t_ready = time.monotonic()
        self.assertTrue(back, "database pages did not come back after Postgres restarted")

        after = pod.process_tree()
        print(
            "\n[db-outage] pg stop took %.2fs; during the outage /readyz 200, static and cached 200, "
            "database pages 503 in at most %.3fs; pg start took %.2fs; database pages 200 again %.3fs after "
            "Postgres was up; gunicorn pids %s -> %s, nginx pids %s -> %s"
            % (t_stopped - t0, max(latencies), t_started - t_start,
               t_ready - t_started, before["gunicorn"], after["gunicorn"], before["nginx"], after["nginx"]),
            flush=True,
        )
        self.assertLess(max(latencies), ANSWER_BUDGET_S)
        self.assertEqual(after["gunicorn"], before["gunicorn"], "gunicorn master or workers restarted")
        self.assertEqual(after["nginx"], before["nginx"], "nginx restarted")


if __name__ == "__main__":
    unittest.main()
