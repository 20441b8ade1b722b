"""The read replica: settings, the router, the read-your-writes middleware, cache fills, /readyz.

scripts/local/run_tests.py runs the Django tests twice: as today (no replica; the
classes tagged "replica" excluded with --exclude-tag) and with DB_REPLICA_HOST/PORT
set to the test Postgres itself: the "replica" alias is then Django's TEST MIRROR of
default (the same test database through a connection of its own), so where each
query went is real and is captured per connection. Without a replica configured the
tagged tests FAIL (never skip), saying so. A real streaming replica with real lag:
scripts/local/e2e/test_replica.py.
"""

import json
import logging
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections
from django.http import HttpResponse
from django.test import Client, RequestFactory, SimpleTestCase, TransactionTestCase, override_settings, tag
from django.test.utils import CaptureQueriesContext

from djangogke import dbrouter, env
from polls.models import Choice, Question

APP_DIR = Path(__file__).resolve().parents[2]
NEEDS_REPLICA_TAG = "replica"
NEEDS_REPLICA = (
    "these tests need the replica alias: run scripts/local/test.sh (it sets DB_REPLICA_HOST/DB_REPLICA_PORT "
    "to the test Postgres, a TEST MIRROR of default), or set them yourself"
)
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "q7Yb3-k1Vn0Zr8cXw5Lm2Tg9Hs4Jd6Fp1Ae7Uo3Ri0Cy5Wn8Qb2Mx4Kz6Pv9Ht1Gl3",
    "DJANGO_ALLOWED_HOSTS": "polls.example.com",
    "DB_NAME": "django",
    "DB_USER": "django",
    "DB_PASSWORD": "not-used",
}
router = dbrouter.PrimaryReplicaRouter()


def clean_environ(extra):
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB_", "DATABASE_", "CACHE_"))
    }
    environ.update(PRODUCTION_ENV)
    environ.update(extra)
    return environ


def settings_in_a_process(extra):
    """The settings a fresh process builds from PRODUCTION_ENV + `extra` (what routes where)."""
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS, 'middleware': s.MIDDLEWARE, "
        "'window': getattr(s, 'DB_READ_YOUR_WRITES_SECONDS', None)}))"
    )
    r = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=APP_DIR, env=clean_environ(extra), capture_output=True, text=True, timeout=120,
    )
    if r.returncode != 0:
        raise AssertionError(f"manage.py shell failed: {r.stdout}{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


class ReplicaSettingsTests(SimpleTestCase):
    def test_without_replica_host_there_is_no_replica(self):
        default = env.database_from_env(PRODUCTION_ENV)
        for environ in ({}, {"DB_REPLICA_HOST": ""}, {"DB_REPLICA_HOST": "  "}, {"DB_REPLICA_PORT": "5433"}):
            with self.subTest(environ=environ):
                self.assertIsNone(env.replica_from_env(default, environ))

    def test_replica_is_the_primary_at_another_address(self):
        default = env.database_from_env({**PRODUCTION_ENV, "DB_STATEMENT_TIMEOUT_MS": "5000"})
        replica = env.replica_from_env(default, {"DB_REPLICA_HOST": "127.0.0.1", "DB_REPLICA_PORT": "5433"})
        self.assertEqual((replica["HOST"], replica["PORT"]), ("127.0.0.1", "5433"))
        self.assertEqual(replica["TEST"], {"MIRROR": "default"})
        for key in ("ENGINE", "NAME", "USER", "PASSWORD", "OPTIONS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
            self.assertEqual(replica[key], default[key], key)
        replica["OPTIONS"]["sslmode"] = "require"
        self.assertNotIn("sslmode", default["OPTIONS"], "OPTIONS must be a copy")
        self.assertEqual(env.replica_from_env(default, {"DB_REPLICA_HOST": "db-replica"})["PORT"], "5432")
        self.assertEqual(env.replica_from_env(default, {"DB_REPLICA_HOST": "::1"})["HOST"], "::1")

    def test_bad_values_are_named(self):
        default = env.database_from_env(PRODUCTION_ENV)
        cases = [
            ({"DB_REPLICA_HOST": "127.0.0.1:5433"}, "DB_REPLICA_HOST"),
            ({"DB_REPLICA_HOST": "postgres://x/y"}, "DB_REPLICA_HOST"),
            ({"DB_REPLICA_HOST": "h", "DB_REPLICA_PORT": "five"}, "DB_REPLICA_PORT"),
            ({"DB_REPLICA_HOST": "h", "DB_REPLICA_PORT": "0"}, "DB_REPLICA_PORT"),
            ({"DB_REPLICA_HOST": "h", "DB_REPLICA_PORT": "65536"}, "DB_REPLICA_PORT"),
        ]
        for environ, needle in cases:
            with self.subTest(environ=environ), self.assertRaisesMessage(ImproperlyConfigured, needle):
                env.replica_from_env(default, environ)
        self.assertEqual(env.read_your_writes_seconds({}), 10)
        self.assertEqual(env.read_your_writes_seconds({"DB_READ_YOUR_WRITES_SECONDS": "0"}), 0)
        for bad in ("-1", "ten"):
            with self.assertRaisesMessage(ImproperlyConfigured, "DB_READ_YOUR_WRITES_SECONDS"):
                env.read_your_writes_seconds({"DB_READ_YOUR_WRITES_SECONDS": bad})

    def test_settings_without_a_replica_are_exactly_as_before(self):
        # DB_READ_YOUR_WRITES_SECONDS is not even read without a replica.
        s = settings_in_a_process({"DB_READ_YOUR_WRITES_SECONDS": "junk", "DB_REPLICA_PORT": "5433"})
        self.assertEqual(list(s["databases"]), ["default"])
        self.assertEqual(s["routers"], [])
        self.assertNotIn("djangogke.dbrouter.ReadYourWritesMiddleware", s["middleware"])
        self.assertIsNone(s["window"])

    def test_settings_with_a_replica(self):
        s = settings_in_a_process(
            {"DB_REPLICA_HOST": "127.0.0.1", "DB_REPLICA_PORT": "5433", "DB_READ_YOUR_WRITES_SECONDS": "7"}
        )
        self.assertEqual(list(s["databases"]), ["default", "replica"])
        self.assertEqual((s["databases"]["replica"]["HOST"], s["databases"]["replica"]["PORT"]), ("127.0.0.1", "5433"))
        self.assertEqual(s["routers"], ["djangogke.dbrouter.PrimaryReplicaRouter"])
        mw = s["middleware"]
        at = mw.index("djangogke.dbrouter.ReadYourWritesMiddleware")
        self.assertEqual(mw[at - 1], "djangogke.middleware.RequestContextMiddleware")
        self.assertEqual(mw[at + 1], "polls.caching.ApiCacheMiddleware")
        self.assertEqual(s["window"], 7)

    def test_start_up_line_and_configuration_errors(self):
        def wsgi(extra):
            return subprocess.run(
                [sys.executable, "-c", "import djangogke.wsgi"],
                cwd=APP_DIR, env=clean_environ(extra), capture_output=True, text=True, timeout=120,
            )

        r = wsgi({"DB_REPLICA_HOST": "127.0.0.1", "DB_REPLICA_PORT": "5433"})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        lines = [json.loads(x)["message"] for x in r.stdout.splitlines() if x.startswith("{")]
        self.assertEqual(
            [m for m in lines if m.startswith("database:")],
            ["database: writes to the primary at 127.0.0.1:5432, reads from the replica at 127.0.0.1:5433; "
             "a writer reads the primary for 10 s (read-your-writes)"],
        )
        self.assertEqual(r.stderr, "")
        r = wsgi({})
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertNotIn("database:", r.stdout)
        r = wsgi({"DB_REPLICA_HOST": "127.0.0.1", "DB_REPLICA_PORT": "replica"})
        self.assertEqual(r.returncode, 1)
        line = json.loads(r.stderr.strip())  # one line, no traceback
        self.assertEqual(line["severity"], "CRITICAL")
        self.assertIn("DB_REPLICA_PORT", line["message"])


class RouterTests(SimpleTestCase):
    def test_reads_go_to_the_replica_writes_to_the_primary(self):
        self.assertEqual(router.db_for_read(Question), "replica")
        self.assertEqual(router.db_for_write(Question), "default")

    def test_primary_block_forces_reads_to_the_primary(self):
        with dbrouter.primary():
            self.assertEqual(router.db_for_read(Choice), "default")
            with dbrouter.primary():
                pass
            self.assertEqual(router.db_for_read(Choice), "default")  # nested: still forced
        self.assertEqual(router.db_for_read(Choice), "replica")

    def test_sessions_always_read_the_primary(self):
        self.assertEqual(router.db_for_read(Session), "default")
        self.assertEqual(router.db_for_write(Session), "default")

    def test_reads_inside_a_primary_transaction_stay_on_the_primary(self):
        with mock.patch.object(connections["default"], "in_atomic_block", True):
            self.assertEqual(router.db_for_read(Question), "default")

    def test_relations_of_an_instance_from_the_primary_are_read_there(self):
        q = Question(text="?")
        q._state.db = "default"
        self.assertEqual(router.db_for_read(Choice, instance=q), "default")
        q._state.db = "replica"
        self.assertEqual(router.db_for_read(Choice, instance=q), "replica")

    def test_migrations_only_on_the_primary_relations_across_both(self):
        self.assertTrue(router.allow_migrate("default", "polls"))
        self.assertFalse(router.allow_migrate("replica", "polls"))
        self.assertFalse(router.allow_migrate("replica", "sessions"))
        a, b = Question(), Choice()
        a._state.db, b._state.db = "default", "replica"
        self.assertTrue(router.allow_relation(a, b))
        b._state.db = "other"
        self.assertIsNone(router.allow_relation(a, b))


@override_settings(DB_READ_YOUR_WRITES_SECONDS=10, SESSION_COOKIE_SECURE=False)
class MiddlewareTests(SimpleTestCase):
    def run_request(self, method="get", cookie=None, status=200, view=None):
        seen = {}

        def get_response(request):
            seen["pinned"] = dbrouter.pinned()
            seen["read"] = router.db_for_read(Question)
            if view is not None:
                view()
            return HttpResponse(status=status)

        request = getattr(RequestFactory(), method)("/api/questions/")
        if cookie is not None:
            request.COOKIES[dbrouter.COOKIE] = cookie
        response = dbrouter.ReadYourWritesMiddleware(get_response)(request)
        self.assertFalse(dbrouter.pinned(), "the route must not outlive the request")
        return response, seen

    def test_safe_request_reads_the_replica(self):
        for method in ("get", "head", "options"):
            with self.subTest(method=method):
                response, seen = self.run_request(method)
                self.assertEqual((seen["pinned"], seen["read"]), (False, "replica"))
                self.assertEqual(response["X-DB-Route"], "replica")
                self.assertNotIn(dbrouter.COOKIE, response.cookies)

    def test_write_reads_the_primary_and_sets_the_cookie(self):
        for method in ("post", "put", "patch", "delete"):
            with self.subTest(method=method):
                before = time.time()
                response, seen = self.run_request(method)
                self.assertEqual((seen["pinned"], seen["read"]), (True, "default"))
                self.assertEqual(response["X-DB-Route"], "primary")
                cookie = response.cookies[dbrouter.COOKIE]
                self.assertEqual(cookie["max-age"], 10)
                self.assertTrue(cookie["httponly"])
                self.assertEqual(cookie["samesite"], "Lax")
                self.assertEqual(cookie["path"], "/")
                self.assertFalse(cookie["secure"])
                self.assertGreaterEqual(int(cookie.value), math.ceil(before + 10))
                self.assertLessEqual(int(cookie.value), math.ceil(time.time() + 10))

    def test_cookie_is_secure_with_secure_cookies(self):
        with override_settings(SESSION_COOKIE_SECURE=True):
            self.assertTrue(self.run_request("post")[0].cookies[dbrouter.COOKIE]["secure"])

    def test_no_cookie_when_the_write_failed_with_a_5xx(self):
        for status, cookie in ((500, False), (503, False), (404, True), (400, True), (302, True)):
            with self.subTest(status=status):
                response = self.run_request("post", status=status)[0]
                self.assertEqual(dbrouter.COOKIE in response.cookies, cookie)

    def test_a_valid_cookie_pins_reads_to_the_primary(self):
        response, seen = self.run_request(cookie=str(int(time.time()) + 5))
        self.assertEqual((seen["pinned"], seen["read"], response["X-DB-Route"]), (True, "default", "primary"))
        self.assertNotIn(dbrouter.COOKIE, response.cookies)  # a read does not extend the window

    def test_stale_forged_or_garbled_cookies_are_ignored(self):
        now = int(time.time())
        for value in (str(now - 1), str(now), str(now + 10 + dbrouter.CLOCK_SLACK_S + 60), "", "abc", "-5",
                      "1e9", " 12", "9" * 40, "١٢٣"):
            with self.subTest(value=value):
                response, seen = self.run_request(cookie=value)
                self.assertEqual((seen["pinned"], response["X-DB-Route"]), (False, "replica"))

    def test_window_zero_pins_the_write_only(self):
        with override_settings(DB_READ_YOUR_WRITES_SECONDS=0):
            response, seen = self.run_request("post")
            self.assertTrue(seen["pinned"])
            self.assertNotIn(dbrouter.COOKIE, response.cookies)
            self.assertFalse(self.run_request(cookie=str(int(time.time()) + 30))[1]["pinned"])

    def test_a_read_from_the_primary_labels_the_response(self):
        def fill():
            with dbrouter.primary():
                router.db_for_read(Question)

        response, seen = self.run_request(view=fill)
        self.assertEqual((seen["pinned"], response["X-DB-Route"]), (False, "primary"))
        response, _ = self.run_request(view=lambda: router.db_for_read(Session))
        self.assertEqual(response["X-DB-Route"], "replica", "session reads are not counted")

    def test_route_reset_when_the_view_raises(self):
        def boom(request):
            raise RuntimeError("boom")

        with self.assertRaises(RuntimeError):
            dbrouter.ReadYourWritesMiddleware(boom)(RequestFactory().post("/"))
        self.assertFalse(dbrouter.pinned())


def require_replica():
    if not dbrouter.configured():
        raise AssertionError(NEEDS_REPLICA)


class Queries:
    """The queries each connection ran inside the block (main thread)."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
        for c in self.contexts.values():
            c.__enter__()
        return self

    def __exit__(self, *exc):
        for c in self.contexts.values():
            c.__exit__(*exc)

    def sql(self, alias):
        return [q["sql"] for q in self.contexts[alias].captured_queries]

    def reads(self, alias, table):
        return [s for s in self.sql(alias) if s.lstrip().upper().startswith("SELECT") and table in s]


@tag(NEEDS_REPLICA_TAG)
class ReplicaTestCase(TransactionTestCase):
    """Not wrapped in a transaction: reads really go to the replica alias (a connection of its own)."""

    databases = {"default", "replica"}

    @classmethod
    def setUpClass(cls):
        require_replica()
        super().setUpClass()

    def setUp(self):
        self.q = Question.objects.create(text="Primary or replica?")
        self.a = Choice.objects.create(question=self.q, text="primary")
        Choice.objects.create(question=self.q, text="replica", position=1)
        self.url = f"/api/questions/{self.q.pk}/"

    def vote(self, client):
        r = client.post(self.url + "vote/", json.dumps({"choice": self.a.pk}), content_type="application/json")
        self.assertEqual(r.status_code, 200, r.content)
        return r


@override_settings(CACHES=NO_CACHE, SESSION_ENGINE="django.contrib.sessions.backends.db", STORAGES=PLAIN_STATIC)
class RoutingTests(ReplicaTestCase):
    def test_reads_from_the_replica_writes_and_the_writers_reads_from_the_primary(self):
        writer, reader = Client(), Client()
        with Queries() as q:
            r = reader.get(self.url)
        self.assertEqual((r.status_code, r["X-DB-Route"]), (200, "replica"))
        self.assertTrue(q.reads("replica", "polls_question"), q.sql("replica"))
        self.assertEqual(q.sql("default"), [])

        with Queries() as q:
            r = self.vote(writer)
        self.assertEqual((r["X-DB-Route"], r.json()["total_votes"]), ("primary", 1))
        self.assertEqual(q.sql("replica"), [], "a write reads the primary only")
        self.assertTrue(any("INSERT" in s and "polls_vote" in s for s in q.sql("default")))
        self.assertIn(dbrouter.COOKIE, r.cookies)

        with Queries() as q:
            r = writer.get(self.url)  # carries the cookie
        self.assertEqual((r["X-DB-Route"], r.json()["total_votes"]), ("primary", 1))
        self.assertEqual(q.sql("replica"), [])
        with Queries() as q:
            r = reader.get(self.url)
        self.assertEqual(r["X-DB-Route"], "replica")
        self.assertEqual(q.sql("default"), [])

        writer.cookies[dbrouter.COOKIE] = str(int(time.time()) - 1)  # the window is over
        with Queries() as q:
            r = writer.get(self.url)
        self.assertEqual(r["X-DB-Route"], "replica")
        self.assertEqual(q.sql("default"), [])

    def test_html_vote_then_results_from_the_primary(self):
        voter = Client()
        self.assertEqual(voter.get("/")["X-DB-Route"], "replica")
        detail = voter.get(f"/questions/{self.q.pk}/")
        self.assertEqual(detail["X-DB-Route"], "replica")
        r = voter.post(f"/questions/{self.q.pk}/vote/", {"choice": str(self.a.pk)})
        self.assertEqual((r.status_code, r["X-DB-Route"]), (302, "primary"))
        self.assertIn(dbrouter.COOKIE, r.cookies)
        with Queries() as q:
            page = voter.get(r["Location"])
        self.assertEqual(page["X-DB-Route"], "primary")
        self.assertContains(page, "primary &mdash; 1 vote<")
        self.assertEqual(q.sql("replica"), [])

    def test_new_question_read_back_by_its_writer(self):
        writer = Client()
        r = writer.post("/api/questions/", json.dumps({"text": "New?", "choices": ["a", "b"]}),
                        content_type="application/json")
        self.assertEqual((r.status_code, r["X-DB-Route"]), (201, "primary"))
        self.assertEqual(writer.get(r["Location"])["X-DB-Route"], "primary")

    def test_sessions_read_the_primary_data_the_replica(self):
        get_user_model().objects.create_superuser("admin", "a@example.com", "pw-0123456789")
        c = Client()
        c.force_login(get_user_model().objects.get(username="admin"))
        with Queries() as q:
            r = c.get("/admin/")
        self.assertEqual((r.status_code, r["X-DB-Route"]), (200, "replica"))
        self.assertTrue(q.reads("default", "django_session"), q.sql("default"))
        self.assertEqual(q.reads("replica", "django_session"), [])
        self.assertTrue(q.reads("replica", "auth_user"), q.sql("replica"))


class CacheFillTests(ReplicaTestCase):
    """With the cache server: a miss is filled from the primary, a hit reads nothing."""

    @classmethod
    def setUpClass(cls):
        from polls.tests.test_cache import require_redis

        require_redis()
        super().setUpClass()

    @override_settings(STORAGES=PLAIN_STATIC)
    def test_fills_read_the_primary_hits_nothing_bypasses_the_replica(self):
        reader = Client()
        for url in (self.url, "/api/questions/", "/", f"/questions/{self.q.pk}/results/"):
            with self.subTest(url=url):
                with Queries() as q:
                    miss = reader.get(url)
                self.assertEqual((miss["X-Cache"], miss["X-DB-Route"]), ("miss", "primary"))
                self.assertEqual(q.sql("replica"), [], "a fill must read the primary")
                self.assertTrue(q.reads("default", "polls_"), q.sql("default"))
                with Queries() as q:
                    hit = reader.get(url)
                self.assertEqual((hit["X-Cache"], hit["X-DB-Route"]), ("hit", "replica"))
                self.assertEqual(q.sql("default") + q.sql("replica"), [])
                with Queries() as q:
                    fresh = reader.get(url, HTTP_CACHE_CONTROL="no-cache")
                self.assertEqual((fresh["X-Cache"], fresh["X-DB-Route"]), ("bypass", "replica"))
                self.assertTrue(q.reads("replica", "polls_"), q.sql("replica"))
                self.assertEqual(q.sql("default"), [])

    def test_vote_invalidates_then_any_reader_refills_from_the_primary(self):
        voter, other = Client(), Client()
        self.assertEqual(other.get(self.url)["X-Cache"], "miss")
        self.assertEqual(other.get(self.url)["X-Cache"], "hit")
        self.vote(voter)
        with Queries() as q:
            r = other.get(self.url)
        self.assertEqual((r["X-Cache"], r["X-DB-Route"], r.json()["total_votes"]), ("miss", "primary", 1))
        self.assertEqual(q.sql("replica"), [])
        r = voter.get(self.url)  # a hit for the voter too: the cache is never older than its write
        self.assertEqual((r["X-Cache"], r["X-DB-Route"], r.json()["total_votes"]), ("hit", "primary", 1))


@override_settings(DB_READINESS="replica")
class ReadinessTests(ReplicaTestCase):
    """A replica region's pods check what they read from: the replica (what the program sets there)."""

    def test_the_replica_is_checked_not_the_primary(self):
        with Queries() as q:
            r = self.client.get("/readyz", HTTP_HOST="10.4.2.17")
        self.assertEqual(r.status_code, 200)
        body = r.json()
        self.assertEqual((body["status"], body["replica"]), ("ok", "ok"))
        self.assertIn("SELECT 1", q.sql("replica"))
        self.assertNotIn("SELECT 1", q.sql("default"))

    def test_replica_down_is_unready_naming_the_replica(self):
        replica = connections["replica"]
        where = f"{replica.settings_dict['HOST']}:{replica.settings_dict['PORT']}"
        with mock.patch.object(replica, "cursor", side_effect=OperationalError("connection refused")):
            with self.assertLogs("djangogke.health", logging.WARNING) as logs:
                r = self.client.get("/readyz", HTTP_HOST="10.4.2.17")
        self.assertEqual(r.status_code, 503)
        body = r.json()
        self.assertEqual((body["status"], body["replica"], body["error"]), ("unavailable", "error", "OperationalError"))
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn(f"replica database at {where}: OperationalError: connection refused", logs.output[0])
        self.assertIsNone(logs.records[0].exc_info, "no traceback")

    def test_primary_down_the_replica_region_stays_ready(self):
        with mock.patch.object(connections["default"], "cursor", side_effect=AssertionError("primary checked")) as tried:
            r = self.client.get("/readyz", HTTP_HOST="10.4.2.17")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertFalse(tried.called, "the primary is an alert's business, not readiness")

    @override_settings(DB_READINESS="primary")
    def test_the_primary_region_checks_the_primary(self):
        with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("refused")), \
                mock.patch.object(connections["replica"], "cursor", side_effect=AssertionError("replica tried")) as tried:
            with self.assertLogs("djangogke.health", logging.WARNING) as logs:
                r = self.client.get("/readyz", HTTP_HOST="10.4.2.17")
        self.assertEqual(r.status_code, 503)
        self.assertEqual(r.json()["database"], "error")
        self.assertFalse(tried.called)
        self.assertIn("primary database at", logs.output[0])

    def test_writes_work_while_the_replica_is_down(self):
        replica = connections["replica"]
        with mock.patch.object(replica, "cursor", side_effect=OperationalError("connection refused")):
            with override_settings(CACHES=NO_CACHE, SESSION_ENGINE="django.contrib.sessions.backends.db"):
                c = Client()
                r = self.vote(c)
                self.assertEqual(r["X-DB-Route"], "primary")
                self.assertEqual(c.get(self.url).json()["total_votes"], 1)  # pinned by the cookie
                with self.assertLogs("djangogke.middleware", logging.ERROR):
                    r = Client().get(self.url)
                self.assertEqual((r.status_code, r["Retry-After"]), (503, "5"))
                self.assertEqual(r["X-DB-Route"], "replica")
