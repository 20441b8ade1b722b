"""gunicorn.conf.py and nginx/nginx.conf: the numbers that must agree."""

import os
import re
import runpy
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase

APP_DIR = Path(__file__).resolve().parents[2]
GUNICORN_CONF = APP_DIR / "gunicorn.conf.py"
NGINX_CONF = APP_DIR / "nginx" / "nginx.conf"
PLACEHOLDERS = {"LISTEN", "UPSTREAM", "STATIC_ROOT", "TEMP_DIR", "PID_FILE", "REAL_IP_FROM", "GCP_PROJECT"}


def load_gunicorn(env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    clean.update(env)
    with mock.patch.dict(os.environ, clean, clear=True):
        return runpy.run_path(str(GUNICORN_CONF))


class GunicornConfTests(SimpleTestCase):
    def test_workers_from_cpu_request(self):
        for millicores, workers in ((250, 2), (500, 2), (1000, 3), (1500, 4), (2000, 5), (4000, 9)):
            with self.subTest(millicores=millicores):
                conf = load_gunicorn({"GUNICORN_CPU_MILLICORES": str(millicores)})
                self.assertEqual(conf["workers"], workers)

    def test_explicit_workers_win(self):
        conf = load_gunicorn({"GUNICORN_WORKERS": "7", "GUNICORN_CPU_MILLICORES": "1000"})
        self.assertEqual(conf["workers"], 7)
        conf = load_gunicorn({"GUNICORN_WORKERS": "0", "GUNICORN_CPU_MILLICORES": "1000"})
        self.assertEqual(conf["workers"], 3)  # 0 = from CPU

    def test_not_the_node_cpu_count(self):
        with mock.patch("os.cpu_count", return_value=64):
            conf = load_gunicorn({})
        self.assertLessEqual(conf["workers"], 2 * (conf["cgroup_millicores"]() or 1000) // 1000 + 1)
        self.assertGreaterEqual(conf["workers"], 2)

    def test_cgroup_quota(self):
        conf = load_gunicorn({})
        import tempfile

        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write("150000 100000\n")
        try:
            self.assertEqual(conf["cgroup_millicores"](f.name), 1500)
        finally:
            os.unlink(f.name)
        self.assertIsNone(conf["cgroup_millicores"]("/nonexistent/cpu.max"))

    def test_defaults(self):
        conf = load_gunicorn({})
        self.assertEqual(conf["bind"], ["127.0.0.1:8000"])
        self.assertEqual(conf["wsgi_app"], "djangogke.wsgi:application")
        self.assertIn(conf["worker_tmp_dir"], ("/dev/shm", "/tmp"))
        if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
            self.assertEqual(conf["worker_tmp_dir"], "/dev/shm")
        self.assertLess(conf["graceful_timeout"], 30)
        self.assertTrue(conf["preload_app"])
        self.assertEqual(conf["logconfig_dict"]["loggers"]["gunicorn.access"]["level"], "INFO")
        off = load_gunicorn({"GUNICORN_ACCESS_LOG": "0", "GUNICORN_BIND": "0.0.0.0:9000"})
        self.assertEqual(off["logconfig_dict"]["loggers"]["gunicorn.access"]["level"], "WARNING")
        self.assertEqual(off["bind"], ["0.0.0.0:9000"])

    def test_worker_class_drains_on_every_gunicorn(self):
        import gunicorn
        from gunicorn.workers.gthread import ThreadWorker

        from djangogke.gunicorn_worker import DrainingThreadWorker

        conf = load_gunicorn({})
        if gunicorn.version_info >= (24, 0):
            self.assertEqual(conf["worker_class"], "gthread")  # drains by itself (set_accept_enabled)
        else:
            self.assertEqual(conf["worker_class"], "djangogke.gunicorn_worker.DrainingThreadWorker")
        self.assertTrue(issubclass(DrainingThreadWorker, ThreadWorker))

    def test_bad_env_is_named(self):
        with self.assertRaisesRegex(SystemExit, "GUNICORN_THREADS='many' is not an integer"):
            load_gunicorn({"GUNICORN_THREADS": "many"})
        with self.assertRaisesRegex(SystemExit, "GUNICORN_THREADS=0 must be >= 1"):
            load_gunicorn({"GUNICORN_THREADS": "0"})
        with self.assertRaisesRegex(SystemExit, "GUNICORN_ACCESS_LOG='sometimes' is not a boolean"):
            load_gunicorn({"GUNICORN_ACCESS_LOG": "sometimes"})

    def test_keepalive_outlives_nginx_upstream_keepalive(self):
        upstream = re.search(r"upstream django \{(.*?)\}", NGINX_CONF.read_text(), re.S).group(1)
        nginx_timeout = int(re.search(r"keepalive_timeout\s+(\d+)s;", upstream).group(1))
        self.assertGreater(load_gunicorn({})["keepalive"], nginx_timeout)


class NginxConfTests(SimpleTestCase):
    def setUp(self):
        self.text = NGINX_CONF.read_text()
        self.body = "\n".join(line for line in self.text.splitlines() if not line.lstrip().startswith("#"))

    def test_placeholders_are_the_documented_ones(self):
        used = set(re.findall(r"@@([A-Z_]+)@@", self.body))
        documented = set(re.findall(r"^#\s+@@([A-Z_]+)@@", self.text, re.M))
        self.assertEqual(used, PLACEHOLDERS)
        self.assertEqual(documented, PLACEHOLDERS)

    def test_required_directives(self):
        for needle in (
            "client_max_body_size 10m;",
            "set_real_ip_from 130.211.0.0/22;",
            "set_real_ip_from 35.191.0.0/16;",
            "real_ip_header X-Forwarded-For;",
            "real_ip_recursive on;",
            "gzip on;",
            "log_format cloudlogging escape=json",
            "location = /healthz",
            "location = /readyz",
            "proxy_buffering on;",
            "error_log stderr",
        ):
            with self.subTest(needle=needle):
                self.assertIn(needle, self.body)
        self.assertNotRegex(self.body, r"(?m)^\s*daemon\b")  # the image's CMD sets it
        self.assertNotRegex(self.body, r"(?m)^\s*user\b")  # unprivileged image
        self.assertNotIn("include ", self.body)  # self-contained
