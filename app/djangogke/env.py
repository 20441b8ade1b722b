"""Reading settings from the environment (12-factor).

Every helper raises ImproperlyConfigured with a message that names the
variable, so a pod that lacks one fails at start-up with a clear error
instead of somewhere later.
"""

import os
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def missing(name, hint=""):
    msg = f"Missing required environment variable {name}"
    if hint:
        msg += f" ({hint})"
    return ImproperlyConfigured(msg)


def get_str(name, default=None, *, required=False, hint="", environ=None):
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None or value.strip() == "":
        if required:
            raise missing(name, hint)
        return default
    return value.strip()


def get_bool(name, default, *, environ=None):
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None:
        return default
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)"
    )


def get_int(name, default, *, minimum=None, environ=None):
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        n = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not an integer") from None
    if minimum is not None and n < minimum:
        raise ImproperlyConfigured(f"Environment variable {name}={n} must be >= {minimum}")
    return n


def get_list(name, default=(), *, required=False, hint="", environ=None):
    raw = get_str(name, None, required=required, hint=hint, environ=environ)
    if raw is None:
        return list(default)
    items = [p.strip() for p in raw.split(",") if p.strip()]
    if required and not items:
        raise missing(name, hint)
    return items


POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def database_from_env(environ=None):
    """Build Django's DATABASES['default'] from DATABASE_URL or DB_* variables.

    DATABASE_URL  postgres://USER:PASSWORD@HOST:PORT/NAME?sslmode=disable&...
                  (query parameters become libpq connection options)
    DB_NAME, DB_USER (required without DATABASE_URL), DB_PASSWORD,
    DB_HOST (default 127.0.0.1: the Cloud SQL Auth Proxy in the pod), DB_PORT (5432),
    DB_SSLMODE (optional; the Auth Proxy already encrypts, so leave it unset there).
    Common to both:
    DB_CONNECT_TIMEOUT (seconds, default 3; libpq's minimum is 2),
    DB_CONN_MAX_AGE (seconds a connection is reused, default 60; 0 = per request),
    DB_CONN_HEALTH_CHECKS (default true: a reused connection is checked before a request uses it),
    DB_STATEMENT_TIMEOUT_MS (default 0 = none; server-side limit for every statement).
    """
    environ = os.environ if environ is None else environ
    options = {}
    url = get_str("DATABASE_URL", environ=environ)
    if url:
        parts = urlsplit(url)
        if parts.scheme not in POSTGRES_SCHEMES:
            raise ImproperlyConfigured(
                f"DATABASE_URL scheme {parts.scheme!r} is not supported (use postgres://)"
            )
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL has no database name (postgres://USER:PASSWORD@HOST:PORT/NAME)")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured("DATABASE_URL has an invalid port") from None
        db = {
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(port or ""),
        }
        options.update(dict(parse_qsl(parts.query)))
    else:
        hint = "or set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME"
        db = {
            "NAME": get_str("DB_NAME", required=True, hint=hint, environ=environ),
            "USER": get_str("DB_USER", required=True, hint=hint, environ=environ),
            "PASSWORD": get_str("DB_PASSWORD", "", environ=environ),
            "HOST": get_str("DB_HOST", "127.0.0.1", environ=environ),
            "PORT": str(get_int("DB_PORT", 5432, minimum=1, environ=environ)),
        }
        sslmode = get_str("DB_SSLMODE", environ=environ)
        if sslmode:
            options["sslmode"] = sslmode

    options.setdefault("connect_timeout", get_int("DB_CONNECT_TIMEOUT", 3, minimum=1, environ=environ))
    statement_timeout = get_int("DB_STATEMENT_TIMEOUT_MS", 0, minimum=0, environ=environ)
    if statement_timeout:
        options["options"] = f"-c statement_timeout={statement_timeout}"
    db.update(
        {
            "ENGINE": "django.db.backends.postgresql",
            "CONN_MAX_AGE": get_int("DB_CONN_MAX_AGE", 60, minimum=0, environ=environ),
            "CONN_HEALTH_CHECKS": get_bool("DB_CONN_HEALTH_CHECKS", True, environ=environ),
            "OPTIONS": options,
        }
    )
    return db


def replica_from_env(default, environ=None):
    """DATABASES['replica'] for the region's read replica, or None (DB_REPLICA_HOST unset).

    DB_REPLICA_HOST  host of the replica (in the pod: 127.0.0.1, the Cloud SQL Auth
                     Proxy's second port); unset or empty = no replica: one database,
                     exactly as without these variables (DB_REPLICA_PORT and
                     DB_READ_YOUR_WRITES_SECONDS are then not read).
    DB_REPLICA_PORT  its port, default 5432 (the pod sets 5433).
    Everything else (NAME, USER, PASSWORD, OPTIONS, CONN_MAX_AGE, health checks) is
    the primary's: a replica holds the same database and users. TEST MIRROR makes
    Django's test runner use the test database of `default` for it.
    """
    environ = os.environ if environ is None else environ
    host = get_str("DB_REPLICA_HOST", environ=environ)
    if not host:
        return None
    if any(c in host for c in "/@?#[] \t:") and not _is_ipv6(host):
        raise ImproperlyConfigured(
            f"DB_REPLICA_HOST={host!r} must be a host name or an IP address (no scheme, port or path; "
            "the port is DB_REPLICA_PORT)"
        )
    port = get_int("DB_REPLICA_PORT", 5432, minimum=1, environ=environ)
    if port > 65535:
        raise ImproperlyConfigured(f"Environment variable DB_REPLICA_PORT={port} must be <= 65535")
    replica = {k: v for k, v in default.items() if k not in ("HOST", "PORT", "OPTIONS", "TEST")}
    replica.update(
        {
            "HOST": host,
            "PORT": str(port),
            "OPTIONS": dict(default.get("OPTIONS", {})),
            "TEST": {"MIRROR": "default"},
        }
    )
    return replica


def read_your_writes_seconds(environ=None):
    """DB_READ_YOUR_WRITES_SECONDS (default 10, >= 0): how long a writer reads the primary."""
    return get_int("DB_READ_YOUR_WRITES_SECONDS", 10, minimum=0, environ=environ)


READINESS_MODES = ("primary", "replica", "none")


def db_readiness(has_replica, environ=None):
    """DB_READINESS: which database /readyz checks, i.e. what this pod needs to serve its region.

    - ``replica``: the region's read replica (a region that is not the primary's:
      its reads come from there; with the primary down it stays in the load
      balancer, serves reads and answers writes 503);
    - ``primary``: the primary (its region reads from it: down, the region
      leaves the load balancer and the other regions serve);
    - ``none``: no database check (one region: there is nowhere else to send
      users, so a database failover or restart must not take static files and
      cached pages out of the load balancer; database pages answer 503 and an
      alert watches the database).
    Default: ``replica`` with DB_REPLICA_HOST, else ``primary``.
    """
    value = get_str("DB_READINESS", "replica" if has_replica else "primary", environ=environ)
    if value not in READINESS_MODES:
        raise ImproperlyConfigured(f"DB_READINESS={value!r} is not allowed: use one of {', '.join(READINESS_MODES)}")
    if value == "replica" and not has_replica:
        raise ImproperlyConfigured("DB_READINESS=replica needs a replica: set DB_REPLICA_HOST (or use primary or none)")
    return value


def _is_ipv6(host):
    import ipaddress

    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


# --- the optional cache server (Memorystore for Redis) ---------------------------

CACHE_BACKEND = "djangogke.cache.RedisCache"
CACHE_KEY_PREFIX = "djangogke"
# Cap on any Django cache entry's lifetime (sessions ask for two weeks): a session
# copy whose update could not reach Redis is stale for at most this long, even if
# the process that remembers to delete it is gone.
CACHE_MAX_TIMEOUT_S = 300


def _cache_host(environ):
    host = get_str("CACHE_REDIS_HOST", environ=environ)
    if host and any(c in host for c in "/@?#[] \t"):
        raise ImproperlyConfigured(
            f"CACHE_REDIS_HOST={host!r} must be a host name or an IP address (no scheme, port or path)"
        )
    return host


def _cache_ca_file(environ):
    path = get_str("CACHE_REDIS_CA_FILE", environ=environ)
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            pem = f.read()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"CACHE_REDIS_CA_FILE={path}: cannot read the CA bundle ({exc.strerror or exc}); "
            "it is the cache server's CA in PEM (in the pod: /etc/redis-tls/ca.pem from a ConfigMap)"
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise ImproperlyConfigured(f"CACHE_REDIS_CA_FILE={path}: no PEM certificate in the file")
    return path


def cache_from_env(environ=None):
    """Build Django's CACHES from the CACHE_* variables (app/README.md has the table).

    CACHE_REDIS_HOST unset or empty: no cache server, Django's default local-memory
    cache (exactly what the app had before; nothing uses it). Otherwise the Redis
    backend (djangogke.cache.RedisCache: Django's built-in RedisCache plus a circuit
    breaker) with:
    CACHE_REDIS_PORT (6379), CACHE_REDIS_PASSWORD (AUTH string, optional),
    CACHE_REDIS_CA_FILE (PEM CA: TLS, rediss://, the server certificate verified
    against it, host name not checked: Memorystore's certificate names its IP),
    CACHE_REDIS_DB (0), CACHE_TTL_SECONDS (60: cached pages), CACHE_SOCKET_TIMEOUT_MS
    (250: connect and read), CACHE_RETRY_AFTER_SECONDS (5: Redis is skipped that long
    after a failure), CACHE_ERROR_LOG_INTERVAL_SECONDS (60: one warning per interval).

    OPTIONS go to redis-py's ConnectionPool.from_url() as keyword arguments (Django
    4.2 and 5.2 alike); the upper-case top-level keys besides Django's own are read
    by djangogke.cache and djangogke.pagecache.
    """
    environ = os.environ if environ is None else environ
    host = _cache_host(environ)
    if not host:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    port = get_int("CACHE_REDIS_PORT", 6379, minimum=1, environ=environ)
    if port > 65535:
        raise ImproperlyConfigured(f"Environment variable CACHE_REDIS_PORT={port} must be <= 65535")
    db = get_int("CACHE_REDIS_DB", 0, minimum=0, environ=environ)
    timeout_s = get_int("CACHE_SOCKET_TIMEOUT_MS", 250, minimum=1, environ=environ) / 1000
    ca_file = _cache_ca_file(environ)

    from redis.exceptions import ConnectionError as RedisConnectionError

    options = {
        "socket_connect_timeout": timeout_s,
        "socket_timeout": timeout_s,
        # One immediate retry on a fresh connection when a pooled one turns out dead
        # (Redis restarted, failover); a timeout is never retried (black hole).
        "retry_on_error": [RedisConnectionError],
    }
    password = get_str("CACHE_REDIS_PASSWORD", environ=environ)
    if password:
        options["password"] = password  # never in LOCATION: that string may be logged
    if ca_file:
        options.update(ssl_ca_certs=ca_file, ssl_cert_reqs="required", ssl_check_hostname=False)

    address = f"[{host}]" if ":" in host else host
    return {
        "default": {
            "BACKEND": CACHE_BACKEND,
            "LOCATION": f"{'rediss' if ca_file else 'redis'}://{address}:{port}/{db}",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": CACHE_MAX_TIMEOUT_S,
            "OPTIONS": options,
            "MAX_TIMEOUT": CACHE_MAX_TIMEOUT_S,
            "PAGE_TTL": get_int("CACHE_TTL_SECONDS", 60, minimum=1, environ=environ),
            "RETRY_AFTER": get_int("CACHE_RETRY_AFTER_SECONDS", 5, minimum=1, environ=environ),
            "ERROR_LOG_INTERVAL": get_int("CACHE_ERROR_LOG_INTERVAL_SECONDS", 60, minimum=1, environ=environ),
            "ADDRESS": f"{address}:{port}",
        }
    }
