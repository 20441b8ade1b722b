"""Graceful shutdown under load: SIGTERM to gunicorn and `nginx -s quit` while clients run.

A stdlib load generator (threads, one keep-alive connection each, to nginx on
127.0.0.1) sends a mix of GET /api/questions/ and POST .../vote/. After a
warm-up the test signals both processes at the same instant T, the worst case
(in the pod the preStop hooks space them out). A request counts as *accepted
before the stop* when the client had finished sending it before T: every one
of those must end in a complete 200 (status, Content-Length honoured, JSON
parses). Requests sent after T may be refused or cut (the pod is going away);
they are reported, not judged. Votes are checked in the database afterwards:
every vote answered 200 was stored, and none was stored twice.
Bounded: at most MAX_REQUESTS requests and MAX_SECONDS seconds.
"""

import http.client
import json
import os
import signal
import subprocess
import threading
import time
import unittest

import pod

THREADS = 16
WARMUP_S = 2.0
MAX_SECONDS = 45
MAX_REQUESTS = 60_000
EXIT_WAIT_S = 40  # > gunicorn graceful_timeout (25 s) and nginx worker_shutdown_timeout (20 s)


class Result:
    __slots__ = ("kind", "sent", "done", "status", "ok", "error")

    def __init__(self, kind, sent, done, status, ok, error):
        self.kind, self.sent, self.done, self.status, self.ok, self.error = kind, sent, done, status, ok, error


class LoadGenerator:
    def __init__(self, question):
        self.question = question
        self.choice_ids = [c["id"] for c in question["choices"]]
        self.results = []
        self.lock = threading.Lock()
        self.signalled_at = None  # monotonic T, set by the test
        self.stop = threading.Event()
        self.count = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def _budget(self):
        with self.lock:
            if self.count >= MAX_REQUESTS:
                return False
            self.count += 1
            return True

    def _record(self, *args):
        with self.lock:
            self.results.append(Result(*args))

    def worker(self, index):
        conn = None
        n = 0
        while not self.stop.is_set() and time.monotonic() < self.deadline and self._budget():
            n += 1
            if n % 4 == 0:
                kind = "vote"
                method, path = "POST", f"/api/questions/{self.question['id']}/vote/"
                body = json.dumps({"choice": self.choice_ids[(index + n) % len(self.choice_ids)]}).encode()
                headers = {"Host": "localhost", "Content-Type": "application/json"}
            else:
                kind = "list"
                method, path, body = "GET", "/api/questions/?limit=10", None
                headers = {"Host": "localhost"}
            headers["X-Cloud-Trace-Context"] = f"{os.urandom(16).hex()}/{n};o=1"
            sent = None
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(pod.HOST, pod.HTTP_PORT, timeout=30)
                conn.request(method, path, body=body, headers=headers)
                sent = time.monotonic()
                resp = conn.getresponse()
                data = resp.read()
                done = time.monotonic()
                length = resp.getheader("Content-Length")
                complete = length is None or int(length) == len(data)
                ok = resp.status == 200 and complete
                if ok:
                    json.loads(data)
                self._record(kind, sent, done, resp.status, ok, None if ok else f"status {resp.status}")
                if resp.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self._record(kind, sent, time.monotonic(), None, False, type(exc).__name__)
                if conn is not None:
                    conn.close()
                conn = None
                if self.signalled_at is not None:
                    return  # the pod is going away: this client stops
                time.sleep(0.01)
        if conn is not None:
            conn.close()


class GracefulShutdownTest(unittest.TestCase):
    def setUp(self):
        pod.ensure_up()

    def tearDown(self):
        # Bring the pod back for the other tests (Postgres kept running).
        pod.ensure_up()

    def test_sigterm_and_nginx_quit_under_load(self):
        question = pod.create_question("Graceful?", ("yes", "no"))
        gunicorn = pod.read_pid(pod.GUNICORN_PID)
        nginx = pod.read_pid(pod.NGINX_PID)
        self.assertTrue(pod.alive(gunicorn) and pod.alive(nginx))
        gunicorn_log_at = pod.log_size(pod.GUNICORN_LOG)

        load = LoadGenerator(question)
        threads = [threading.Thread(target=load.worker, args=(i,), daemon=True) for i in range(THREADS)]
        for t in threads:
            t.start()
        time.sleep(WARMUP_S)

        t_signal = time.monotonic()
        load.signalled_at = t_signal
        os.kill(gunicorn, signal.SIGTERM)
        quit_cmd = subprocess.run(
            ["/usr/sbin/nginx", "-p", str(pod.STATE / "nginx") + "/", "-e", "stderr",
             "-c", str(pod.STATE / "nginx" / "nginx.conf"), "-s", "quit"],
            capture_output=True, text=True, timeout=10,
        )
        self.assertEqual(quit_cmd.returncode, 0, quit_cmd.stderr)

        gunicorn_gone = pod.wait_until(lambda: not pod.alive(gunicorn), EXIT_WAIT_S)
        t_gunicorn = time.monotonic() - t_signal
        nginx_gone = pod.wait_until(lambda: not pod.alive(nginx), EXIT_WAIT_S)
        t_nginx = time.monotonic() - t_signal
        load.stop.set()
        for t in threads:
            t.join(timeout=35)
        self.assertFalse(any(t.is_alive() for t in threads), "load generator threads did not stop")

        results = load.results
        accepted = [r for r in results if r.sent is not None and r.sent < t_signal]
        accepted_failed = [r for r in accepted if not r.ok]
        in_flight = [r for r in accepted if r.done > t_signal]
        accepted_ids = {id(r) for r in accepted}
        after = [r for r in results if id(r) not in accepted_ids]
        after_ok = sum(1 for r in after if r.ok)
        after_5xx = sum(1 for r in after if r.status and r.status >= 500)
        after_conn = sum(1 for r in after if r.status is None)
        total_ok = sum(1 for r in results if r.ok)
        vote_ok = sum(1 for r in results if r.kind == "vote" and r.ok)
        vote_sent = sum(1 for r in results if r.kind == "vote" and r.sent is not None)

        print(
            "\n[graceful-shutdown] clients=%d sent=%d completed_200=%d failed=%d | "
            "accepted_before_stop=%d (in flight at the signal: %d) failed_of_those=%d | "
            "after the signal: 200=%d 5xx=%d refused/closed=%d | "
            "gunicorn exited %.2fs after TERM, nginx %.2fs after quit"
            % (THREADS, len(results), total_ok, len(results) - total_ok, len(accepted), len(in_flight),
               len(accepted_failed), after_ok, after_5xx, after_conn, t_gunicorn, t_nginx),
            flush=True,
        )

        self.assertTrue(gunicorn_gone, "gunicorn did not exit after SIGTERM")
        self.assertTrue(nginx_gone, "nginx did not exit after `nginx -s quit`")
        self.assertGreater(len(accepted), 50, "load generator did too little work to judge")
        self.assertGreater(len(in_flight), 0, "no request was in flight at the signal: the test proved nothing")
        self.assertEqual(
            accepted_failed, [],
            "requests accepted before the stop failed: %s"
            % [
                f"{r.kind} status={r.status} error={r.error} sent={r.sent - t_signal:+.4f}s done={r.done - t_signal:+.4f}s"
                for r in accepted_failed[:10]
            ],
        )

        # gunicorn stopped gracefully: no worker was killed for running over time.
        new_lines = pod.json_lines(pod.GUNICORN_LOG, gunicorn_log_at)
        messages = " ".join(str(e.get("message", "")) for e in new_lines)
        self.assertIn("Shutting down", messages)
        self.assertNotIn("WORKER TIMEOUT", messages)
        self.assertNotIn("SIGKILL", messages)

        # Votes: everything answered 200 is stored; nothing stored twice.
        pod.ensure_up()
        status, _, body, _ = pod.request("GET", question["url"])
        self.assertEqual(status, 200)
        stored = json.loads(body)["total_votes"]
        print("[graceful-shutdown] votes: answered 200=%d, stored=%d, sent=%d" % (vote_ok, stored, vote_sent),
              flush=True)
        self.assertGreaterEqual(stored, vote_ok)
        self.assertLessEqual(stored, vote_sent)


if __name__ == "__main__":
    unittest.main()
