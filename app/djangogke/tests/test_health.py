from unittest import mock

from django.db import OperationalError, connections
from django.test import TestCase, override_settings


class HealthTests(TestCase):
    databases = "__all__"  # /readyz checks the read replica too when there is one (test_dbrouter.py)

    def test_liveness_any_host(self):
        for host in ("10.4.2.17", "10.4.2.17:8080", "evil.example.com", "localhost"):
            with self.subTest(host=host):
                r = self.client.get("/healthz", HTTP_HOST=host)
                self.assertEqual(r.status_code, 200)
                self.assertEqual(r.json(), {"status": "ok"})

    @override_settings(DB_READINESS="primary")
    def test_readiness_any_host(self):
        r = self.client.get("/readyz", HTTP_HOST="10.4.2.17")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["database"], "ok")

    def test_other_paths_keep_allowed_hosts(self):
        self.assertEqual(self.client.get("/", HTTP_HOST="10.4.2.17").status_code, 400)
        self.assertEqual(self.client.get("/healthz/", HTTP_HOST="10.4.2.17").status_code, 400)
        self.assertEqual(self.client.get("/admin/login/", HTTP_HOST="10.4.2.17").status_code, 400)

    @override_settings(DB_READINESS="primary")
    def test_readiness_503_when_database_fails(self):
        conn = connections["default"]
        with mock.patch.object(conn, "cursor", side_effect=OperationalError("connection refused")):
            r = self.client.get("/readyz", HTTP_HOST="10.4.2.17")
        self.assertEqual(r.status_code, 503)
        self.assertEqual(r.json()["status"], "unavailable")
        # liveness does not touch the database
        with mock.patch.object(conn, "cursor", side_effect=AssertionError("no DB in liveness")):
            self.assertEqual(self.client.get("/healthz").status_code, 200)

    @override_settings(DB_READINESS="none")
    def test_one_region_stays_ready_through_a_database_outage(self):
        # One region: nowhere else to send users, so the pods stay in the load
        # balancer (static files, cached pages) and database pages answer 503.
        for alias in connections:
            self.assertIn(alias, ("default", "replica"))
        with mock.patch.object(connections["default"], "cursor", side_effect=AssertionError("database checked")) as tried:
            r = self.client.get("/readyz", HTTP_HOST="10.4.2.17")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["database"], "not checked")
        self.assertFalse(tried.called)

    def test_post_not_allowed(self):
        r = self.client.post("/healthz", HTTP_HOST="10.4.2.17")
        self.assertEqual(r.status_code, 405)

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_ssl_redirect_exempts_health_only(self):
        self.assertEqual(self.client.get("/healthz", HTTP_HOST="10.4.2.17").status_code, 200)
        self.assertEqual(self.client.get("/readyz", HTTP_HOST="10.4.2.17").status_code, 200)
        r = self.client.get("/api/questions/", HTTP_HOST="localhost")
        self.assertEqual(r.status_code, 301)
        self.assertTrue(r["Location"].startswith("https://localhost/"))
        # behind the load balancer: X-Forwarded-Proto https is trusted, no redirect
        r = self.client.get("/api/questions/", HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
        self.assertEqual(r.status_code, 200)
        self.assertIn("max-age=31536000", r["Strict-Transport-Security"])
