"""The cache server's settings, breaker, log throttling and keys: no Redis needed."""

import logging
import os
import subprocess
import sys
import tempfile
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, SimpleTestCase

from djangogke import cache, env, pagecache
from polls import caching

from .test_settings import APP_DIR, PRODUCTION_ENV, manage

PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def guard_config(**overrides):
    cfg = env.cache_from_env({"CACHE_REDIS_HOST": "10.0.0.3", "CACHE_REDIS_PASSWORD": "s3cret-auth"})["default"]
    cfg.update(overrides)
    return cfg


class CacheSettingsTests(SimpleTestCase):
    def setUp(self):
        tmp = tempfile.NamedTemporaryFile(suffix=".pem", delete=False)
        tmp.write(PEM)
        tmp.close()
        self.ca = tmp.name
        self.addCleanup(os.unlink, self.ca)

    def test_unset_or_empty_host_is_no_cache_server(self):
        for environ in ({}, {"CACHE_REDIS_HOST": ""}, {"CACHE_REDIS_HOST": "  ", "CACHE_REDIS_PORT": "x"}):
            with self.subTest(environ=environ):
                caches = env.cache_from_env(environ)
                self.assertEqual(caches, {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})

    def test_memorystore_with_tls_and_auth(self):
        c = env.cache_from_env({
            "CACHE_REDIS_HOST": "10.0.0.3", "CACHE_REDIS_PORT": "6378",
            "CACHE_REDIS_PASSWORD": "auth-string", "CACHE_REDIS_CA_FILE": self.ca, "CACHE_TTL_SECONDS": "30",
        })["default"]
        self.assertEqual(c["BACKEND"], "djangogke.cache.RedisCache")
        self.assertEqual(c["LOCATION"], "rediss://10.0.0.3:6378/0")
        self.assertNotIn("auth-string", c["LOCATION"])  # the password never sits in a loggable URL
        opts = c["OPTIONS"]
        self.assertEqual(opts["password"], "auth-string")
        self.assertEqual(opts["ssl_ca_certs"], self.ca)
        self.assertEqual(opts["ssl_cert_reqs"], "required")  # the certificate IS verified ...
        self.assertIs(opts["ssl_check_hostname"], False)  # ... but it names an IP, not a host name
        self.assertEqual((opts["socket_timeout"], opts["socket_connect_timeout"]), (0.25, 0.25))
        self.assertEqual((c["PAGE_TTL"], c["RETRY_AFTER"], c["ERROR_LOG_INTERVAL"]), (30, 5, 60))
        self.assertEqual(c["ADDRESS"], "10.0.0.3:6378")

    def test_plain_redis_without_auth(self):
        c = env.cache_from_env({"CACHE_REDIS_HOST": "redis.internal", "CACHE_REDIS_DB": "2"})["default"]
        self.assertEqual(c["LOCATION"], "redis://redis.internal:6379/2")
        self.assertNotIn("password", c["OPTIONS"])
        self.assertFalse(any(k.startswith("ssl_") for k in c["OPTIONS"]))
        self.assertEqual(c["PAGE_TTL"], 60)

    def test_options_build_a_redis_py_pool(self):
        """Django passes OPTIONS to ConnectionPool.from_url: redis-py must accept every one."""
        import redis

        c = env.cache_from_env({"CACHE_REDIS_HOST": "10.0.0.3", "CACHE_REDIS_PASSWORD": "p", "CACHE_REDIS_CA_FILE": self.ca})
        pool = redis.ConnectionPool.from_url(c["default"]["LOCATION"], **c["default"]["OPTIONS"])
        conn = pool.make_connection()
        self.assertEqual(type(conn).__name__, "SSLConnection")
        self.assertEqual(conn.ca_certs, self.ca)
        self.assertFalse(conn.check_hostname)
        import ssl

        self.assertEqual(conn.cert_reqs, ssl.CERT_REQUIRED)

    def test_ipv6_host_is_bracketed(self):
        c = env.cache_from_env({"CACHE_REDIS_HOST": "fd00::3"})["default"]
        self.assertEqual(c["LOCATION"], "redis://[fd00::3]:6379/0")

    def test_bad_values_name_the_variable(self):
        base = {"CACHE_REDIS_HOST": "10.0.0.3"}
        cases = {
            "CACHE_REDIS_HOST": {"CACHE_REDIS_HOST": "redis://10.0.0.3"},
            "CACHE_REDIS_PORT": {**base, "CACHE_REDIS_PORT": "70000"},
            "CACHE_TTL_SECONDS": {**base, "CACHE_TTL_SECONDS": "0"},
            "CACHE_SOCKET_TIMEOUT_MS": {**base, "CACHE_SOCKET_TIMEOUT_MS": "fast"},
            "CACHE_RETRY_AFTER_SECONDS": {**base, "CACHE_RETRY_AFTER_SECONDS": "0"},
            "CACHE_ERROR_LOG_INTERVAL_SECONDS": {**base, "CACHE_ERROR_LOG_INTERVAL_SECONDS": "-1"},
            "CACHE_REDIS_DB": {**base, "CACHE_REDIS_DB": "-1"},
        }
        for name, environ in cases.items():
            with self.subTest(name=name):
                with self.assertRaisesMessage(ImproperlyConfigured, name):
                    env.cache_from_env(environ)

    def test_ca_file_must_exist_and_hold_a_certificate(self):
        with self.assertRaisesMessage(ImproperlyConfigured, "CACHE_REDIS_CA_FILE=/nonexistent/ca.pem: cannot read"):
            env.cache_from_env({"CACHE_REDIS_HOST": "10.0.0.3", "CACHE_REDIS_CA_FILE": "/nonexistent/ca.pem"})
        with tempfile.NamedTemporaryFile(suffix=".pem") as empty:
            with self.assertRaisesMessage(ImproperlyConfigured, "no PEM certificate"):
                env.cache_from_env({"CACHE_REDIS_HOST": "10.0.0.3", "CACHE_REDIS_CA_FILE": empty.name})

    def test_settings_pick_the_session_engine(self):
        probe = (
            "from django.conf import settings; "
            "print(settings.SESSION_ENGINE, settings.CACHES['default']['BACKEND'], "
            "'polls.caching.ApiCacheMiddleware' in settings.MIDDLEWARE)"
        )
        without = manage(["shell", "-v", "0", "-c", probe], {**PRODUCTION_ENV, "CACHE_REDIS_HOST": ""})
        self.assertEqual(without.returncode, 0, without.stderr)
        self.assertEqual(
            without.stdout.split(),
            ["django.contrib.sessions.backends.db", "django.core.cache.backends.locmem.LocMemCache", "True"],
        )
        with_cache = manage(
            ["shell", "-v", "0", "-c", probe],
            {**PRODUCTION_ENV, "CACHE_REDIS_HOST": "10.0.0.3", "CACHE_REDIS_PORT": "6378", "CACHE_REDIS_CA_FILE": self.ca},
        )
        self.assertEqual(with_cache.returncode, 0, with_cache.stderr)
        self.assertEqual(
            with_cache.stdout.split(),
            ["django.contrib.sessions.backends.cached_db", "djangogke.cache.RedisCache", "True"],
        )

    def test_check_deploy_clean_with_a_cache_server(self):
        r = manage(
            ["check", "--deploy", "--fail-level", "WARNING"],
            {**PRODUCTION_ENV, "CACHE_REDIS_HOST": "10.0.0.3", "CACHE_REDIS_PASSWORD": "x", "CACHE_REDIS_CA_FILE": self.ca},
        )
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_bad_ca_file_stops_start_up_naming_it(self):
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB_", "DATABASE_", "CACHE_"))}
        environ.update(PRODUCTION_ENV, CACHE_REDIS_HOST="10.0.0.3", CACHE_REDIS_CA_FILE="/etc/redis-tls/missing.pem")
        r = subprocess.run(
            [sys.executable, "-c", "import djangogke.wsgi"], cwd=APP_DIR, env=environ,
            capture_output=True, text=True, timeout=60,
        )
        self.assertEqual(r.returncode, 1)
        self.assertIn("CACHE_REDIS_CA_FILE=/etc/redis-tls/missing.pem", r.stderr)


class BreakerAndThrottleTests(SimpleTestCase):
    def test_breaker_skips_redis_for_retry_after(self):
        clock = FakeClock()
        b = cache.Breaker(5, clock)
        self.assertTrue(b.allow())
        self.assertFalse(b.down)
        b.failed()
        self.assertFalse(b.allow())
        clock.now += 4.9
        self.assertFalse(b.allow())
        clock.now += 0.2
        self.assertTrue(b.allow())  # half-open: one more try
        b.failed()  # still failing: skip again, the outage started at the first failure
        self.assertFalse(b.allow())
        clock.now += 5.1
        self.assertAlmostEqual(b.recovered(), 10.2)
        self.assertFalse(b.down)
        self.assertIsNone(b.recovered())

    def test_throttle_one_per_interval_with_count(self):
        clock = FakeClock()
        t = cache.Throttle(60, clock)
        self.assertEqual(t.allow(), (True, 0))
        for _ in range(41):
            clock.now += 1
            self.assertEqual(t.allow(), (False, 0))
        clock.now += 19
        self.assertEqual(t.allow(), (True, 41))
        self.assertEqual(t.allow(), (False, 0))


class FakeRedis:
    """Stands in for a redis-py client: fails while `down`."""

    def __init__(self):
        self.down = False
        self.calls = 0
        self.deleted = []

    def get(self, key):
        self.calls += 1
        if self.down:
            import redis

            raise redis.exceptions.ConnectionError("Error 111 connecting to 10.0.0.3:6379. Connection refused.")
        return None

    def delete(self, *keys):
        if self.down:
            import redis

            raise redis.exceptions.ConnectionError("down")
        self.deleted.extend(keys)


class GuardTests(SimpleTestCase):
    def make(self):
        clock = FakeClock()
        g = cache.Guard(guard_config(), clock)
        g._client = FakeRedis()
        return g, clock

    def test_failure_is_a_miss_logged_once_per_interval(self):
        g, clock = self.make()
        g._client.down = True
        with self.assertLogs("djangogke.cache", logging.WARNING) as logs:
            for _ in range(200):  # 200 requests over 100 s: the hook-less repair "works", the call fails
                self.assertEqual(g.call(lambda: g.client.get("k"), "MISS", "GET"), "MISS")
                clock.now += 0.5
        # the breaker let a call through every 5 s; one warning per 60 s
        self.assertEqual(g._client.calls, 20)
        self.assertEqual(len(logs.records), 2, [r.getMessage() for r in logs.records])
        first, second = (r.getMessage() for r in logs.records)
        self.assertIn("cache: redis at 10.0.0.3:6379 failed (ConnectionError: Error 111", first)
        self.assertIn("serving from the database, retrying in 5 s", first)
        self.assertIn("(11 more failures since the last warning)", second)
        self.assertEqual(g.state(), "unavailable")

    def test_password_never_logged(self):
        g, _ = self.make()

        def leak():
            raise RuntimeError("server said: bad s3cret-auth")

        with self.assertLogs("djangogke.cache", logging.WARNING) as logs:
            g.call(leak, None, "GET")
        self.assertNotIn("s3cret-auth", logs.output[0])
        self.assertIn("***", logs.output[0])

    def test_recovery_repairs_before_the_first_call(self):
        g, clock = self.make()
        hooks = []
        g.on_recovery.append(hooks.append)
        g._client.down = True
        g.call(lambda: g.client.get("k"), None, "SET", keys=["djangogke:1:session-a"])
        g.call(lambda: None, None, "SET", keys=["djangogke:1:session-b"])  # skipped by the breaker: remembered too
        self.assertEqual(g.pending_keys, {"djangogke:1:session-a", "djangogke:1:session-b"})
        g._client.down = False
        clock.now += 5.1
        with self.assertLogs("djangogke.cache", logging.INFO) as logs:
            self.assertEqual(g.call(lambda: "value", None, "GET"), "value")
        self.assertEqual(hooks, [g._client])  # the page cache is dropped first
        self.assertEqual(sorted(g._client.deleted), ["djangogke:1:session-a", "djangogke:1:session-b"])
        self.assertEqual(g.pending_keys, set())
        self.assertEqual(g.state(), "ok")
        self.assertIn("answers again after 5.1 s", logs.output[0])

    def test_failed_repair_keeps_the_keys_and_the_breaker_open(self):
        g, clock = self.make()
        g._client.down = True
        g.call(lambda: g.client.get("k"), None, "SET", keys=["k1"])
        clock.now += 5.1
        self.assertIsNone(g.call(lambda: "value", None, "GET"))  # the repair failed: still a miss
        self.assertEqual(g.pending_keys, {"k1"})
        self.assertFalse(g.breaker.allow())

    def test_describe(self):
        import redis.exceptions as rex

        self.assertTrue(cache.describe(rex.AuthenticationError("invalid username-password pair")).startswith("AUTH failed"))
        self.assertTrue(cache.describe(rex.ResponseError("NOAUTH Authentication required.")).startswith("AUTH failed"))
        self.assertTrue(
            cache.describe(rex.ConnectionError("Error 1 connecting to x. [SSL: CERTIFICATE_VERIFY_FAILED]")).startswith(
                "TLS failed (check CACHE_REDIS_CA_FILE)"
            )
        )
        self.assertTrue(cache.describe(rex.TimeoutError("Timeout reading from socket")).startswith("timed out"))


class KeyTests(SimpleTestCase):
    def key(self, url):
        return caching.api_key(RequestFactory().get(url))

    def test_api_keys(self):
        self.assertEqual(self.key("/api/questions/"), "api:list:20:0")
        self.assertEqual(self.key("/api/questions/?limit=20&offset=0"), "api:list:20:0")
        self.assertEqual(self.key("/api/questions/?offset=0&limit=20"), "api:list:20:0")
        self.assertEqual(self.key("/api/questions/?limit=5"), "api:list:5:0")
        self.assertEqual(self.key("/api/questions/?limit=5&offset=40"), "api:list:5:40")
        self.assertEqual(self.key("/api/questions/?limit=5&b=2&a=1"), "api:list:5:0:a=1&b=2")
        self.assertEqual(self.key("/api/questions/?a=1&b=2&limit=5"), "api:list:5:0:a=1&b=2")
        long = self.key("/api/questions/?x=" + "y" * 200)
        self.assertRegex(long, r"^api:list:20:0:[0-9a-f]{40}$")
        self.assertEqual(self.key("/api/questions/42/"), "api:q:42")
        self.assertEqual(self.key("/api/questions/042/"), "api:q:42")
        self.assertEqual(self.key("/api/questions/42/?v=1"), "api:q:42:v=1")

    def test_not_cacheable(self):
        for url in (
            "/api/questions/?limit=abc", "/api/questions/?limit=0", "/api/questions/?offset=-1",
            "/api/questions/42", "/api/questions/42/vote/", "/api/questions/４２/",
            f"/api/questions/{2**63}/", "/api/questionsx/", "/questions/1/",
        ):
            with self.subTest(url=url):
                self.assertIsNone(self.key(url))

    def test_page_cache_key_names(self):
        pc = pagecache.PageCache.__new__(pagecache.PageCache)
        pc.prefix = "djangogke:pc:"
        self.assertEqual(pc.key("api:list:20:0"), "djangogke:pc:p:api:list:20:0")

    def test_bypass_requested(self):
        rf = RequestFactory()
        self.assertFalse(caching.bypass_requested(rf.get("/")))
        self.assertTrue(caching.bypass_requested(rf.get("/", HTTP_CACHE_CONTROL="no-cache")))
        self.assertTrue(caching.bypass_requested(rf.get("/", HTTP_CACHE_CONTROL="max-age=0, no-cache")))
        self.assertTrue(caching.bypass_requested(rf.get("/", HTTP_PRAGMA="no-cache")))
        request = rf.get("/")
        request.COOKIES[caching.BYPASS_COOKIE] = "1"
        self.assertTrue(caching.bypass_requested(request))
        self.assertFalse(caching.bypass_requested(rf.get("/", HTTP_CACHE_CONTROL="max-age=0")))


class TestRunnerTests(SimpleTestCase):
    def test_refuses_to_empty_database_zero(self):
        from django.test import override_settings

        from djangogke import testrunner

        caches = env.cache_from_env({"CACHE_REDIS_HOST": "127.0.0.1", "CACHE_REDIS_PORT": "9"})
        with override_settings(CACHES=caches):
            with self.assertRaisesMessage(ImproperlyConfigured, "CACHE_REDIS_DB"):
                testrunner.fresh_cache()
        with mock.patch.object(cache, "guard") as guard:
            with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
                testrunner.fresh_cache()  # no cache server: nothing to empty
            guard.assert_not_called()
