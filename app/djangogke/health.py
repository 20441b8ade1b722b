"""Liveness and readiness checks (no URLconf, no ALLOWED_HOSTS: see middleware)."""

import logging
import time

from django.db import connections, transaction

from . import cache

logger = logging.getLogger(__name__)

# Server-side bound for the readiness query; the connection attempt itself is
# bounded by libpq's connect_timeout (DB_CONNECT_TIMEOUT, default 3 s).
READY_STATEMENT_TIMEOUT_MS = 1000


def liveness():
    """The process is alive and can answer: nothing else is checked (no DB)."""
    return True, {"status": "ok"}


def readiness(alias="default"):
    """The database answers ``SELECT 1`` within the timeouts.

    Uses Django's own (persistent, health-checked) connection, so a pod only
    reports ready when the connection its requests use works. The cache server is
    optional: its state (off/ok/unavailable, as this process last saw it, no I/O)
    is reported in the body and never makes the pod unready.
    """
    conn = connections[alias]
    started = time.monotonic()
    try:
        # Opening the cursor runs Django's CONN_HEALTH_CHECKS check on a reused
        # connection (and reconnects if it is broken) before we start a transaction.
        with conn.cursor() as cursor:
            with transaction.atomic(using=alias):
                cursor.execute(f"SET LOCAL statement_timeout = {READY_STATEMENT_TIMEOUT_MS}")
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except Exception as exc:  # any failure means "not ready", never a 500
        elapsed = time.monotonic() - started
        logger.warning("readiness check failed after %.3fs: %s: %s", elapsed, type(exc).__name__, exc)
        # No explicit close: Django drops a connection that errored and is unusable
        # at the end of the request (close_old_connections), so the next check
        # reconnects from scratch.
        return False, {
            "status": "unavailable", "database": "error", "error": type(exc).__name__, "cache": cache.state()
        }
    return True, {
        "status": "ok", "database": "ok", "seconds": round(time.monotonic() - started, 4), "cache": cache.state()
    }
