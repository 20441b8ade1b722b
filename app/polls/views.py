"""Server-rendered pages: list, detail with a vote form, results.

With a cache server the pages' data (not their HTML: the vote form carries the
visitor's CSRF token) is cached (polls/caching.py); a vote drops it.
"""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import caching
from .api import question_json
from .models import Question, Vote
from .validation import MAX_ID

LATEST = 20


def _question(pk):
    if pk > MAX_ID:
        return None
    return Question.objects.with_choices().filter(pk=pk).first()


def _question_data(request, pk):
    """(question as JSON data, lookup), or Http404."""

    def compute():
        question = _question(pk)
        return question_json(question) if question else None

    data, found = caching.cached_data(request, caching.question_key(pk), compute)
    if data is None:
        raise Http404("No such question.")
    return data, found


@require_GET
def index(request):
    latest, found = caching.cached_data(
        request,
        caching.index_key(),
        lambda: [{"id": q.id, "text": q.text} for q in Question.objects.only("id", "text")[:LATEST]],
    )
    return caching.label(render(request, "polls/index.html", {"questions": latest}), found)


@require_GET
def detail(request, pk):
    question, found = _question_data(request, pk)
    return caching.label(render(request, "polls/detail.html", {"question": question}), found)


@require_GET
def results(request, pk):
    question, found = _question_data(request, pk)
    return caching.label(render(request, "polls/results.html", {"question": question}), found)


@require_POST
def vote(request, pk):
    question = _question(pk)  # a write reads the database, never the cache
    if question is None:
        raise Http404("No such question.")
    raw = request.POST.get("choice", "")
    choice = None
    if raw.isascii() and raw.isdigit() and len(raw) < 19:
        choice = next((c for c in question.choices.all() if c.id == int(raw)), None)
    if choice is None:
        return render(
            request,
            "polls/detail.html",
            {"question": question_json(question), "error_message": "Please select a choice."},
            status=400,
        )
    Vote.objects.create(choice=choice)
    # Post/Redirect/Get: reloading the results page does not vote twice.
    return caching.after_write(HttpResponseRedirect(reverse("polls:results", args=(question.id,))))
