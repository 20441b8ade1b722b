"""Server-rendered pages: list, detail with a vote form, results."""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from .models import Question, Vote
from .validation import MAX_ID


def _question_or_404(pk):
    question = None
    if pk <= MAX_ID:
        question = Question.objects.with_choices().filter(pk=pk).first()
    if question is None:
        raise Http404("No such question.")
    return question


@require_GET
def index(request):
    latest = Question.objects.all()[:20]
    return render(request, "polls/index.html", {"questions": latest})


@require_GET
def detail(request, pk):
    return render(request, "polls/detail.html", {"question": _question_or_404(pk)})


@require_GET
def results(request, pk):
    return render(request, "polls/results.html", {"question": _question_or_404(pk)})


@require_POST
def vote(request, pk):
    question = _question_or_404(pk)
    raw = request.POST.get("choice", "")
    choice = None
    if raw.isascii() and raw.isdigit() and len(raw) < 19:
        choice = next((c for c in question.choices.all() if c.id == int(raw)), None)
    if choice is None:
        return render(
            request,
            "polls/detail.html",
            {"question": question, "error_message": "Please select a choice."},
            status=400,
        )
    Vote.objects.create(choice=choice)
    # Post/Redirect/Get: reloading the results page does not vote twice.
    return HttpResponseRedirect(reverse("polls:results", args=(question.id,)))
