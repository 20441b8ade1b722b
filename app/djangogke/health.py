"""Liveness and readiness checks (no URLconf, no ALLOWED_HOSTS: see middleware)."""

import logging
import time

from django.conf import settings
from django.db import connections, transaction

from . import cache, dbrouter

logger = logging.getLogger(__name__)

# Server-side bound for the readiness query; the connection attempt itself is
# bounded by libpq's connect_timeout (DB_CONNECT_TIMEOUT, default 3 s).
READY_STATEMENT_TIMEOUT_MS = 1000


def liveness():
    """The process is alive and can answer: nothing else is checked (no DB)."""
    return True, {"status": "ok"}


def _check(alias):
    """None when database `alias` answers ``SELECT 1`` within the timeouts, else the exception."""
    conn = connections[alias]
    try:
        # Opening the cursor runs Django's CONN_HEALTH_CHECKS check on a reused
        # connection (and reconnects if it is broken) before we start a transaction.
        with conn.cursor() as cursor:
            with transaction.atomic(using=alias):
                cursor.execute(f"SET LOCAL statement_timeout = {READY_STATEMENT_TIMEOUT_MS}")
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except Exception as exc:  # any failure means "not ready", never a 500
        # No explicit close: Django drops a connection that errored and is unusable
        # at the end of the request (close_old_connections), so the next check
        # reconnects from scratch.
        return exc
    return None


def _failed(started, exc, what=None):
    elapsed = time.monotonic() - started
    if what is None:
        logger.warning("readiness check failed after %.3fs: %s: %s", elapsed, type(exc).__name__, exc)
    else:
        # psycopg's messages span lines ("...failed: Connection refused\n\tIs the server..."): one line.
        message = " ".join(str(exc).split())
        logger.warning("readiness check failed after %.3fs: %s: %s: %s", elapsed, what, type(exc).__name__, message)


def _where(alias):
    db = connections[alias].settings_dict
    return f"{'primary' if alias == dbrouter.PRIMARY else 'replica'} database at {db['HOST']}:{db['PORT']}"


def readiness():
    """Can this pod serve its region? The database it reads from answers ``SELECT 1``.

    Which database is settings.DB_READINESS (env.db_readiness): the region's read
    replica, the primary, or none. Readiness is also the load balancer's health
    check, so it checks what this region needs, never more: a replica region stays
    ready with the primary down (reads work, writes answer 503 fast), and a stack
    in one region stays ready through a Cloud SQL failover or restart (static
    files and cached pages keep working, database pages answer 503); the primary's
    health is an alert, not a readiness condition.

    Uses Django's own (persistent, health-checked) connections, so a pod only
    reports ready when the connections its requests use work. The cache server is
    optional: its state (off/ok/unavailable, as this process last saw it, no I/O)
    is reported in the body and never makes the pod unready. A failed check is one
    WARNING line naming the database, never a traceback.
    """
    started = time.monotonic()
    mode = settings.DB_READINESS
    if mode == "none":
        return True, {"status": "ok", "database": "not checked", "cache": cache.state()}
    alias = dbrouter.REPLICA if mode == "replica" else dbrouter.PRIMARY
    key = "replica" if mode == "replica" else "database"
    exc = _check(alias)
    if exc is not None:
        _failed(started, exc, _where(alias) if dbrouter.configured() else None)
        return False, {"status": "unavailable", key: "error", "error": type(exc).__name__, "cache": cache.state()}
    return True, {"status": "ok", key: "ok", "seconds": round(time.monotonic() - started, 4), "cache": cache.state()}
