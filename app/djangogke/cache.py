"""The optional cache server (Redis; Memorystore in GCP): failures never reach a request.

The cache is an optimisation, so every call to Redis goes through one process-wide
``Guard``:

- a failed call (refused, reset, timed out, AUTH or TLS refused) is a miss: the
  caller falls back to the database, nothing raises;
- a circuit breaker then skips Redis for CACHE_RETRY_AFTER_SECONDS, so a black-holed
  server costs one socket timeout per interval, not one per request;
- one WARNING per CACHE_ERROR_LOG_INTERVAL_SECONDS per process, with the number of
  failures it stands for (never the password);
- the first call that works again first repairs what the outage may have left
  stale: it drops the page cache (a write's invalidation may have failed anywhere)
  and deletes the Django cache keys whose update failed here (session copies).

``RedisCache`` is Django's built-in backend with every operation behind that guard;
``cached_db`` sessions on top of it fall back to the database by themselves once a
cache read is a miss. ``check_at_start()`` logs one line at start-up saying whether
Redis answers (and, when it does not, why: AUTH, TLS, unreachable).
"""

import logging
import os
import ssl
import threading
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

BACKEND = "djangogke.cache.RedisCache"
MAX_PENDING_KEYS = 10_000


def config():
    """The cache server's settings (CACHES['default']) or None when there is none."""
    cfg = settings.CACHES.get("default", {})
    return cfg if cfg.get("BACKEND") == BACKEND else None


class Throttle:
    """Let one event through per `interval` seconds; count the ones held back."""

    def __init__(self, interval, clock=time.monotonic):
        self.interval = interval
        self.clock = clock
        self.next_at = None
        self.held = 0
        self.lock = threading.Lock()

    def allow(self):
        """(True, number held back since the last one) or (False, 0)."""
        with self.lock:
            now = self.clock()
            if self.next_at is None or now >= self.next_at:
                held, self.held = self.held, 0
                self.next_at = now + self.interval
                return True, held
            self.held += 1
            return False, 0


class Breaker:
    """Closed until a failure; then open (skip Redis) for `retry_after` seconds."""

    def __init__(self, retry_after, clock=time.monotonic):
        self.retry_after = retry_after
        self.clock = clock
        self.open_until = 0.0
        self.down_since = None  # monotonic time of the first failure of this outage

    def allow(self):
        return self.down_since is None or self.clock() >= self.open_until

    def failed(self):
        now = self.clock()
        self.open_until = now + self.retry_after
        if self.down_since is None:
            self.down_since = now

    def recovered(self):
        """Close; returns how long it was down (None if it was not)."""
        since, self.down_since = self.down_since, None
        return None if since is None else self.clock() - since

    @property
    def down(self):
        return self.down_since is not None


def describe(exc, password=None):
    """A short reason for a log line, without the password."""
    import redis.exceptions as rex

    text = str(exc)
    if isinstance(exc, rex.AuthenticationError) or any(
        word in text for word in ("NOAUTH", "WRONGPASS", "invalid password", "invalid username-password")
    ):
        reason = "AUTH failed (check CACHE_REDIS_PASSWORD)"
    elif isinstance(exc, ssl.SSLError) or "SSL" in text or "certificate" in text:
        reason = f"TLS failed (check CACHE_REDIS_CA_FILE): {text}"
    elif isinstance(exc, rex.TimeoutError):
        reason = f"timed out: {text}"
    else:
        reason = f"{type(exc).__name__}: {text}"
    if password:
        reason = reason.replace(password, "***")
    return reason[:300]


class Guard:
    """Breaker, throttled logging and outage repair around every Redis call of a process."""

    def __init__(self, cfg, clock=time.monotonic):
        self.cfg = cfg
        self.address = cfg["ADDRESS"]
        self.password = cfg["OPTIONS"].get("password")
        self.breaker = Breaker(cfg["RETRY_AFTER"], clock)
        self.errors = Throttle(cfg["ERROR_LOG_INTERVAL"], clock)
        self.recoveries = Throttle(cfg["ERROR_LOG_INTERVAL"], clock)
        self.pending_keys = set()  # Django cache keys whose write failed: delete when back
        self.lock = threading.Lock()
        self.on_recovery = []  # callables(client) run before the first call after an outage
        self._client = None
        self._local = threading.local()  # this thread's connection for fast_get()

    @property
    def client(self):
        """One redis-py client per process (its pool is thread-safe and fork-aware)."""
        if self._client is None:
            import redis

            pool = redis.ConnectionPool.from_url(self.cfg["LOCATION"], **self.cfg["OPTIONS"])
            self._client = redis.Redis(connection_pool=pool)
        return self._client

    def fast_get(self, key):
        """GET on this thread's own connection: the hit path.

        The pool's get_connection() takes a lock, checks the pid and probes the
        socket with a non-blocking read before every command; a connection per
        thread needs none of that. A dead connection (Redis restarted) gets one
        retry on a fresh one, as the pool's clients do (retry_on_error).
        """
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.fork_generation != _fork_generation:
            pool = self.client.connection_pool
            conn = self._local.conn = pool.connection_class(**pool.connection_kwargs)
            self._local.fork_generation = _fork_generation
        try:
            return self._get_on(conn, key)
        except Exception as exc:
            import redis.exceptions as rex

            conn.disconnect()
            if not isinstance(exc, rex.ConnectionError) or isinstance(exc, rex.AuthenticationError):
                raise
        try:
            return self._get_on(conn, key)
        except Exception:
            conn.disconnect()
            raise

    @staticmethod
    def _get_on(conn, key):
        conn.send_command("GET", key)
        return conn.read_response()

    def call(self, op, default, what, keys=()):
        """op() through the breaker: its result, or `default` when Redis is skipped or fails.

        `keys` are Django cache keys the call writes: if it fails they are deleted
        once Redis answers again (a stale copy must not outlive the outage).
        """
        if not self.breaker.allow():
            self._remember(keys)
            return default
        was_down = self.breaker.down
        try:
            repaired = self._repair() if was_down else 0
            result = op()
        except Exception as exc:  # any failure of the cache is a miss, never an error
            self._failed(exc, what)
            self._remember(keys)
            return default
        if was_down:
            self._recovered(repaired)
        return result

    def _remember(self, keys):
        if not keys:
            return
        with self.lock:
            for key in keys:
                if len(self.pending_keys) >= MAX_PENDING_KEYS:
                    break  # bounded: such entries still expire (CACHE_MAX_TIMEOUT_S)
                self.pending_keys.add(key)

    def _failed(self, exc, what):
        first = not self.breaker.down
        self.breaker.failed()
        log, held = self.errors.allow()
        if log:
            logger.warning(
                "cache: redis at %s failed (%s) during %s; serving from the database, retrying in %d s%s",
                self.address,
                describe(exc, self.password),
                what,
                self.breaker.retry_after,
                f" ({held} more failures since the last warning)" if held else "",
            )
        elif first:
            logger.debug("cache: redis at %s failed during %s", self.address, what)

    def _repair(self):
        """Before the first call after an outage: drop what may be stale (raises if Redis fails)."""
        with self.lock:
            keys, self.pending_keys = list(self.pending_keys), set()
        try:
            for hook in self.on_recovery:
                hook(self.client)
            if keys:
                self.client.delete(*keys)
        except Exception:
            self._remember(keys)
            raise
        return len(keys)

    def _recovered(self, repaired):
        down_for = self.breaker.recovered()
        log, _ = self.recoveries.allow()
        if log and down_for is not None:
            logger.info(
                "cache: redis at %s answers again after %.1f s; page cache dropped, %d stale session key(s) deleted",
                self.address,
                down_for,
                repaired,
            )

    def state(self):
        return "unavailable" if self.breaker.down else "ok"


_guard = None
_guard_lock = threading.Lock()
_fork_generation = 0


def _after_fork():
    """A forked worker must not use its parent's sockets: fast_get() reconnects."""
    global _fork_generation
    _fork_generation += 1


os.register_at_fork(after_in_child=_after_fork)


def guard():
    """The process's Guard, or None when no cache server is configured."""
    global _guard
    g = _guard
    if g is not None:
        return g
    cfg = config()
    if cfg is None:
        return None
    with _guard_lock:
        if _guard is None:
            _guard = Guard(cfg)
            for hook in _recovery_hooks:
                _guard.on_recovery.append(hook)
        return _guard


_recovery_hooks = []


def add_recovery_hook(hook):
    """Run hook(client) before the first Redis call after an outage (every Guard)."""
    _recovery_hooks.append(hook)
    if _guard is not None:
        _guard.on_recovery.append(hook)


@receiver(setting_changed)
def _reset_on_settings_change(setting, **kwargs):
    """Tests switch CACHES with override_settings: start over with the new server."""
    global _guard
    if setting == "CACHES":
        _guard = None


def state():
    """For /readyz: 'off', 'ok' or 'unavailable' (from the last call; no I/O)."""
    g = guard()
    return "off" if g is None else g.state()


class RedisCache(DjangoRedisCache):
    """Django's RedisCache; a failing Redis is a miss (get) or a no-op (writes), never an exception."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._max_timeout = params.get("MAX_TIMEOUT")

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        seconds = super().get_backend_timeout(timeout)
        if self._max_timeout is None:
            return seconds
        return self._max_timeout if seconds is None else min(seconds, self._max_timeout)

    def _guarded(self, what, op, default=None, keys=()):
        g = guard()
        return op() if g is None else g.call(op, default, what, keys)

    def get(self, key, default=None, version=None):
        parent = super().get
        return self._guarded("GET", lambda: parent(key, default, version), default)

    def get_many(self, keys, version=None):
        parent = super().get_many
        return self._guarded("MGET", lambda: parent(keys, version), {})

    def has_key(self, key, version=None):
        parent = super().has_key
        return self._guarded("EXISTS", lambda: parent(key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super().add
        made = [self.make_key(key, version)]
        return self._guarded("SET NX", lambda: parent(key, value, timeout, version), False, made)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super().set
        made = [self.make_key(key, version)]
        self._guarded("SET", lambda: parent(key, value, timeout, version), None, made)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super().touch
        made = [self.make_key(key, version)]
        return self._guarded("EXPIRE", lambda: parent(key, timeout, version), False, made)

    def delete(self, key, version=None):
        parent = super().delete
        made = [self.make_key(key, version)]
        return self._guarded("DEL", lambda: parent(key, version), False, made)

    def incr(self, key, delta=1, version=None):
        parent = super().incr
        made = [self.make_key(key, version)]
        result = self._guarded("INCR", lambda: parent(key, delta, version), None, made)
        if result is None:
            raise ValueError(f"Key '{key}' not found (or the cache server is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super().set_many
        made = [self.make_key(k, version) for k in data]
        self._guarded("MSET", lambda: parent(data, timeout, version), [], made)
        return []

    def delete_many(self, keys, version=None):
        parent = super().delete_many
        made = [self.make_key(k, version) for k in keys]
        self._guarded("DEL", lambda: parent(keys, version), None, made)

    def clear(self):
        parent = super().clear
        return self._guarded("FLUSHDB", parent, False)


def check_at_start():
    """One log line at start-up: does the cache server answer, and if not, why.

    Called once by djangogke/wsgi.py (in gunicorn's master with preload_app). Never
    raises: a wrong password or an unreachable server is logged and the app serves
    from the database (each worker retries through its breaker).
    """
    cfg = config()
    if cfg is None:
        return "off"
    import redis

    options = dict(cfg["OPTIONS"], retry_on_error=[])
    pool = None
    try:
        pool = redis.ConnectionPool.from_url(cfg["LOCATION"], **options)
        redis.Redis(connection_pool=pool).ping()
    except Exception as exc:
        reason = describe(exc, cfg["OPTIONS"].get("password"))
        if reason.startswith("AUTH failed"):
            logger.error(
                "cache: AUTH failed for redis at %s (check CACHE_REDIS_PASSWORD); serving without the cache",
                cfg["ADDRESS"],
            )
            return "auth"
        logger.error(
            "cache: redis at %s does not answer (%s); serving from the database until it does",
            cfg["ADDRESS"],
            reason,
        )
        return "down"
    finally:
        if pool is not None:
            pool.disconnect()  # nothing of this check is inherited by forked workers
    logger.info(
        "cache: redis at %s answers (%s, %s); pages cached for %d s",
        cfg["ADDRESS"],
        "TLS, server certificate verified" if cfg["LOCATION"].startswith("rediss:") else "plain TCP",
        "AUTH" if cfg["OPTIONS"].get("password") else "no AUTH",
        cfg["PAGE_TTL"],
    )
    return "ok"
