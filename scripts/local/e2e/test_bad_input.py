"""Bad input through nginx -> gunicorn -> Django: 4xx answers, never a 500, data intact."""

import json
import select
import socket
import time
import unittest

import pod

SQLISH = "Robert'); DROP TABLE polls_question;-- 🚀 ñ 中文"
MB = 1024 * 1024


def raw_exchange(head, body_size, chunked=False, limit_s=20):
    """Send request headers then up to body_size bytes; return (status line, bytes sent).

    Stops sending as soon as the server answers (nginx answers 413 without
    reading a body that is too large) or closes the connection.
    """
    sock = socket.create_connection((pod.HOST, pod.HTTP_PORT), timeout=limit_s)
    sent = 0
    try:
        sock.sendall(head)
        chunk = b"x" * (256 * 1024)
        deadline = time.monotonic() + limit_s
        while sent < body_size and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            piece = chunk[: min(len(chunk), body_size - sent)]
            try:
                if chunked:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                else:
                    sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        if chunked and sent >= body_size:
            try:
                sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass
        data = b""
        while b"\r\n" not in data and time.monotonic() < deadline:
            try:
                more = sock.recv(65536)
            except ConnectionResetError:
                break
            if not more:
                break
            data += more
        return data.split(b"\r\n", 1)[0].decode("latin-1"), sent
    finally:
        sock.close()


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        pod.ensure_up()

    def api(self, method, path, body=None, raw=None, headers=None):
        if raw is not None:
            hdrs = {"Content-Type": "application/json", **(headers or {})}
            status, h, data, _ = pod.request(method, path, body=raw, headers=hdrs)
        else:
            status, h, data, _ = pod.request(method, path, body=body, headers=headers)
        return status, h, data

    def assert_json_400(self, status, headers, data, field=None):
        self.assertEqual(status, 400, data[:300])
        self.assertEqual(headers.get("content-type"), "application/json")
        body = json.loads(data)
        if field:
            self.assertIn(field, body["errors"])

    def test_unknown_host_is_400_everywhere_but_health(self):
        for path in ("/", "/api/questions/", "/admin/login/", "/questions/1/"):
            with self.subTest(path=path):
                self.assertEqual(pod.status_of(path, host="evil.example.com"), 400)
                self.assertEqual(pod.status_of(path, host="10.4.2.17"), 400)
        for path in ("/healthz", "/readyz"):
            with self.subTest(path=path):
                self.assertEqual(pod.status_of(path, host="10.4.2.17"), 200)
                self.assertEqual(pod.status_of(path, host="10.4.2.17:8080"), 200)

    def test_30mb_body_is_413_from_nginx(self):
        head = (
            b"POST /api/questions/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (30 * MB)
        )
        status, sent = raw_exchange(head, 30 * MB)
        self.assertIn(" 413 ", status + " ")
        self.assertLess(sent, 30 * MB, "nginx should answer before reading 30 MB")

    def test_30mb_chunked_body_is_413(self):
        head = (
            b"POST /api/questions/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        status, sent = raw_exchange(head, 30 * MB, chunked=True)
        self.assertIn(" 413 ", status + " ")
        self.assertLess(sent, 30 * MB, "nginx should stop the upload once it passes 10 MB")

    def test_3mb_body_passes_nginx_and_django_answers_413_json(self):
        body = json.dumps({"text": "x" * (3 * MB), "choices": ["a", "b"]}).encode()
        status, headers, data = self.api("POST", "/api/questions/", raw=body)
        self.assertEqual(status, 413, data[:300])
        self.assertEqual(headers.get("content-type"), "application/json")
        self.assertIn("body", json.loads(data)["errors"])

    def test_malformed_json_is_400(self):
        for raw in (b'{"text": "x", ', b"{'text': 'x'}", b"", b"[1]", b"\xff\xfe", b"[" * 100_000):
            with self.subTest(raw=raw[:20]):
                self.assert_json_400(*self.api("POST", "/api/questions/", raw=raw), field="body")

    def test_invalid_values_are_400(self):
        cases = [
            ({"text": "", "choices": ["a", "b"]}, "text"),
            ({"text": "x" * 201, "choices": ["a", "b"]}, "text"),
            ({"text": "a\u0000b", "choices": ["a", "b"]}, "text"),
            ({"text": 12, "choices": ["a", "b"]}, "text"),
            ({"text": "q", "choices": "a"}, "choices"),
            ({"text": "q", "choices": ["a", "a"]}, "choices"),
            ({"text": "q", "choices": ["a", "b"], "admin": True}, "admin"),
        ]
        for body, field in cases:
            with self.subTest(body=str(body)[:60]):
                self.assert_json_400(*self.api("POST", "/api/questions/", body=body), field=field)
        raw = b'{"text": "\\ud800", "choices": ["a", "b"]}'
        self.assert_json_400(*self.api("POST", "/api/questions/", raw=raw), field="text")

    def test_vote_bad_input(self):
        q = pod.create_question("Vote input?", ("a", "b"))
        url = f"/api/questions/{q['id']}/vote/"
        for body, field in (({"choice": "1"}, "choice"), ({"choice": 2**80}, "choice"), ({}, "choice"),
                            ({"choice": True}, "choice")):
            with self.subTest(body=body):
                self.assert_json_400(*self.api("POST", url, body=body), field=field)
        self.assert_json_400(*self.api("POST", url, raw=b'{"choice": ' + b"9" * 5000 + b"}"), field="body")
        status, _, _ = self.api("POST", "/api/questions/99999999999999999999999999/vote/", body={"choice": 1})
        self.assertEqual(status, 404)
        status, _, _ = self.api("GET", "/api/questions/?limit=1;DROP%20TABLE%20polls_question")
        self.assertEqual(status, 400)

    def test_sql_and_unicode_stored_and_returned_intact(self):
        q = pod.create_question(SQLISH, (SQLISH, "ñ"))
        self.assertEqual(q["text"], SQLISH)
        status, headers, data = self.api("GET", q["url"])
        self.assertEqual(status, 200)
        got = json.loads(data)
        self.assertEqual(got["text"], SQLISH)
        self.assertEqual([c["text"] for c in got["choices"]], [SQLISH, "ñ"])
        listing = json.loads(self.api("GET", "/api/questions/?limit=100")[2])
        self.assertIn(SQLISH, [r["text"] for r in listing["results"]])
        # the server-rendered page shows it HTML-escaped, not interpreted
        status, _, html, _ = pod.request("GET", f"/questions/{q['id']}/")
        self.assertEqual(status, 200)
        self.assertIn("Robert&#x27;); DROP TABLE polls_question;-- 🚀 ñ 中文", html.decode())
        # and the table is still there
        self.assertEqual(pod.request("GET", "/api/questions/?limit=1")[0], 200)

    def test_wrong_methods_are_405(self):
        self.assertEqual(self.api("DELETE", "/api/questions/")[0], 405)
        self.assertEqual(self.api("PUT", "/healthz")[0], 405)


if __name__ == "__main__":
    unittest.main()
