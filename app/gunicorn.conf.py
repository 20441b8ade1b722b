"""gunicorn configuration, driven by the environment (same file in the pod and locally).

    gunicorn --config app/gunicorn.conf.py        (the image's CMD; wsgi_app is set below)

Workers come from the CPU the *container* gets, never from os.cpu_count()
(that is the node's CPU count: a 1-CPU pod on a 16-core node would start 33
workers and run out of memory and database connections):

    GUNICORN_WORKERS            explicit worker count; wins over everything.
    GUNICORN_CPU_MILLICORES     the container's CPU request in millicores (in the pod from
                                the Downward API: resourceFieldRef {containerName: gunicorn,
                                resource: requests.cpu, divisor: 1m}).
                                workers = max(2, 2 * millicores // 1000 + 1)
                                e.g. 250m -> 2, 500m -> 2, 1000m -> 3, 1500m -> 4, 2000m -> 5
    (neither set)               the cgroup CPU quota (cpu.max, the container's limit) with the
                                same formula, else 2.
    GUNICORN_THREADS            threads per worker (gthread worker class), default 2.
                                Database connections per pod = workers * threads
                                (Django keeps one connection per thread).

Other settings:
    GUNICORN_BIND               default 127.0.0.1:8000 (nginx and gunicorn share the pod's
                                network namespace; only nginx's :8080 is exposed)
    GUNICORN_TIMEOUT            worker timeout, default 30 s
    GUNICORN_GRACEFUL_TIMEOUT   on SIGTERM, in-flight requests get this long, default 25 s
                                (terminationGracePeriodSeconds > preStop sleep + this)
    GUNICORN_KEEPALIVE          idle keep-alive seconds, default 65: longer than nginx's upstream
                                keepalive_timeout (60s in app/nginx/nginx.conf), so nginx
                                always closes an idle upstream connection first and never
                                reuses one gunicorn is closing (which would be a 502)
    GUNICORN_ACCESS_LOG         1 (default) / 0 (also true/false, yes/no, on/off): JSON access
                                log lines with httpRequest
    GUNICORN_LOG_LEVEL          default info
    GUNICORN_MAX_REQUESTS       recycle a worker after N requests (default 0 = never), jittered
    GUNICORN_PIDFILE            optional pid file (the local run uses one)
"""

import math
import os
import sys

import gunicorn

HERE = os.path.dirname(os.path.abspath(__file__))
# The JSON log formatter lives in the Django project next to this file.
if HERE not in sys.path:
    sys.path.insert(0, HERE)


from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from djangogke import env  # noqa: E402  (the app's own strict parsing of the environment)


def _setting(read, name, default, **kwargs):
    """A setting read with djangogke.env; bad input stops the start with its name."""
    try:
        return read(name, default, **kwargs)
    except ImproperlyConfigured as e:
        raise SystemExit(f"gunicorn.conf.py: {e}") from None


def _int(name, default, minimum=0):
    return _setting(env.get_int, name, default, minimum=minimum)


def workers_for_millicores(millicores):
    """2 * cores + 1, at least 2 (one worker busy or recycling must not stop the pod)."""
    return max(2, (2 * millicores) // 1000 + 1)


def cgroup_millicores(path="/sys/fs/cgroup/cpu.max"):
    """The container's CPU limit from cgroup v2 (e.g. '150000 100000' -> 1500), or None."""
    try:
        with open(path) as f:
            quota, period = f.read().split()[:2]
        if quota == "max":
            return None
        return math.ceil(int(quota) * 1000 / int(period))
    except (OSError, ValueError):
        return None


def compute_workers():
    explicit = os.environ.get("GUNICORN_WORKERS", "").strip()
    if explicit and explicit != "0":
        return _int("GUNICORN_WORKERS", 2, minimum=1)
    millicores = _int("GUNICORN_CPU_MILLICORES", 0, minimum=0) or cgroup_millicores()
    if not millicores:
        return 2
    return workers_for_millicores(millicores)


def tmp_dir():
    """Heartbeat files on tmpfs: a disk-backed /tmp can stall workers into timeouts."""
    for candidate in ("/dev/shm", "/tmp"):
        if os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return candidate
    return None


wsgi_app = "djangogke.wsgi:application"
chdir = HERE
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# gthread: threads overlap database waits, and keep-alive connections from nginx
# are kept (sync workers close every connection). gunicorn's own gthread worker
# drains accepted connections on SIGTERM only from 24.0 (set_accept_enabled); the
# 23.x the image ships leaves its loop at once (nginx answers 502 for requests it
# had written to a kept-alive connection), so below 24 a small subclass adds the
# drain (djangogke/gunicorn_worker.py; test_graceful_shutdown runs it on 23).
worker_class = (
    "gthread"
    if gunicorn.version_info >= (24, 0)
    else "djangogke.gunicorn_worker.DrainingThreadWorker"
)
workers = compute_workers()
threads = _int("GUNICORN_THREADS", 2, minimum=1)
worker_tmp_dir = tmp_dir()

timeout = _int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 25, minimum=1)
keepalive = _int("GUNICORN_KEEPALIVE", 65, minimum=1)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10

# Load Django once in the master: a missing environment variable fails the start
# with one clear error (not N crashing workers), and workers share memory.
preload_app = True
# nginx in front buffers slow clients, and it is the only peer: trust its headers.
forwarded_allow_ips = "127.0.0.1,::1"
proxy_allow_ips = "127.0.0.1,::1"

pidfile = os.environ.get("GUNICORN_PIDFILE") or None

loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info").lower()
_access = _setting(env.get_bool, "GUNICORN_ACCESS_LOG", True)
# With logconfig_dict set gunicorn emits every access record; the logger's level
# below turns them off. The format string is unused: JsonFormatter builds httpRequest.
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "djangogke.jsonlog.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"},
    },
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {
            "level": "INFO" if _access else "WARNING",
            "handlers": ["stdout"],
            "propagate": False,
        },
    },
}


def on_starting(server):
    server.log.info(
        "gunicorn starting: %d workers x %d threads (%s), bind %s, worker_tmp_dir %s",
        workers,
        threads,
        worker_class,
        ",".join(bind),
        worker_tmp_dir,
    )
