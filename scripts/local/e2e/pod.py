"""Helpers for the end-to-end tests: the local pod (Postgres + gunicorn + nginx) on 127.0.0.1.

Only the standard library. All traffic goes to 127.0.0.1. The pod is the one
scripts/local/up.sh starts, with the ports and state directory taken from the
same LOCAL_* variables (scripts/local/test.sh sets ports that do not collide
with a developer's `make local-up`).
"""

import http.client
import json
import os
import signal
import subprocess
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent
REPO = SCRIPTS.parent.parent
STATE = Path(os.environ.get("LOCAL_STATE_DIR", REPO / "build" / "local"))
HTTP_PORT = int(os.environ.get("LOCAL_HTTP_PORT", "8080"))
APP_PORT = int(os.environ.get("LOCAL_APP_PORT", "8000"))
PG_PORT = int(os.environ.get("LOCAL_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("LOCAL_REDIS_PORT", "63729"))
REPLICA_PORT = int(os.environ.get("LOCAL_REPLICA_PORT", str(PG_PORT + 1)))  # scripts/local/replica.sh
HOST = "127.0.0.1"


def _lib_value(name):
    """A NAME=value setting of scripts/local/lib.sh (one source for the scripts and the tests)."""
    for line in (SCRIPTS / "lib.sh").read_text().splitlines():
        if line.startswith(name + "="):
            return line.split("=", 1)[1]
    raise KeyError(f"{name} is not set in scripts/local/lib.sh")


# The users the pod's nginx and gunicorn run as (up.sh uses them when root).
NGINX_UID = int(_lib_value("POD_NGINX_UID"))
APP_UID = int(_lib_value("POD_APP_UID"))

# Each process writes only its own directory (lib.sh runs them as the pod's users).
GUNICORN_PID = STATE / "gunicorn" / "gunicorn.pid"
NGINX_PID = STATE / "nginx" / "nginx.pid"
GUNICORN_LOG = STATE / "gunicorn.log"
NGINX_LOG = STATE / "nginx.log"
REDIS_LOG = STATE / "redis.log"


def script(name, *args, timeout=180):
    """Run scripts/local/<name> and fail loudly with its output."""
    r = subprocess.run(
        ["bash", str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if r.returncode != 0:
        raise AssertionError(f"{name} {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r.stdout


def request(method, path, body=None, headers=None, host="localhost", port=HTTP_PORT, timeout=10):
    """One request on a fresh connection -> (status, headers dict (lower-case), body bytes, seconds)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    hdrs = {"Host": host}
    if body is not None and not isinstance(body, (bytes, bytearray)):
        body = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    hdrs.update(headers or {})
    started = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, time.monotonic() - started
    finally:
        conn.close()


def pod_environ():
    """The app's environment as up.sh wrote it (a bash file with `export K=V` lines)."""
    out = subprocess.run(
        ["bash", "-c", '. "$1" && env -0', "_", str(STATE / "env")],
        capture_output=True, check=True, timeout=30,
    ).stdout
    return dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)


def tail(path, lines=20):
    """The last lines of a log file, for a failure message."""
    try:
        with open(path, "rb") as f:
            return b"".join(f.readlines()[-lines:]).decode("utf-8", "replace")
    except OSError as exc:
        return f"({path}: {exc})"


def status_of(path, host="localhost", timeout=10):
    try:
        return request("GET", path, host=host, timeout=timeout)[0]
    except OSError:
        return 0


def status_of_port(port, path, host="localhost"):
    """Like status_of, on another port (a server a test started itself)."""
    try:
        return request("GET", path, host=host, port=port, timeout=5)[0]
    except OSError:
        return 0


def read_pid(path):
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is not alive
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children(pid):
    """Direct children of pid, from /proc (no procps needed)."""
    kids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(entry.name))
    return sorted(kids)


def process_tree():
    """{'gunicorn': [master, workers...], 'nginx': [master, workers...]}."""
    tree = {}
    for name, pidfile in (("gunicorn", GUNICORN_PID), ("nginx", NGINX_PID)):
        master = read_pid(pidfile)
        tree[name] = [master] + children(master) if alive(master) else []
    return tree


REDIS_PID = STATE / "redis" / "redis.pid"


def redis_configured():
    return (STATE / "redis" / "redis.conf").exists()


def is_up():
    tree = process_tree()
    if redis_configured() and not alive(read_pid(REDIS_PID)):
        return False
    return bool(tree["gunicorn"]) and bool(tree["nginx"]) and status_of("/readyz") == 200


def ensure_up():
    """Start (or complete) the local pod with up.sh unless it is already fully up."""
    if not is_up():
        script("up.sh")
    if status_of("/readyz") != 200:
        raise AssertionError("local pod is not ready after up.sh")


def wait_until(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def create_question(text="Which way?", choices=("left", "right")):
    status, _, body, _ = request("POST", "/api/questions/", {"text": text, "choices": list(choices)})
    if status != 201:
        raise AssertionError(f"creating a question failed: {status} {body[:300]!r}")
    return json.loads(body)


def json_lines(path, since=0):
    """JSON objects logged to a file after byte offset `since` (plain-text lines skipped)."""
    out = []
    with open(path, "rb") as f:
        f.seek(since)
        for raw in f:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    out.append({"_unparsable": line})
    return out


def log_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


# --- Postgres and gunicorn, for the tests that need them directly -----------------

PG_SOCKET_DIR = STATE / "pgrun"
REPLICA_SOCKET_DIR = STATE / "pgreplica-run"
REPLICA_LOG = STATE / "postgres-replica.log"


def pg_bin():
    """The newest installed Postgres binaries (as lib.sh's pg_bin)."""
    dirs = [d for d in Path("/usr/lib/postgresql").glob("*/bin") if (d / "psql").exists()]
    if not dirs:
        raise AssertionError("no Postgres under /usr/lib/postgresql (run scripts/local/deps.sh)")
    return max(dirs, key=lambda d: [int(x) if x.isdigit() else 0 for x in d.parent.name.split(".")])


def psql(sql, replica=False, db="django", timeout=30):
    """One SQL command as the superuser over the server's own socket (the primary, or the
    streaming replica of scripts/local/replica.sh) -> its output (unaligned, tuples only)."""
    sock, port = (REPLICA_SOCKET_DIR, REPLICA_PORT) if replica else (PG_SOCKET_DIR, PG_PORT)
    r = subprocess.run(
        [str(pg_bin() / "psql"), "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", str(sock), "-p", str(port),
         "-U", "postgres", "-d", db, "-c", sql],
        capture_output=True, text=True, timeout=timeout, cwd="/",
    )
    if r.returncode != 0:
        raise AssertionError(f"psql on {'the replica' if replica else 'the primary'} failed: {sql}\n{r.stderr}")
    return r.stdout.strip()


def stop_gunicorn(proc=None, timeout=40):
    """SIGTERM the gunicorn in the pod's pid file (graceful) and wait until it and its port are gone."""
    pid = read_pid(GUNICORN_PID)
    if alive(pid):
        os.kill(pid, signal.SIGTERM)
    if proc is not None:
        proc.wait(timeout=timeout)  # ours: reap it
    gone = wait_until(lambda: not alive(pid) and status_of_port(APP_PORT, "/healthz") == 0, timeout, interval=0.1)
    if not gone:
        raise AssertionError(f"gunicorn (pid {pid}) did not stop within {timeout} s:\n{tail(GUNICORN_LOG)}")


def start_gunicorn(extra_env, drop=(), timeout=60):
    """Start gunicorn on the pod's port as up.sh does (the pod's environment, user, pid file
    and log; nginx in front is the pod's), with `extra_env` added and `drop` removed.
    Returns the Popen once /healthz answers; stop it with stop_gunicorn(proc)."""
    environ = {k: v for k, v in pod_environ().items() if k not in drop}
    environ.update(extra_env)
    cmd = ["/usr/bin/python3", "-m", "gunicorn", "--config", str(REPO / "app" / "gunicorn.conf.py")]
    if os.getuid() == 0:  # as the pod's app user, like up.sh
        cmd = ["setpriv", f"--reuid={APP_UID}", f"--regid={APP_UID}", "--clear-groups", "--"] + cmd
    with open(GUNICORN_LOG, "ab") as log:
        proc = subprocess.Popen(
            cmd, cwd=REPO / "app", env=environ, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    up = wait_until(
        lambda: proc.poll() is not None
        or (status_of_port(APP_PORT, "/healthz") == 200 and read_pid(GUNICORN_PID) == proc.pid),
        timeout, interval=0.1,
    )
    if not up or proc.poll() is not None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        raise AssertionError(f"gunicorn did not start on 127.0.0.1:{APP_PORT}:\n{tail(GUNICORN_LOG)}")
    return proc
