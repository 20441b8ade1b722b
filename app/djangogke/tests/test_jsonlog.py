import json
import logging
import os
import sys
from unittest import mock

from django.test import SimpleTestCase, TestCase

from djangogke import jsonlog

TRACE = "105445aa7843bc8bf206b12000100000"


def record(name="app", level=logging.INFO, msg="hello %s", args=("world",), exc_info=None):
    return logging.LogRecord(name, level, "/app/x.py", 12, msg, args, exc_info, func="f")


class FormatterTests(SimpleTestCase):
    def setUp(self):
        self.fmt = jsonlog.JsonFormatter()

    def fmt_json(self, rec):
        line = self.fmt.format(rec)
        self.assertNotIn("\n", line)
        return json.loads(line)

    def test_basic_fields(self):
        out = self.fmt_json(record(level=logging.WARNING))
        self.assertEqual(out["severity"], "WARNING")
        self.assertEqual(out["message"], "hello world")
        self.assertTrue(out["time"].endswith("Z"))
        self.assertEqual(out["logging.googleapis.com/sourceLocation"]["line"], "12")
        self.assertNotIn("logging.googleapis.com/trace", out)

    def test_exception_goes_into_message(self):
        try:
            raise ValueError("boom")
        except ValueError:
            out = self.fmt_json(record(level=logging.ERROR, exc_info=sys.exc_info()))
        self.assertEqual(out["severity"], "ERROR")
        self.assertIn("Traceback", out["message"])
        self.assertIn("ValueError: boom", out["message"])

    def test_trace_of_current_request(self):
        token = jsonlog.set_trace(jsonlog.parse_trace(f"{TRACE}/1;o=1"))
        try:
            with mock.patch.dict(os.environ, {"GOOGLE_CLOUD_PROJECT": "my-proj"}):
                out = self.fmt_json(record())
        finally:
            jsonlog.reset_trace(token)
        self.assertEqual(out["logging.googleapis.com/trace"], f"projects/my-proj/traces/{TRACE}")
        self.assertEqual(out["logging.googleapis.com/spanId"], "0000000000000001")
        self.assertIs(out["logging.googleapis.com/trace_sampled"], True)
        self.assertNotIn("logging.googleapis.com/trace", self.fmt_json(record()))

    def test_unicode_kept(self):
        self.assertEqual(self.fmt_json(record(args=("🚀 中文",)))["message"], "hello 🚀 中文")

    def test_bad_format_args_do_not_raise(self):
        out = self.fmt_json(record(msg="%d items", args=("x",)))
        self.assertIn("items", out["message"])

    def test_gunicorn_access_record(self):
        atoms = {
            "m": "POST", "U": "/api/questions/", "q": "a=1", "s": "201", "D": 12345,
            "a": "curl/8", "h": "127.0.0.1", "f": "-", "H": "HTTP/1.1", "B": 99,
            "{host}i": "polls.example.com", "{x-forwarded-proto}i": "https",
            "{x-real-ip}i": "203.0.113.9", "{x-cloud-trace-context}i": f"{TRACE}/7;o=0",
        }
        with mock.patch.dict(os.environ, {"GOOGLE_CLOUD_PROJECT": ""}):
            out = self.fmt_json(record(name="gunicorn.access", msg="%(h)s", args=(atoms,)))
        self.assertEqual(
            out["httpRequest"],
            {
                "requestMethod": "POST",
                "requestUrl": "https://polls.example.com/api/questions/?a=1",
                "status": 201,
                "latency": "0.012345s",
                "userAgent": "curl/8",
                "remoteIp": "203.0.113.9",
                "protocol": "HTTP/1.1",
                "responseSize": "99",
            },
        )
        self.assertEqual(out["message"], "POST /api/questions/ 201")
        self.assertEqual(out["logging.googleapis.com/trace"], TRACE)
        self.assertIs(out["logging.googleapis.com/trace_sampled"], False)


class TraceParsingTests(SimpleTestCase):
    def test_formats(self):
        self.assertEqual(jsonlog.parse_trace(TRACE), (TRACE, None, False))
        self.assertEqual(
            jsonlog.parse_trace(None, f"00-{TRACE}-00f067aa0ba902b7-01"), (TRACE, "00f067aa0ba902b7", True)
        )
        for junk in ("", "xyz", "1234/5", "'; DROP TABLE x;--", "🚀" * 40):
            with self.subTest(junk=junk):
                self.assertIsNone(jsonlog.parse_trace(junk, junk))



class TraceMiddlewareTests(TestCase):
    def test_middleware_sets_and_clears_trace(self):
        from django.test import Client

        seen = []

        def capture(query):
            seen.append(jsonlog._trace.get())
            return 20, 0

        with mock.patch("polls.api.validation.clean_page", side_effect=capture):
            r = Client().get("/api/questions/", HTTP_X_CLOUD_TRACE_CONTEXT=f"{TRACE}/1;o=1")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(seen, [(TRACE, "0000000000000001", True)])
        self.assertIsNone(jsonlog._trace.get())
