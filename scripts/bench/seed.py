"""Seed the benchmark database: BENCH_QUESTIONS questions x BENCH_CHOICES choices with votes.

    (. build/bench/pod/env && /usr/bin/python3 scripts/bench/seed.py)

Deterministic (fixed texts, votes from a seeded PRNG), and it replaces whatever
polls data the database holds, so every run measures the same query over the same
rows: GET /api/questions/ then returns the newest 20 questions with their choices
and vote counts (a COUNT, the page, and the prefetched choices annotated with
Count("votes")). Stdlib + the app's Django only; run with Debian's /usr/bin/python3.

With BENCH_IDS_FILE set, it also writes there one line per question,
"QUESTION_ID CHOICE_ID...", for the mixed row's readers and voters (wrk.lua).
"""

import os
import random
import sys
from datetime import timedelta
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
sys.path.insert(0, str(APP))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangogke.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from djangogke import pagecache  # noqa: E402
from polls.models import Choice, Question, Vote  # noqa: E402

QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "50"))
CHOICES = int(os.environ.get("BENCH_CHOICES", "4"))
MAX_VOTES = int(os.environ.get("BENCH_MAX_VOTES_PER_CHOICE", "12"))


def main():
    rng = random.Random(20240601)
    now = timezone.now()
    with transaction.atomic():
        Vote.objects.all().delete()
        Choice.objects.all().delete()
        Question.objects.all().delete()
        questions = Question.objects.bulk_create(
            Question(text=f"Benchmark question {i + 1}: which option do you prefer?")
            for i in range(QUESTIONS)
        )
        # auto_now_add stamps them all alike; spread them so "newest first" is a real sort.
        for i, q in enumerate(questions):
            q.created = now - timedelta(minutes=QUESTIONS - i)
        Question.objects.bulk_update(questions, ["created"])
        choices = Choice.objects.bulk_create(
            Choice(question=q, text=f"Option {chr(65 + j)} for question {q.pk}", position=j)
            for q in questions
            for j in range(CHOICES)
        )
        votes = [Vote(choice=c) for c in choices for _ in range(rng.randint(0, MAX_VOTES))]
        Vote.objects.bulk_create(votes, batch_size=1000)
    # Written behind the app's back: drop the pages cached from the old rows.
    pagecache.invalidate()
    ids_file = os.environ.get("BENCH_IDS_FILE")
    if ids_file:
        by_question = {}
        for c in choices:
            by_question.setdefault(c.question_id, []).append(c.pk)
        with open(ids_file + ".tmp", "w") as f:
            for q in questions:
                f.write(" ".join(str(i) for i in [q.pk, *by_question[q.pk]]) + "\n")
        os.replace(ids_file + ".tmp", ids_file)
    print(
        f"[bench] seeded {len(questions)} questions, {len(choices)} choices, {len(votes)} votes"
    )


if __name__ == "__main__":
    main()
