"""Pure validation rules (no database)."""

from django.test import SimpleTestCase

from polls import validation as v


class ParseTests(SimpleTestCase):
    def bad(self, raw):
        with self.assertRaises(v.ValidationFailed) as cm:
            v.parse_json_object(raw)
        self.assertEqual(cm.exception.status, 400)
        return cm.exception.errors

    def test_valid(self):
        self.assertEqual(v.parse_json_object(b'{"a": 1}'), {"a": 1})

    def test_empty_malformed_and_non_objects(self):
        for raw in (b"", b"{", b"{'a': 1}", b"[1, 2]", b'"text"', b"null", b"NaNx", b"\xff\xfe{}"):
            with self.subTest(raw=raw):
                self.assertIn("body", self.bad(raw))

    def test_deep_nesting_is_400_not_recursion_error(self):
        self.assertIn("body", self.bad(b"[" * 100_000 + b"]" * 100_000))

    def test_integer_with_too_many_digits(self):
        self.assertIn("body", self.bad(b'{"choice": ' + b"9" * 5000 + b"}"))


class QuestionRules(SimpleTestCase):
    def errors(self, data):
        with self.assertRaises(v.ValidationFailed) as cm:
            v.clean_question(data)
        return cm.exception.errors

    def test_valid_strips_outer_whitespace(self):
        self.assertEqual(v.clean_question({"text": "  Q? ", "choices": ["a", " b"]}), ("Q?", ["a", "b"]))

    def test_required(self):
        self.assertEqual(set(self.errors({})), {"text", "choices"})

    def test_types(self):
        e = self.errors({"text": 5, "choices": "a,b"})
        self.assertIn("text", e)
        self.assertIn("choices", e)
        self.assertIn("choices[1]", self.errors({"text": "q", "choices": ["a", None]}))

    def test_blank_long_nul_surrogate(self):
        self.assertIn("text", self.errors({"text": "   ", "choices": ["a", "b"]}))
        self.assertIn("text", self.errors({"text": "x" * 201, "choices": ["a", "b"]}))
        self.assertIn("text", self.errors({"text": "a\x00b", "choices": ["a", "b"]}))
        self.assertIn("text", self.errors({"text": "a\ud800b", "choices": ["a", "b"]}))
        v.clean_question({"text": "x" * 200, "choices": ["a", "b"]})  # the limit itself is fine

    def test_choice_count_and_uniqueness(self):
        self.assertIn("choices", self.errors({"text": "q", "choices": ["a"]}))
        self.assertIn("choices", self.errors({"text": "q", "choices": [str(i) for i in range(21)]}))
        self.assertIn("choices", self.errors({"text": "q", "choices": ["a", "a "]}))

    def test_unknown_field(self):
        self.assertIn("votes", self.errors({"text": "q", "choices": ["a", "b"], "votes": 10}))


class VoteAndPageRules(SimpleTestCase):
    def test_vote(self):
        self.assertEqual(v.clean_vote({"choice": 3}), 3)
        for bad in ({}, {"choice": "3"}, {"choice": True}, {"choice": 0}, {"choice": -1},
                    {"choice": 2**63}, {"choice": 1.5}, {"choice": 1, "x": 1}):
            with self.subTest(bad=bad), self.assertRaises(v.ValidationFailed):
                v.clean_vote(bad)

    def test_page(self):
        self.assertEqual(v.clean_page({}), (20, 0))
        self.assertEqual(v.clean_page({"limit": "5", "offset": "10"}), (5, 10))
        for bad in ({"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"offset": "-1"},
                    {"offset": "9" * 30}, {"limit": "１"}):
            with self.subTest(bad=bad), self.assertRaises(v.ValidationFailed):
                v.clean_page(bad)
