"""Settings come from the environment only; production settings pass `check --deploy`."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from djangogke import env

APP_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "q7Yb3-k1Vn0Zr8cXw5Lm2Tg9Hs4Jd6Fp1Ae7Uo3Ri0Cy5Wn8Qb2Mx4Kz6Pv9Ht1Gl3",
    "DJANGO_ALLOWED_HOSTS": "polls.example.com",
    "DB_NAME": "django",
    "DB_USER": "django",
    "DB_PASSWORD": "not-used-by-check",
}


def manage(args, extra_env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB_", "DATABASE_"))}
    environ.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=APP_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


class DeployCheckTests(SimpleTestCase):
    def test_check_deploy_is_clean_with_production_env(self):
        r = manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("no issues", r.stdout)

    def test_missing_required_variables_are_named(self):
        for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DB_NAME", "DB_USER"):
            with self.subTest(name=name):
                partial = {k: v for k, v in PRODUCTION_ENV.items() if k != name}
                r = manage(["check"], partial)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn(f"Missing required environment variable {name}", r.stderr)

    def test_wsgi_start_up_error_is_one_json_line(self):
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB_", "DATABASE_"))}
        environ.update({k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"})
        r = subprocess.run(
            [sys.executable, "-c", "import djangogke.wsgi"],
            cwd=APP_DIR, env=environ, capture_output=True, text=True, timeout=60,
        )
        self.assertEqual(r.returncode, 1)
        line = json.loads(r.stderr.strip())
        self.assertEqual(line["severity"], "CRITICAL")
        self.assertIn("DJANGO_SECRET_KEY", line["message"])

    def test_bad_values_are_named(self):
        r = manage(["check"], {**PRODUCTION_ENV, "DJANGO_DEBUG": "maybe"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("DJANGO_DEBUG", r.stderr)


class EnvParsingTests(SimpleTestCase):
    def test_database_url(self):
        db = env.database_from_env(
            {"DATABASE_URL": "postgres://us%40er:p%3Ass@db.internal:6543/app?sslmode=require"}
        )
        self.assertEqual(
            (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]),
            ("app", "us@er", "p:ss", "db.internal", "6543"),
        )
        self.assertEqual(db["OPTIONS"]["sslmode"], "require")
        self.assertEqual(db["OPTIONS"]["connect_timeout"], 3)
        self.assertEqual(db["CONN_MAX_AGE"], 60)
        self.assertTrue(db["CONN_HEALTH_CHECKS"])

    def test_db_vars_default_to_the_auth_proxy(self):
        db = env.database_from_env({"DB_NAME": "app", "DB_USER": "app"})
        self.assertEqual((db["HOST"], db["PORT"], db["PASSWORD"]), ("127.0.0.1", "5432", ""))
        self.assertNotIn("sslmode", db["OPTIONS"])

    def test_tuning_vars(self):
        db = env.database_from_env(
            {
                "DB_NAME": "app",
                "DB_USER": "app",
                "DB_CONNECT_TIMEOUT": "2",
                "DB_CONN_MAX_AGE": "0",
                "DB_CONN_HEALTH_CHECKS": "false",
                "DB_STATEMENT_TIMEOUT_MS": "5000",
            }
        )
        self.assertEqual(db["OPTIONS"]["connect_timeout"], 2)
        self.assertEqual(db["OPTIONS"]["options"], "-c statement_timeout=5000")
        self.assertEqual(db["CONN_MAX_AGE"], 0)
        self.assertFalse(db["CONN_HEALTH_CHECKS"])

    def test_errors(self):
        cases = [
            ({}, "DB_NAME"),
            ({"DB_NAME": "x"}, "DB_USER"),
            ({"DATABASE_URL": "mysql://a@b/c"}, "scheme"),
            ({"DATABASE_URL": "postgres://a@b"}, "database name"),
            ({"DB_NAME": "x", "DB_USER": "y", "DB_PORT": "http"}, "DB_PORT"),
            ({"DB_NAME": "x", "DB_USER": "y", "DB_CONN_HEALTH_CHECKS": "sometimes"}, "DB_CONN_HEALTH_CHECKS"),
        ]
        for environ, needle in cases:
            with self.subTest(environ=environ), self.assertRaisesMessage(ImproperlyConfigured, needle):
                env.database_from_env(environ)

    def test_db_readiness(self):
        self.assertEqual(env.db_readiness(False, environ={}), "primary")
        self.assertEqual(env.db_readiness(True, environ={}), "replica")
        self.assertEqual(env.db_readiness(False, environ={"DB_READINESS": "none"}), "none")
        self.assertEqual(env.db_readiness(True, environ={"DB_READINESS": "primary"}), "primary")
        with self.assertRaisesMessage(ImproperlyConfigured, "DB_READINESS='both' is not allowed: use one of primary, replica, none"):
            env.db_readiness(False, environ={"DB_READINESS": "both"})
        with self.assertRaisesMessage(ImproperlyConfigured, "DB_READINESS=replica needs a replica"):
            env.db_readiness(False, environ={"DB_READINESS": "replica"})

    def test_lists_and_bools(self):
        self.assertEqual(env.get_list("H", environ={"H": " a.com, ,b.com "}), ["a.com", "b.com"])
        with self.assertRaisesMessage(ImproperlyConfigured, "H"):
            env.get_list("H", required=True, environ={"H": " , "})
        self.assertTrue(env.get_bool("B", False, environ={"B": "Yes"}))
        self.assertFalse(env.get_bool("B", True, environ={"B": "0"}))
        self.assertTrue(env.get_bool("B", True, environ={}))
