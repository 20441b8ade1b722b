"""The cache server for real: hits, misses, invalidation, outages, start-up, sessions.

These tests need the real redis-server (TLS + AUTH) that scripts/local/test.sh
starts and passes in CACHE_REDIS_*; without one they FAIL (never skip), saying so.
Each test starts on an empty cache database (djangogke/testrunner.py).
"""

import json
import logging
import os
import socket
import subprocess
import tempfile
import threading
import time
from unittest import mock

from django.contrib.auth import get_user_model
from django.test import Client, SimpleTestCase, TestCase, override_settings

from djangogke import cache, env, pagecache
from polls import caching
from polls.models import Choice, Question, Vote

PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
NEEDS_REDIS = (
    "these tests need a real redis-server: run scripts/local/test.sh (it starts one with TLS and AUTH "
    "and sets CACHE_REDIS_*), or set CACHE_REDIS_HOST, CACHE_REDIS_PORT, CACHE_REDIS_PASSWORD, "
    "CACHE_REDIS_CA_FILE and CACHE_REDIS_DB (not 0: the tests empty it)"
)


def real_env():
    """The CACHE_* variables of the real redis-server; fails (not skips) without one."""
    if not os.environ.get("CACHE_REDIS_HOST") or cache.config() is None:
        raise AssertionError(NEEDS_REDIS)
    return {k: v for k, v in os.environ.items() if k.startswith("CACHE_")}


def caches_with(**overrides):
    """CACHES for the real server with some variables changed (a wrong port, password, ...)."""
    return env.cache_from_env({**real_env(), **overrides})


def require_redis():
    real_env()
    try:
        cache.guard().client.ping()
    except Exception as exc:
        raise AssertionError(f"{NEEDS_REDIS}; PING failed: {cache.describe(exc)}") from None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def headers_without_x_cache(response):
    # X-DB-Route (with a read replica) differs too: a miss is filled from the primary.
    return [(k, v) for k, v in response.items() if k not in ("X-Cache", "X-DB-Route")]


class RealRedisTestCase(TestCase):
    @classmethod
    def setUpClass(cls):
        require_redis()  # before the class's transaction opens: a failure must not leak it
        super().setUpClass()

    def setUp(self):
        self.q = Question.objects.create(text="Tabs or spaces?")
        self.tabs = Choice.objects.create(question=self.q, text="tabs")
        self.spaces = Choice.objects.create(question=self.q, text="spaces", position=1)

    def vote_api(self, client, choice):
        r = client.post(
            f"/api/questions/{self.q.pk}/vote/", json.dumps({"choice": choice.pk}), content_type="application/json"
        )
        self.assertEqual(r.status_code, 200, r.content)
        return r

    def votes(self, response):
        return [c["votes"] for c in response.json()["choices"]]


@override_settings(STORAGES=PLAIN_STATIC)
class CachedReadsTests(RealRedisTestCase):
    def test_api_miss_then_hit_same_body(self):
        for url in ("/api/questions/", "/api/questions/?limit=5&offset=0", f"/api/questions/{self.q.pk}/"):
            with self.subTest(url=url):
                miss, hit = self.client.get(url), self.client.get(url)
                self.assertEqual((miss.status_code, miss["X-Cache"]), (200, "miss"))
                self.assertEqual((hit.status_code, hit["X-Cache"]), (200, "hit"))
                self.assertEqual(hit.content, miss.content)
                self.assertEqual(self.client.head(url)["X-Cache"], "hit")

    def test_hit_has_exactly_the_headers_of_a_miss(self):
        cookies = ({"HTTP_COOKIE": "sessionid=abc; csrftoken=x"}, {"HTTP_COOKIE": "csrftoken=x"})
        for extra in ({}, {"HTTP_X_FORWARDED_PROTO": "https"}, *cookies):
            with self.subTest(extra=extra):
                pagecache.page_cache().invalidate()
                miss = self.client.get("/api/questions/", **extra)
                hit = self.client.get("/api/questions/", **extra)
                self.assertEqual((miss["X-Cache"], hit["X-Cache"]), ("miss", "hit"))
                self.assertEqual(headers_without_x_cache(hit), headers_without_x_cache(miss))
                self.assertEqual(hit["Content-Type"], "application/json")
                self.assertEqual(hit["Cache-Control"], "no-store")

    def test_equivalent_queries_share_an_entry_others_do_not(self):
        self.assertEqual(self.client.get("/api/questions/")["X-Cache"], "miss")
        self.assertEqual(self.client.get("/api/questions/?offset=0&limit=20")["X-Cache"], "hit")
        self.assertEqual(self.client.get("/api/questions/?limit=1")["X-Cache"], "miss")
        self.assertEqual(self.client.get("/api/questions/?limit=1&nonce=7")["X-Cache"], "miss")
        self.assertEqual(self.client.get("/api/questions/?nonce=7&limit=1")["X-Cache"], "hit")

    def test_errors_are_not_cached(self):
        for url in ("/api/questions/999999/", f"/api/questions/{2**63}/", "/questions/999999/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.get(url).status_code, 404)
        r = self.client.get("/api/questions/?limit=abc")
        self.assertEqual(r.status_code, 400)
        self.assertNotIn("X-Cache", r)

    def test_disallowed_host_and_https_redirect_still_apply_to_hits(self):
        self.client.get("/api/questions/")
        self.assertEqual(self.client.get("/api/questions/")["X-Cache"], "hit")
        self.assertEqual(self.client.get("/api/questions/", HTTP_HOST="evil.example.com").status_code, 400)
        with override_settings(SECURE_SSL_REDIRECT=True):
            client = Client()  # middleware read at the client's first request
            r = client.get("/api/questions/")
            self.assertEqual(r.status_code, 301)
            r = client.get("/api/questions/", HTTP_X_FORWARDED_PROTO="https")
            self.assertEqual((r.status_code, r["X-Cache"]), (200, "hit"))
            self.assertIn("max-age=", r["Strict-Transport-Security"])

    def test_pages_cache_their_data_not_the_csrf_token(self):
        a, b = Client(), Client()
        ra, rb = a.get(f"/questions/{self.q.pk}/"), b.get(f"/questions/{self.q.pk}/")
        self.assertEqual((ra["X-Cache"], rb["X-Cache"]), ("miss", "hit"))
        token = lambda r: r.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]  # noqa: E731
        self.assertNotEqual(token(ra), token(rb))
        self.assertContains(rb, 'value="%d"' % self.tabs.pk)
        self.assertEqual(a.get(f"/questions/{self.q.pk}/results/")["X-Cache"], "hit")  # same data
        self.assertEqual((a.get("/")["X-Cache"], b.get("/")["X-Cache"]), ("miss", "hit"))
        self.assertContains(b.get("/"), "Tabs or spaces?")

    def test_entries_live_for_the_ttl(self):
        self.client.get("/api/questions/")
        pc = pagecache.page_cache()
        ttl = pc.guard.client.ttl(pc.key(caching.DEFAULT_LIST_KEY))
        self.assertTrue(0 < ttl <= pc.ttl, (ttl, pc.ttl))

    def test_no_cache_request_and_bypass_cookie_read_the_database(self):
        self.client.get("/api/questions/")
        for extra in ({"HTTP_CACHE_CONTROL": "no-cache"}, {"HTTP_PRAGMA": "no-cache"}):
            r = self.client.get("/api/questions/", **extra)
            self.assertEqual(r["X-Cache"], "bypass")
        c = Client()
        c.cookies[caching.BYPASS_COOKIE] = "1"
        self.assertEqual(c.get("/api/questions/")["X-Cache"], "bypass")
        self.assertEqual(c.get(f"/questions/{self.q.pk}/results/")["X-Cache"], "bypass")


@override_settings(STORAGES=PLAIN_STATIC)
class InvalidationTests(RealRedisTestCase):
    def warm(self, client, *urls):
        for url in urls:
            client.get(url)
            self.assertEqual(client.get(url)["X-Cache"], "hit", url)

    def test_api_vote_is_seen_at_once_by_the_voter_and_others(self):
        voter, other = Client(), Client()
        detail = f"/api/questions/{self.q.pk}/"
        self.warm(voter, detail, "/api/questions/")
        r = self.vote_api(voter, self.tabs)
        self.assertEqual(self.votes(r), [1, 0])  # computed from the database
        self.assertNotIn(caching.BYPASS_COOKIE, r.cookies)
        for client, status in ((voter, "miss"), (other, "hit")):  # the voter's read refilled the cache
            mine = client.get(detail)
            self.assertEqual((mine["X-Cache"], self.votes(mine)), (status, [1, 0]))
            listing = client.get("/api/questions/")
            self.assertEqual((listing["X-Cache"], listing.json()["results"][0]["total_votes"]), (status, 1))

    def test_html_vote_is_seen_at_once(self):
        voter, other = Client(), Client()
        results = f"/questions/{self.q.pk}/results/"
        self.warm(voter, results)
        self.assertContains(voter.get(results), "tabs &mdash; 0 votes")
        r = voter.post(f"/questions/{self.q.pk}/vote/", {"choice": str(self.tabs.pk)}, follow=True)
        self.assertContains(r, "tabs &mdash; 1 vote")
        self.assertEqual(r["X-Cache"], "miss")
        self.assertContains(other.get(results), "tabs &mdash; 1 vote")
        self.assertEqual(self.client.get(f"/api/questions/{self.q.pk}/").json()["total_votes"], 1)

    def test_new_question_shows_in_list_and_index(self):
        self.warm(self.client, "/api/questions/", "/")
        r = self.client.post(
            "/api/questions/", json.dumps({"text": "Vim or Emacs?", "choices": ["vim", "emacs"]}),
            content_type="application/json",
        )
        self.assertEqual(r.status_code, 201)
        self.assertEqual(self.client.get("/api/questions/").json()["count"], 2)
        self.assertContains(self.client.get("/"), "Vim or Emacs?")

    def test_a_slow_reader_cannot_store_what_a_write_made_stale(self):
        """Reader misses, reads the old rows, a vote commits and invalidates, the reader stores: refused."""
        name = caching.api_key(self.client.get("/api/questions/").wsgi_request)
        pagecache.page_cache().invalidate()
        found = pagecache.lookup(name)
        self.assertEqual(found.status, "miss")
        stale = self.client.get("/api/questions/", HTTP_CACHE_CONTROL="no-cache").content  # "the old rows"
        self.vote_api(self.client, self.tabs)
        self.assertFalse(pagecache.store(found, stale))
        fresh = self.client.get("/api/questions/")
        self.assertEqual((fresh["X-Cache"], fresh.json()["results"][0]["total_votes"]), ("miss", 1))

    def test_a_reader_that_missed_after_the_write_stores(self):
        found = pagecache.lookup("api:list:20:0")
        self.assertTrue(pagecache.store(found, b"{}"))
        self.assertEqual(pagecache.lookup("api:list:20:0").value, b"{}")
        self.assertFalse(pagecache.store(found, b"{}"))  # a ticket is good for one store

    def test_invalidation_failure_protects_the_writer(self):
        """Redis refuses the invalidation: the voter gets a bypass cookie; others see the old page at most TTL + 10 s."""
        voter, other = Client(), Client()
        results = f"/questions/{self.q.pk}/results/"
        self.warm(voter, results, f"/api/questions/{self.q.pk}/")
        with mock.patch.object(pagecache.PageCache, "invalidate", side_effect=OSError("connection reset")):
            with self.assertLogs("djangogke.cache", logging.WARNING) as logs:
                r = voter.post(f"/questions/{self.q.pk}/vote/", {"choice": str(self.tabs.pk)})
        self.assertEqual(r.status_code, 302)
        self.assertIn("during invalidate", logs.output[0])
        cookie = r.cookies[caching.BYPASS_COOKIE]
        self.assertEqual(int(cookie["max-age"]), pagecache.page_cache().ttl + pagecache.FILL_SECONDS)
        self.assertTrue(cookie["httponly"])
        page = voter.get(results)  # the voter: from the database, whatever serves it
        self.assertEqual(page["X-Cache"], "bypass")
        self.assertContains(page, "tabs &mdash; 1 vote")
        g = pagecache.page_cache().guard
        self.assertFalse(g.breaker.allow())  # this process skips Redis for CACHE_RETRY_AFTER_SECONDS
        self.assertEqual(other.get(results)["X-Cache"], "bypass")
        # Another process that did not see the failure may still serve the old page
        # (bounded by the TTL); here: once the breaker lets a call through, the cache
        # is dropped before anything is read from it.
        g.breaker.open_until = 0
        with self.assertLogs("djangogke.cache", logging.INFO) as logs:
            page = other.get(results)
        self.assertIn("answers again", logs.output[0])
        self.assertEqual(page["X-Cache"], "miss")
        self.assertContains(page, "tabs &mdash; 1 vote")

    def test_api_vote_with_failed_invalidation_sets_the_cookie_and_answers_fresh(self):
        self.warm(self.client, f"/api/questions/{self.q.pk}/")
        with mock.patch.object(pagecache.PageCache, "invalidate", side_effect=OSError("reset")):
            with self.assertLogs("djangogke.cache", logging.WARNING):
                r = self.vote_api(Client(), self.spaces)
        self.assertEqual(self.votes(r), [0, 1])
        self.assertIn(caching.BYPASS_COOKIE, r.cookies)


class OutageTests(RealRedisTestCase):
    databases = "__all__"  # /readyz checks the read replica too when there is one

    def dead_caches(self):
        return caches_with(CACHE_REDIS_PORT=str(free_port()))

    def test_redis_down_everything_served_from_the_database(self):
        with override_settings(CACHES=self.dead_caches(), STORAGES=PLAIN_STATIC):
            with mock.patch.object(cache.Guard, "_failed", autospec=True, side_effect=cache.Guard._failed) as failed:
                with self.assertLogs("djangogke.cache", logging.WARNING) as logs:
                    for url in ("/api/questions/", f"/api/questions/{self.q.pk}/", "/", f"/questions/{self.q.pk}/results/") * 5:
                        r = self.client.get(url)
                        self.assertEqual((r.status_code, r["X-Cache"]), (200, "bypass"), url)
                    r = self.vote_api(self.client, self.tabs)
                    self.assertIn(caching.BYPASS_COOKIE, r.cookies)
                    ready = self.client.get("/readyz", HTTP_HOST="10.4.2.17")
            self.assertEqual(ready.status_code, 200)
            self.assertEqual(ready.json()["cache"], "unavailable")
        self.assertEqual(failed.call_count, 1, "the breaker must skip Redis after the first failure")
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn("failed (ConnectionError", logs.output[0])
        self.assertNotIn(real_env().get("CACHE_REDIS_PASSWORD", "-"), " ".join(logs.output))

    def test_sessions_fall_back_to_the_database(self):
        User = get_user_model()
        User.objects.create_superuser("admin", "a@example.com", "pw-0123456789")
        with override_settings(CACHES=self.dead_caches()):
            with self.assertLogs("djangogke.cache", logging.WARNING):
                self.assertTrue(self.client.login(username="admin", password="pw-0123456789"))
                self.assertEqual(self.client.get("/admin/").status_code, 200)
            g = cache.guard()
            self.assertTrue(any("cached_db" in k for k in g.pending_keys), g.pending_keys)
        # back on the real server: the session still works (read from the database)
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_sessions_use_the_cache_when_it_is_up(self):
        User = get_user_model()
        User.objects.create_superuser("admin", "a@example.com", "pw-0123456789")
        self.assertTrue(self.client.login(username="admin", password="pw-0123456789"))
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        g = cache.guard()
        keys = g.client.keys("djangogke:1:django.contrib.sessions.cached_db*")
        self.assertEqual(len(keys), 1)
        self.assertLessEqual(g.client.ttl(keys[0]), env.CACHE_MAX_TIMEOUT_S)

    def test_black_hole_costs_one_timeout_per_retry_interval(self):
        hole = socket.socket()
        hole.bind(("127.0.0.1", 0))
        hole.listen(16)  # accepts the TCP connection, never answers the TLS handshake
        self.addCleanup(hole.close)
        caches = caches_with(CACHE_REDIS_PORT=str(hole.getsockname()[1]), CACHE_SOCKET_TIMEOUT_MS="200")
        with override_settings(CACHES=caches):
            with self.assertLogs("djangogke.cache", logging.WARNING) as logs:
                started = time.monotonic()
                first = self.client.get("/api/questions/")
                first_s = time.monotonic() - started
                started = time.monotonic()
                for _ in range(20):
                    self.assertEqual(self.client.get("/api/questions/")["X-Cache"], "bypass")
                rest_s = time.monotonic() - started
        self.assertEqual((first.status_code, first["X-Cache"]), (200, "bypass"))
        self.assertLess(first_s, 2.0)  # the socket timeout (x2 for redis-py's connect retry), not more
        self.assertLess(rest_s, 2.0, "requests after the first must skip Redis (breaker)")
        self.assertIn("timed out", logs.output[0])

    def test_redis_back_the_cache_works_again(self):
        self.client.get("/api/questions/")
        g = cache.guard()
        with mock.patch.object(g, "fast_get", side_effect=OSError("reset by peer")):
            with self.assertLogs("djangogke.cache", logging.WARNING):
                self.assertEqual(self.client.get("/api/questions/")["X-Cache"], "bypass")
        self.assertEqual(cache.state(), "unavailable")
        g.breaker.open_until = 0  # CACHE_RETRY_AFTER_SECONDS later
        with self.assertLogs("djangogke.cache", logging.INFO):
            self.assertEqual(self.client.get("/api/questions/")["X-Cache"], "miss")  # dropped on recovery
        self.assertEqual(self.client.get("/api/questions/")["X-Cache"], "hit")
        self.assertEqual(cache.state(), "ok")


class StartUpCheckTests(SimpleTestCase):
    databases = "__all__"

    @classmethod
    def setUpClass(cls):
        require_redis()  # before the class's transaction opens: a failure must not leak it
        super().setUpClass()

    def test_ok(self):
        with self.assertLogs("djangogke.cache", logging.INFO) as logs:
            self.assertEqual(cache.check_at_start(), "ok")
        self.assertIn("answers (TLS, server certificate verified, AUTH)", logs.output[0])

    def test_wrong_password_one_clear_line(self):
        with override_settings(CACHES=caches_with(CACHE_REDIS_PASSWORD="not-the-password")):
            with self.assertLogs("djangogke.cache", logging.INFO) as logs:
                self.assertEqual(cache.check_at_start(), "auth")
        address = f"{real_env()['CACHE_REDIS_HOST']}:{real_env()['CACHE_REDIS_PORT']}"
        self.assertEqual(
            [r.getMessage() for r in logs.records],
            [f"cache: AUTH failed for redis at {address} (check CACHE_REDIS_PASSWORD); serving without the cache"],
        )
        self.assertNotIn("not-the-password", logs.output[0])

    def test_no_password_is_an_auth_failure_too(self):
        with override_settings(CACHES=caches_with(CACHE_REDIS_PASSWORD="")):
            with self.assertLogs("djangogke.cache", logging.INFO):
                self.assertEqual(cache.check_at_start(), "auth")

    def test_server_certificate_is_verified(self):
        with tempfile.TemporaryDirectory() as tmp:
            other_ca = os.path.join(tmp, "other-ca.pem")
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-days", "1", "-subj", "/CN=not the cache server's CA", "-keyout", os.path.join(tmp, "k"),
                 "-out", other_ca],
                check=True, capture_output=True, timeout=60,
            )
            with override_settings(CACHES=caches_with(CACHE_REDIS_CA_FILE=other_ca)):
                with self.assertLogs("djangogke.cache", logging.INFO) as logs:
                    self.assertEqual(cache.check_at_start(), "down")
        self.assertIn("TLS failed (check CACHE_REDIS_CA_FILE)", logs.output[0])
        self.assertIn("CERTIFICATE_VERIFY_FAILED", logs.output[0])

    def test_unreachable(self):
        with override_settings(CACHES=caches_with(CACHE_REDIS_PORT=str(free_port()))):
            with self.assertLogs("djangogke.cache", logging.INFO) as logs:
                self.assertEqual(cache.check_at_start(), "down")
        self.assertIn("does not answer", logs.output[0])

    def test_plain_tcp_to_a_tls_port_fails_cleanly(self):
        caches = caches_with()
        caches["default"]["LOCATION"] = caches["default"]["LOCATION"].replace("rediss://", "redis://")
        for k in ("ssl_ca_certs", "ssl_cert_reqs", "ssl_check_hostname"):
            caches["default"]["OPTIONS"].pop(k, None)
        with override_settings(CACHES=caches):
            with self.assertLogs("djangogke.cache", logging.INFO):
                self.assertEqual(cache.check_at_start(), "down")


@override_settings(CACHES=NO_CACHE, SESSION_ENGINE="django.contrib.sessions.backends.db", STORAGES=PLAIN_STATIC)
class WithoutCacheServerTests(TestCase):
    databases = "__all__"  # /readyz checks the read replica too when there is one

    def test_exactly_as_before(self):
        q = Question.objects.create(text="Q?")
        Choice.objects.create(question=q, text="a")
        for url in ("/api/questions/", f"/api/questions/{q.pk}/", "/", f"/questions/{q.pk}/results/"):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertNotIn("X-Cache", r)
        r = self.client.post(f"/questions/{q.pk}/vote/", {"choice": str(q.choices.get().pk)})
        self.assertEqual(r.status_code, 302)
        self.assertNotIn(caching.BYPASS_COOKIE, r.cookies)
        self.assertEqual(Vote.objects.count(), 1)
        self.assertEqual(self.client.get("/readyz").json()["cache"], "off")


class FastGetTests(RealRedisTestCase):
    def test_reconnects_after_the_server_closed_the_connection(self):
        g = cache.guard()
        g.client.set("djangogke:probe", b"v")
        self.assertEqual(g.fast_get("djangogke:probe"), b"v")
        g.client.client_kill_filter(_type="normal", skipme=True)  # every connection but this one
        self.assertEqual(g.fast_get("djangogke:probe"), b"v")  # one retry on a fresh connection

    def test_a_forked_child_opens_its_own_connection(self):
        g = cache.guard()
        g.fast_get("x")
        parent_conn = g._local.conn
        pid = os.fork()
        if pid == 0:  # the child: must not share the parent's socket
            try:
                g.fast_get("x")
                os._exit(0 if g._local.conn is not parent_conn else 1)
            except BaseException:
                os._exit(2)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertIs(g._local.conn, parent_conn)


class ConcurrencyTests(RealRedisTestCase):
    def test_threads_share_one_guard_and_never_fail(self):
        errors = []

        def reader():
            c = Client()
            for _ in range(20):
                try:
                    r = c.get("/api/questions/")
                    if r.status_code != 200:
                        errors.append(r.status_code)
                except Exception as exc:  # noqa: BLE001
                    errors.append(repr(exc))

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [])
