import json
from unittest import mock

from django.db import OperationalError
from django.test import TestCase, override_settings

from polls.models import Choice, Question, Vote

SQLISH = "Robert'); DROP TABLE polls_question;-- 🚀 ñ 中文"


class ApiTests(TestCase):
    def post(self, url, data=None, raw=None, **extra):
        body = raw if raw is not None else json.dumps(data)
        return self.client.post(url, data=body, content_type="application/json", **extra)

    def create(self, text="Favourite colour?", choices=("red", "green")):
        r = self.post("/api/questions/", {"text": text, "choices": list(choices)})
        self.assertEqual(r.status_code, 201, r.content)
        return r.json()

    def assert_json_error(self, response, status, field=None):
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertIn("error", body)
        if field:
            self.assertIn(field, body["errors"])
        return body

    # --- happy paths ---------------------------------------------------------
    def test_list_empty(self):
        r = self.client.get("/api/questions/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json(), {"count": 0, "limit": 20, "offset": 0, "results": []})

    def test_create_detail_list(self):
        q = self.create()
        self.assertEqual(q["text"], "Favourite colour?")
        self.assertEqual([c["text"] for c in q["choices"]], ["red", "green"])
        self.assertEqual(q["total_votes"], 0)
        self.assertTrue(q["created"].endswith("Z"))
        r = self.client.get(q["url"])
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json(), q)
        listing = self.client.get("/api/questions/").json()
        self.assertEqual(listing["count"], 1)
        self.assertEqual(listing["results"][0]["id"], q["id"])

    def test_create_sets_location(self):
        r = self.post("/api/questions/", {"text": "Q", "choices": ["a", "b"]})
        self.assertEqual(r["Location"], f"/api/questions/{r.json()['id']}/")

    def test_vote(self):
        q = self.create()
        green = q["choices"][1]["id"]
        r = self.post(f"/api/questions/{q['id']}/vote/", {"choice": green})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual([c["votes"] for c in r.json()["choices"]], [0, 1])
        self.post(f"/api/questions/{q['id']}/vote/", {"choice": green})
        self.assertEqual(Vote.objects.filter(choice_id=green).count(), 2)
        self.assertEqual(self.client.get(q["url"]).json()["total_votes"], 2)

    def test_pagination(self):
        for i in range(5):
            self.create(text=f"Q{i}")
        page = self.client.get("/api/questions/?limit=2&offset=1").json()
        self.assertEqual(page["count"], 5)
        self.assertEqual([q["text"] for q in page["results"]], ["Q3", "Q2"])

    def test_sql_and_unicode_are_stored_intact(self):
        q = self.create(text=SQLISH, choices=[SQLISH, "ok"])
        got = self.client.get(q["url"]).json()
        self.assertEqual(got["text"], SQLISH)
        self.assertEqual(got["choices"][0]["text"], SQLISH)
        self.assertEqual(Question.objects.get(pk=q["id"]).text, SQLISH)
        self.assertTrue(Question.objects.exists())  # the table is still there

    # --- bad input: 4xx JSON, never 500 ----------------------------------------
    def test_malformed_json(self):
        self.assert_json_error(self.post("/api/questions/", raw='{"text": "x", '), 400, "body")

    def test_non_object_and_invalid_utf8(self):
        self.assert_json_error(self.post("/api/questions/", raw="[1,2]"), 400, "body")
        r = self.client.post("/api/questions/", data=b"\xff\xfe\xfd", content_type="application/json")
        self.assert_json_error(r, 400, "body")

    def test_validation_errors(self):
        body = self.assert_json_error(self.post("/api/questions/", {"text": "", "choices": ["a"]}), 400)
        self.assertEqual(set(body["errors"]), {"text", "choices"})

    def test_nul_and_lone_surrogate_are_400(self):
        self.assert_json_error(self.post("/api/questions/", {"text": "a\x00", "choices": ["a", "b"]}), 400, "text")
        raw = '{"text": "\\ud800", "choices": ["a", "b"]}'
        self.assert_json_error(self.post("/api/questions/", raw=raw), 400, "text")

    def test_deeply_nested_and_huge_numbers(self):
        self.assert_json_error(self.post("/api/questions/", raw="[" * 50_000 + "]" * 50_000), 400, "body")
        q = self.create()
        url = f"/api/questions/{q['id']}/vote/"
        self.assert_json_error(self.post(url, raw='{"choice": ' + "9" * 5000 + "}"), 400, "body")
        self.assert_json_error(self.post(url, {"choice": 2**70}), 400, "choice")
        self.assert_json_error(self.post(url, {"choice": 1e308}), 400, "choice")

    def test_vote_errors(self):
        q = self.create()
        other = self.create(text="Other")
        url = f"/api/questions/{q['id']}/vote/"
        self.assert_json_error(self.post(url, {}), 400, "choice")
        self.assert_json_error(self.post(url, {"choice": "1"}), 400, "choice")
        self.assert_json_error(self.post(url, {"choice": other["choices"][0]["id"]}), 400, "choice")
        self.assert_json_error(self.post("/api/questions/999999/vote/", {"choice": 1}), 404)
        self.assertEqual(Vote.objects.count(), 0)

    def test_huge_ids_in_the_path_are_404(self):
        self.assert_json_error(self.client.get("/api/questions/99999999999999999999999/"), 404)
        self.assert_json_error(self.client.get(f"/api/questions/{2**63}/"), 404)
        self.assert_json_error(self.post(f"/api/questions/{2**64}/vote/", {"choice": 1}), 404)

    def test_bad_query_params(self):
        self.assert_json_error(self.client.get("/api/questions/?limit=abc"), 400, "limit")
        self.assert_json_error(self.client.get("/api/questions/?offset=" + "9" * 40), 400, "offset")

    def test_methods(self):
        r = self.client.delete("/api/questions/")
        self.assert_json_error(r, 405)
        self.assertIn("POST", r["Allow"])
        self.assert_json_error(self.client.get("/api/questions/1/vote/"), 405)

    def test_unknown_api_path_is_json_404(self):
        self.assert_json_error(self.client.get("/api/nope/"), 404)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
    def test_body_over_django_limit_is_413(self):
        r = self.post("/api/questions/", {"text": "x" * 150, "choices": ["a", "b"]})
        self.assert_json_error(r, 413, "body")

    def test_unknown_host_is_400(self):
        self.assertEqual(self.client.get("/api/questions/", HTTP_HOST="evil.example.com").status_code, 400)

    def test_database_down_is_503(self):
        with mock.patch("polls.api.Question.objects.with_choices", side_effect=OperationalError("down")):
            r = self.client.get("/api/questions/")
        self.assertEqual(r.status_code, 503)
        self.assertEqual(r["Retry-After"], "5")
        self.assertEqual(Choice.objects.count(), 0)
