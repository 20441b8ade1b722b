"""JSON API: JSON in, JSON out; bad input is a 400 JSON answer, never a 500.

GET  /api/questions/?limit=&offset=   list (newest first)
POST /api/questions/                   {"text": "...", "choices": ["...", "..."]} -> 201
GET  /api/questions/<id>/              one question with its choices and vote counts
POST /api/questions/<id>/vote/         {"choice": <choice id>} -> 200 with the new counts

The API has no session authentication, so it is exempt from CSRF (no cookies are used).
With a cache server the GETs are cached and every write drops the cached pages
(polls/caching.py); a vote's answer is always computed from the database.
"""

import json
import logging

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from . import caching, validation
from .models import Choice, Question, Vote
from .validation import ValidationFailed

logger = logging.getLogger(__name__)


def json_response(data, status=200, headers=None):
    return raw_json_response(json.dumps(data, ensure_ascii=False), status, headers)


def raw_json_response(body, status=200, headers=None):
    """An API answer from JSON text or bytes (the cached ones are bytes)."""
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def error_response(status, message, errors=None, headers=None):
    body = {"error": message}
    if errors:
        body["errors"] = errors
    return json_response(body, status=status, headers=headers)


def method_not_allowed(allowed):
    return error_response(
        405, "Method not allowed.", headers={"Allow": ", ".join(allowed)}
    )


def question_json(question):
    choices = [
        {"id": c.id, "text": c.text, "votes": c.vote_count} for c in question.choices.all()
    ]
    return {
        "id": question.id,
        "text": question.text,
        "created": question.created.isoformat().replace("+00:00", "Z"),
        "url": f"/api/questions/{question.id}/",
        "choices": choices,
        "total_votes": sum(c["votes"] for c in choices),
    }


def read_body(request):
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ValidationFailed({"body": ["Request body is too large."]}, status=413) from None
    return validation.parse_json_object(raw)


def get_question(pk):
    if pk > validation.MAX_ID:
        return None
    return Question.objects.with_choices().filter(pk=pk).first()


def api_view(allowed):
    """Method check + turn ValidationFailed into a JSON 4xx."""

    def decorate(view):
        @csrf_exempt
        def wrapper(request, *args, **kwargs):
            if request.method not in allowed:
                return method_not_allowed(allowed)
            try:
                return view(request, *args, **kwargs)
            except ValidationFailed as exc:
                message = "Request body is too large." if exc.status == 413 else "Invalid request."
                return error_response(exc.status, message, exc.errors)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorate


@api_view(("GET", "HEAD", "POST"))
def questions(request):
    if request.method == "POST":
        text, choice_texts = validation.clean_question(read_body(request))
        with transaction.atomic():
            question = Question.objects.create(text=text)
            Choice.objects.bulk_create(
                Choice(question=question, text=t, position=i) for i, t in enumerate(choice_texts)
            )
        question = Question.objects.with_choices().get(pk=question.pk)
        logger.info("question %s created with %d choices", question.pk, len(choice_texts))
        body = question_json(question)
        return caching.after_write(json_response(body, status=201, headers={"Location": body["url"]}))

    limit, offset = validation.clean_page(request.GET)
    return cached_json(request, lambda: question_page(limit, offset))


def question_page(limit, offset):
    qs = Question.objects.with_choices()
    total = qs.count()
    page = list(qs[offset : offset + limit])
    return json_response(
        {
            "count": total,
            "limit": limit,
            "offset": offset,
            "results": [question_json(q) for q in page],
        }
    )


def cached_json(request, compute):
    """compute()'s JSON response, or the cached one; a 200 that missed is stored."""
    found = caching.lookup(request, caching.api_key(request))
    if found is not None and found.hit:
        return caching.label(raw_json_response(found.value), found)
    response = caching.fill(found, compute)  # a miss reads the primary (a replica may lag)
    if response.status_code == 200:
        caching.store(found, response.content)
    return caching.label(response, found)


def question_or_404(pk):
    question = get_question(pk)
    if question is None:
        return error_response(404, "Question not found.")
    return json_response(question_json(question))


@api_view(("GET", "HEAD"))
def question_detail(request, pk):
    return cached_json(request, lambda: question_or_404(pk))


@api_view(("POST",))
def vote(request, pk):
    question = get_question(pk)
    if question is None:
        return error_response(404, "Question not found.")
    data = read_body(request)
    choice_id = validation.clean_vote(data)
    if not any(c.id == choice_id for c in question.choices.all()):
        raise ValidationFailed({"choice": [f"Choice {choice_id} does not belong to question {pk}."]})
    try:
        Vote.objects.create(choice_id=choice_id)
    except IntegrityError:  # the choice was deleted meanwhile
        raise ValidationFailed({"choice": [f"Choice {choice_id} no longer exists."]}) from None
    # The voter's answer comes from the database, never from the cache.
    return caching.after_write(json_response(question_json(get_question(pk))))


def wants_json(request):
    return request.path_info.startswith("/api/")


def handler404(request, exception):
    if wants_json(request):
        return error_response(404, "Not found.")
    return defaults.page_not_found(request, exception)


def handler500(request):
    if wants_json(request):
        return error_response(500, "Internal server error.")
    return defaults.server_error(request)
