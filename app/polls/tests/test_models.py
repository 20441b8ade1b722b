from django.db import IntegrityError, transaction
from django.test import TestCase

from polls.models import Choice, Question, Vote


class ModelTests(TestCase):
    def setUp(self):
        self.q = Question.objects.create(text="Best editor?")
        self.vim = Choice.objects.create(question=self.q, text="vim", position=0)
        self.emacs = Choice.objects.create(question=self.q, text="emacs", position=1)

    def test_vote_counts_are_annotated(self):
        Vote.objects.create(choice=self.vim)
        Vote.objects.create(choice=self.vim)
        Vote.objects.create(choice=self.emacs)
        q = Question.objects.with_choices().get(pk=self.q.pk)
        self.assertEqual([(c.text, c.vote_count) for c in q.choices.all()], [("vim", 2), ("emacs", 1)])
        self.assertEqual(q.total_votes(), 3)

    def test_choice_text_unique_per_question(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Choice.objects.create(question=self.q, text="vim")
        other = Question.objects.create(text="Other")
        Choice.objects.create(question=other, text="vim")  # fine in another question

    def test_delete_cascades(self):
        Vote.objects.create(choice=self.vim)
        self.q.delete()
        self.assertEqual(Choice.objects.count(), 0)
        self.assertEqual(Vote.objects.count(), 0)

    def test_newest_question_first(self):
        newer = Question.objects.create(text="Newer")
        self.assertEqual(list(Question.objects.all())[0], newer)

    def test_str(self):
        self.assertEqual(str(self.q), "Best editor?")
        self.assertEqual(str(self.vim), "vim")
        self.assertIn(str(self.vim.pk), str(Vote.objects.create(choice=self.vim)))

    def test_text_roundtrip_unicode_and_sql(self):
        text = "Robert'); DROP TABLE polls_question;-- 🚀 ñ 中文"
        q = Question.objects.create(text=text)
        self.assertEqual(Question.objects.get(pk=q.pk).text, text)
