"""Reads from the region's read replica, writes to the primary, and a writer reads its own writes.

Enabled by settings only when DB_REPLICA_HOST is set (a region that is not the
primary's: the Cloud SQL Auth Proxy serves the primary on :5432 and the region's
cross-region read replica on :5433). Then DATABASES has two aliases with the same
data: ``default`` (the primary) and ``replica`` (asynchronous streaming replication,
so it may lag). Without a replica none of this is installed and the app has one
database, exactly as before.

Where a query goes (``PrimaryReplicaRouter``):

- writes: always the primary;
- reads: the replica, unless the current request is *pinned* to the primary, or the
  read must see the primary's state:
  - the request is pinned (``ReadYourWritesMiddleware``): its method is unsafe (POST,
    PUT, PATCH, DELETE: the write and everything it reads), or it carries a valid
    read-your-writes cookie (the client wrote less than DB_READ_YOUR_WRITES_SECONDS ago);
  - inside ``primary()``: a page-cache fill (polls/caching.py). A page filled from a
    lagging replica would be stored for the cache's TTL after the write's invalidation
    had already run, breaking the cache's guarantee that a write is seen by every
    reader once it returned;
  - sessions (``django.contrib.sessions``): a session written by one request must be
    found by the next, whichever pod serves it;
  - inside a transaction on the primary (its reads must see its writes; also
    ``select_for_update``), and related objects of an instance read from the primary;
- migrations: only on the primary (a replica is read-only and replicates them).

The middleware also says where a request's reads went: ``X-DB-Route: primary`` (the
request was pinned, or some of its data was read from the primary, e.g. a cache fill)
or ``replica`` (everything it read came from the replica, or it read nothing: a cache
hit). Session reads are not counted: they always go to the primary.
"""

import contextlib
import logging
import math
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
COOKIE = "db_primary_until"  # value: the epoch second until which the client reads the primary
HEADER = "X-DB-Route"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# A cookie claiming more than the window (plus this much clock difference between
# pods) was not set by us: ignored, so no client can pin itself to the primary for good.
CLOCK_SLACK_S = 5
ALWAYS_PRIMARY_APPS = frozenset({"sessions"})


def configured():
    """True when settings define the replica alias (DB_REPLICA_HOST set)."""
    return REPLICA in settings.DATABASES


def window_seconds():
    return getattr(settings, "DB_READ_YOUR_WRITES_SECONDS", 10)


class _Route:
    """What the current request's reads do: pinned to the primary, and whether any went there."""

    __slots__ = ("pinned", "primary_read")

    def __init__(self, pinned):
        self.pinned = pinned
        self.primary_read = False


_route = ContextVar("djangogke_db_route", default=None)
_forced = ContextVar("djangogke_db_primary", default=False)


def pinned():
    """The current request reads the primary (unsafe method or read-your-writes cookie)."""
    route = _route.get()
    return route is not None and route.pinned


@contextlib.contextmanager
def primary():
    """Every read inside goes to the primary (the page-cache fills use it)."""
    token = _forced.set(True)
    try:
        yield
    finally:
        _forced.reset(token)


def _primary_read():
    route = _route.get()
    if route is not None:
        route.primary_read = True
    return PRIMARY


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry; see the module docstring."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in ALWAYS_PRIMARY_APPS:
            return PRIMARY  # not counted in X-DB-Route
        if _forced.get() or pinned():
            return _primary_read()
        instance = hints.get("instance")
        if instance is not None and instance._state.db == PRIMARY:
            return _primary_read()
        if connections[PRIMARY].in_atomic_block:
            return _primary_read()
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        if obj1._state.db in (PRIMARY, REPLICA) and obj2._state.db in (PRIMARY, REPLICA):
            return True  # the same data
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def cookie_until(request, now=None):
    """The valid expiry (epoch seconds) of the request's read-your-writes cookie, or None."""
    raw = request.COOKIES.get(COOKIE)
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    until = int(raw)
    now = time.time() if now is None else now
    if until <= now or until > now + window_seconds() + CLOCK_SLACK_S:
        return None
    return until


class ReadYourWritesMiddleware:
    """Pin a request to the primary when it writes or wrote recently; label where it read.

    Right after the request-context middleware (outside the API cache's fast path, so
    hits are labelled too). After an unsafe request the app handled (status < 500) it
    sets the cookie ``db_primary_until`` (HttpOnly, SameSite=Lax, Max-Age =
    DB_READ_YOUR_WRITES_SECONDS, value = the expiry in epoch seconds, checked here too:
    a stale or forged cookie is ignored). Only installed with a replica.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        unsafe = request.method not in SAFE_METHODS
        route = _Route(unsafe or cookie_until(request) is not None)
        token = _route.set(route)
        try:
            response = self.get_response(request)
        finally:
            _route.reset(token)
        response[HEADER] = "primary" if route.pinned or route.primary_read else "replica"
        window = window_seconds()
        if unsafe and response.status_code < 500 and window > 0:
            response.set_cookie(
                COOKIE,
                str(math.ceil(time.time() + window)),
                max_age=window,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def log_at_start():
    """One line at start-up saying where reads and writes go (no I/O; /readyz checks both)."""
    if not configured():
        return None
    db = settings.DATABASES
    line = (
        f"database: writes to the primary at {db[PRIMARY]['HOST']}:{db[PRIMARY]['PORT']}, reads from the "
        f"replica at {db[REPLICA]['HOST']}:{db[REPLICA]['PORT']}; a writer reads the primary for "
        f"{window_seconds()} s (read-your-writes)"
    )
    logger.info(line)
    return line
