from django.test import TestCase, override_settings

from polls.models import Choice, Question, Vote

PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@override_settings(STORAGES=PLAIN_STATIC)  # no collectstatic manifest needed in unit tests
class PageTests(TestCase):
    def setUp(self):
        self.q = Question.objects.create(text="<b>Tabs</b> or spaces?")
        self.tabs = Choice.objects.create(question=self.q, text="tabs")
        Choice.objects.create(question=self.q, text="spaces", position=1)

    def test_index_lists_and_escapes(self):
        r = self.client.get("/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "&lt;b&gt;Tabs&lt;/b&gt; or spaces?")
        self.assertContains(r, "/static/polls/style.css")

    def test_detail_has_form_with_csrf(self):
        r = self.client.get(f"/questions/{self.q.pk}/")
        self.assertContains(r, "csrfmiddlewaretoken")
        self.assertContains(r, 'value="%d"' % self.tabs.pk)

    def test_vote_redirects_to_results(self):
        r = self.client.post(f"/questions/{self.q.pk}/vote/", {"choice": str(self.tabs.pk)})
        self.assertRedirects(r, f"/questions/{self.q.pk}/results/")
        self.assertEqual(Vote.objects.count(), 1)
        self.assertContains(self.client.get(f"/questions/{self.q.pk}/results/"), "tabs &mdash; 1 vote")

    def test_vote_without_or_with_bad_choice(self):
        for data in ({}, {"choice": "abc"}, {"choice": "999999"}, {"choice": "9" * 40}):
            with self.subTest(data=data):
                r = self.client.post(f"/questions/{self.q.pk}/vote/", data)
                self.assertContains(r, "Please select a choice.", status_code=400)
        self.assertEqual(Vote.objects.count(), 0)

    def test_unknown_question_404(self):
        self.assertEqual(self.client.get("/questions/999999/").status_code, 404)
        self.assertEqual(self.client.get("/questions/99999999999999999999999/").status_code, 404)

    def test_csrf_enforced_on_form(self):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        r = strict.post(f"/questions/{self.q.pk}/vote/", {"choice": str(self.tabs.pk)})
        self.assertEqual(r.status_code, 403)

    def test_admin_login_page(self):
        self.assertEqual(self.client.get("/admin/login/").status_code, 200)
