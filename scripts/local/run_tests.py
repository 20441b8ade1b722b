#!/usr/bin/python3
"""Run the app's tests against the running local pod and print one summary line.

1. Django unit tests (models, API, validation, health, settings, serving config,
   cache, read replica routing) with `manage.py test`, against the pod's real
   Postgres (the runner creates and drops its own test database) and its real
   redis-server (TLS + AUTH; database 1, emptied before each test:
   djangogke/testrunner.py). Twice: with one database, as without a replica (the
   tests tagged "replica" excluded), and as in a region with a read replica:
   DB_REPLICA_HOST/PORT name the same Postgres, so the "replica" alias is Django's
   TEST MIRROR of default (the same test database, a connection of its own) and
   every read goes through the router (djangogke/dbrouter.py).
2. End-to-end tests in scripts/local/e2e/ through nginx -> gunicorn -> Django:
   bad input, serving, cache, DB outage, cache outage, graceful shutdown under load,
   and a real streaming replica with real lag (e2e/test_replica.py).
3. The Django unit tests once more on Django 4.2 LTS (DJANGO42_PYTHONPATH, from
   scripts/local/test.sh): the oldest Django a project may pin.

Called by scripts/local/test.sh after up.sh; exits non-zero on any failure.
Uses only the standard library and Debian's python3 (/usr/bin/python3).
"""

import os
import re
import subprocess
import sys
import time
import unittest
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
APP = REPO / "app"
STATE = Path(os.environ.get("LOCAL_STATE_DIR", REPO / "build" / "local"))
DJANGO_TIMEOUT_S = 600


def pod_environ():
    """The app's environment as up.sh wrote it (a bash file with `export K=V` lines)."""
    out = subprocess.run(
        ["bash", "-c", '. "$1" && env -0', "_", str(STATE / "env")],
        capture_output=True, check=True, timeout=30,
    ).stdout
    env = dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)
    return env


def django_tests(with_replica, pythonpath=None):
    """One run of `manage.py test`: as without a read replica (the tests tagged
    "replica" excluded: they need the alias), or with the replica alias as a test
    mirror of default, on the same server (djangogke/tests/test_dbrouter.py).
    pythonpath: another Django stack (Django 4.2, the oldest LTS a project may
    pin); the test tagged "shipped" (the image's versions) is left out there."""
    env = pod_environ()
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    if not env.get("CACHE_REDIS_HOST"):
        # The cache tests would fail anyway (they never skip); say why up front.
        print("the test pod has no cache server (LOCAL_CACHE=0?): the cache tests need its redis-server", flush=True)
    env["DJANGO_LOG_LEVEL"] = "CRITICAL"  # keep the test output readable
    env["CACHE_REDIS_DB"] = "1"  # the tests empty their cache database; the pod keeps 0
    for name in ("DB_REPLICA_HOST", "DB_REPLICA_PORT", "DB_READ_YOUR_WRITES_SECONDS"):
        env.pop(name, None)
    args = [sys.executable, "manage.py", "test", "--noinput", "-v", "2"]
    if with_replica:
        primary = urlsplit(env["DATABASE_URL"])
        env["DB_REPLICA_HOST"] = primary.hostname
        env["DB_REPLICA_PORT"] = str(primary.port)
        print("\n== Django unit tests with a read replica (the replica alias: a test mirror of default)", flush=True)
    else:
        args += ["--exclude-tag", "replica"]
        print("== Django unit tests (manage.py test, real Postgres; one database, no replica)", flush=True)
    if pythonpath:
        args += ["--exclude-tag", "shipped"]
        version = subprocess.run([sys.executable, "-c", "import django; print(django.get_version())"],
                                 env=env, capture_output=True, text=True, timeout=60).stdout.strip()
        print("   on Django %s (%s)" % (version or "?", pythonpath), flush=True)
    proc = subprocess.run(
        args, cwd=APP, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=DJANGO_TIMEOUT_S,
    )
    sys.stdout.write(proc.stdout)
    ran = re.search(r"^Ran (\d+) tests?", proc.stdout, re.M)
    if not ran:
        print("Django test runner did not report a count", flush=True)
        return 0, 1
    total = int(ran.group(1))
    failed = sum(int(n) for n in re.findall(r"(?:failures|errors|unexpected successes)=(\d+)", proc.stdout))
    skipped = sum(int(n) for n in re.findall(r"skipped=(\d+)", proc.stdout))
    if proc.returncode != 0 and failed == 0:
        failed = 1
    failed += skipped  # nothing here may be skipped
    return total - failed, failed


def e2e_tests():
    print("\n== end-to-end tests through nginx on the local pod", flush=True)
    sys.path.insert(0, str(HERE / "e2e"))
    suite = unittest.defaultTestLoader.discover(str(HERE / "e2e"), pattern="test_*.py", top_level_dir=str(HERE / "e2e"))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses) + len(result.skipped)
    return result.testsRun - failed, failed


def main():
    started = time.monotonic()
    d_pass, d_fail = django_tests(with_replica=False)
    r_pass, r_fail = django_tests(with_replica=True)
    d_pass, d_fail = d_pass + r_pass, d_fail + r_fail
    # The same code on the oldest Django LTS a project may pin (scripts/python/env.sh 4.2).
    if os.environ.get("DJANGO42_PYTHONPATH"):
        o_pass, o_fail = django_tests(with_replica=False, pythonpath=os.environ["DJANGO42_PYTHONPATH"])
        d_pass, d_fail = d_pass + o_pass, d_fail + o_fail
    e_pass, e_fail = e2e_tests()
    print(
        "\nDjango unit tests: %d passed, %d failed; end-to-end: %d passed, %d failed; %.0f s"
        % (d_pass, d_fail, e_pass, e_fail, time.monotonic() - started)
    )
    print("app-tests: %d passed, %d failed" % (d_pass + e_pass, d_fail + e_fail), flush=True)
    return 1 if (d_fail or e_fail or not d_pass or not e_pass) else 0


if __name__ == "__main__":
    sys.exit(main())
