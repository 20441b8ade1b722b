"""What the pod serves: health for any Host, static files from nginx, admin, JSON logs, real IP."""

import gzip
import json
import os
import re
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import pod

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
POD_VALUES = {
    "LISTEN": "8080",
    "UPSTREAM": "127.0.0.1:8000",
    "STATIC_ROOT": "/static",
    "REAL_IP_FROM": "130.211.0.0/22",
    "GCP_PROJECT": "my-project",
}


class ServingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        pod.ensure_up()

    def test_done_when_checks(self):
        self.assertEqual(pod.status_of("/healthz", host="10.4.2.17"), 200)
        self.assertEqual(pod.status_of("/readyz", host="10.4.2.17"), 200)
        status, headers, body, _ = pod.request("GET", "/api/questions/")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/json")
        self.assertIn("results", json.loads(body))
        status, headers, body, _ = pod.request("GET", "/static/admin/css/base.css")
        self.assertEqual(status, 200)
        self.assertIn("max-age=", headers.get("cache-control", ""))
        self.assertEqual(headers.get("server"), "nginx")  # served by nginx, not Django
        self.assertEqual(pod.status_of("/admin/login/"), 200)

    def test_hashed_static_is_immutable_and_gzipped(self):
        manifest = json.loads((pod.STATE / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["admin/css/base.css"]
        self.assertRegex(hashed, r"\.[0-9a-f]{12}\.css$")
        status, headers, body, _ = pod.request(
            "GET", "/static/" + hashed, headers={"Accept-Encoding": "gzip"}
        )
        self.assertEqual(status, 200)
        self.assertIn("immutable", headers["cache-control"])
        self.assertIn("max-age=31536000", headers["cache-control"])
        self.assertEqual(headers.get("content-encoding"), "gzip")
        self.assertIn(b"DJANGO", gzip.decompress(body)[:200].upper())
        # pages reference the hashed names
        _, _, html, _ = pod.request("GET", "/admin/login/")
        self.assertIn("/static/" + hashed, html.decode())
        self.assertEqual(pod.status_of("/static/does-not-exist.css"), 404)

    def test_https_from_the_load_balancer(self):
        status, headers, _, _ = pod.request(
            "GET", "/api/questions/", headers={"X-Forwarded-Proto": "https"}
        )
        self.assertEqual(status, 200)
        self.assertIn("max-age=31536000", headers.get("strict-transport-security", ""))

    def test_json_logs_real_ip_and_trace(self):
        nginx_at = pod.log_size(pod.NGINX_LOG)
        gunicorn_at = pod.log_size(pod.GUNICORN_LOG)
        path = "/api/questions/?limit=1&probe=" + os.urandom(4).hex()
        status, _, _, _ = pod.request(
            "GET",
            path,
            headers={
                "X-Forwarded-For": "203.0.113.7",
                "X-Cloud-Trace-Context": f"{TRACE}/123;o=1",
                "User-Agent": "e2e-test",
            },
        )
        self.assertEqual(status, 200)

        def find(logfile, since):
            for entry in pod.json_lines(logfile, since):
                if path in entry.get("httpRequest", {}).get("requestUrl", ""):
                    return entry
            return None

        ngx = pod.wait_until(lambda: find(pod.NGINX_LOG, nginx_at), 5)
        self.assertIsNotNone(ngx, "no JSON access line from nginx")
        self.assertEqual(ngx["severity"], "INFO")
        self.assertEqual(ngx["httpRequest"]["status"], 200)
        self.assertEqual(ngx["httpRequest"]["remoteIp"], "203.0.113.7")  # real IP from X-Forwarded-For
        self.assertEqual(ngx["httpRequest"]["userAgent"], "e2e-test")
        self.assertRegex(ngx["httpRequest"]["latency"], r"^\d+\.\d{3}s$")
        self.assertEqual(ngx["logging.googleapis.com/trace"], f"projects/local/traces/{TRACE}")
        self.assertIsInstance(ngx["timestamp"]["seconds"], int)

        gun = pod.wait_until(lambda: find(pod.GUNICORN_LOG, gunicorn_at), 5)
        self.assertIsNotNone(gun, "no JSON access line from gunicorn")
        self.assertEqual(gun["logger"], "gunicorn.access")
        self.assertEqual(gun["httpRequest"]["remoteIp"], "203.0.113.7")
        self.assertRegex(gun["httpRequest"]["latency"], r"^\d+\.\d{6}s$")
        self.assertEqual(gun["logging.googleapis.com/trace"], f"projects/local/traces/{TRACE}")

        # every access line nginx wrote is valid JSON (timestamps, escaping)
        for _ in range(30):
            pod.request("GET", "/api/questions/?limit=1&q=%22%5C%F0%9F%9A%80", headers={"User-Agent": 'a"b\\c'})
        # nginx writes the access line just after the response: wait for the last one
        pod.wait_until(lambda: len(pod.json_lines(pod.NGINX_LOG, nginx_at)) >= 31, 5)
        lines = pod.json_lines(pod.NGINX_LOG, nginx_at)
        self.assertGreaterEqual(len(lines), 31)
        self.assertEqual([e for e in lines if "_unparsable" in e], [])

        # every line gunicorn and Django wrote since start-up is one JSON object
        # (nginx's error log is plain text on stderr, so only its access lines are checked)
        with open(pod.GUNICORN_LOG, "rb") as f:
            for line in f:
                if line.strip():
                    self.assertIsInstance(json.loads(line), dict, line[:200])

    def test_health_is_not_logged_by_nginx(self):
        at = pod.log_size(pod.NGINX_LOG)
        pod.status_of("/healthz", host="10.4.2.17")
        time.sleep(0.2)
        self.assertFalse(any("/healthz" in json.dumps(e) for e in pod.json_lines(pod.NGINX_LOG, at)))

    def test_processes_run_as_the_pods_users(self):
        # Started as root, up.sh runs them as the pod's users (scripts/local/lib.sh);
        # otherwise they run as whoever started them.
        want = {"nginx": pod.NGINX_UID, "gunicorn": pod.APP_UID} if os.geteuid() == 0 else {"nginx": os.geteuid(), "gunicorn": os.geteuid()}
        for name, pids in pod.process_tree().items():
            self.assertTrue(pids, f"{name} runs")
            for pid in pids:
                status = Path(f"/proc/{pid}/status").read_text()
                ids = {line.split(":")[0]: [int(v) for v in line.split()[1:]] for line in status.splitlines()
                       if line.startswith(("Uid:", "Gid:", "Groups:"))}
                self.assertEqual(set(ids["Uid"]), {want[name]}, f"{name} pid {pid} uids")
                self.assertEqual(set(ids["Gid"]), {want[name]}, f"{name} pid {pid} gids")
                if os.geteuid() == 0:
                    self.assertEqual(ids["Groups"], [], f"{name} pid {pid} has no supplementary groups")

    def test_nginx_config_with_pod_values_passes_nginx_t(self):
        text = (pod.REPO / "app" / "nginx" / "nginx.conf").read_text()
        with tempfile.TemporaryDirectory() as tmp:
            values = dict(POD_VALUES, TEMP_DIR=tmp, PID_FILE=os.path.join(tmp, "nginx.pid"))
            for key, value in values.items():
                text = text.replace(f"@@{key}@@", value)
            self.assertEqual(re.findall(r"@@[A-Z_]+@@", text), [])
            conf = Path(tmp) / "nginx.conf"
            conf.write_text(text)
            r = subprocess.run(
                ["/usr/sbin/nginx", "-t", "-e", "stderr", "-p", tmp + "/", "-c", str(conf)],
                capture_output=True, text=True, timeout=30,
            )
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("test is successful", r.stderr)
        self.assertNotIn("[warn]", r.stderr)


if __name__ == "__main__":
    unittest.main()
