"""scripts/python/check_versions.py: a drift between what the image pins and
what the local pod runs is reported by name, with both versions."""

import importlib.util
import pathlib
import unittest

from django.test import tag

SCRIPT = pathlib.Path(__file__).resolve().parents[3] / "scripts" / "python" / "check_versions.py"
spec = importlib.util.spec_from_file_location("check_versions", SCRIPT)
check_versions = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_versions)


class CheckVersionsTest(unittest.TestCase):
    REQUIREMENTS = "Django==5.2.11\npsycopg[binary]==3.2.10  # comment\nredis==6.1.0\ngunicorn==23.0.0\nasgiref==3.8.1\n"

    def test_pins_are_read_with_extras_and_comments(self):
        self.assertEqual(
            check_versions.pins(self.REQUIREMENTS),
            {"Django": "5.2.11", "psycopg": "3.2.10", "redis": "6.1.0", "gunicorn": "23.0.0", "asgiref": "3.8.1"},
        )

    def test_same_minor_passes_and_a_drift_is_named(self):
        pinned = check_versions.pins(self.REQUIREMENTS)
        same = {"Django": "5.2.19", "psycopg": "3.2.6", "redis": "6.1.0", "gunicorn": "23.0.0"}
        self.assertEqual(check_versions.mismatches(pinned, same), [])
        drift = {**same, "Django": "4.2.30"}
        del drift["gunicorn"]
        self.assertEqual(
            check_versions.mismatches(pinned, drift),
            [
                "Django: the image pins 5.2.11, this machine runs 4.2.30 (minor 4.2 != 5.2)",
                "gunicorn: the image pins 23.0.0, nothing importable here",
            ],
        )

    @tag("shipped")  # not in the run on Django 4.2 (scripts/local/run_tests.py)
    def test_this_machine_runs_what_the_image_pins(self):
        requirements = pathlib.Path(__file__).resolve().parents[2] / "requirements.txt"
        installed = check_versions.installed_versions()
        self.assertEqual(check_versions.mismatches(check_versions.pins(requirements.read_text()), installed), [])
