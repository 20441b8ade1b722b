"""Django's test runner; with a cache server, every test starts on an empty cache.

Database changes are rolled back after each test, cache entries are not: without a
fresh cache a test could be answered from a page an earlier test cached. So each
test starts with the cache database emptied (FLUSHDB) and the process's breaker
closed. The tests must use a Redis database of their own (CACHE_REDIS_DB != 0;
scripts/local/run_tests.py sets 1) so that emptying it never touches real data.
"""

import unittest

from django.core.exceptions import ImproperlyConfigured
from django.test.runner import DiscoverRunner

from . import cache


def fresh_cache():
    """Empty the test cache database and forget the breaker's state (no-op without a cache)."""
    cfg = cache.config()
    if cfg is None:
        return
    if cfg["LOCATION"].rstrip("/").endswith("/0"):
        raise ImproperlyConfigured(
            "the tests empty the cache database before each test: set CACHE_REDIS_DB to one "
            "the tests may empty (scripts/local/run_tests.py uses 1), not 0"
        )
    cache._guard = None
    try:
        cache.guard().client.flushdb()
    except Exception:  # a test that points the cache at a dead server on purpose
        pass
    cache._guard = None


class Runner(DiscoverRunner):
    def get_resultclass(self):
        base = super().get_resultclass() or unittest.TextTestResult

        class FreshCacheResult(base):
            def startTest(self, test):
                fresh_cache()
                super().startTest(test)

        return FreshCacheResult
