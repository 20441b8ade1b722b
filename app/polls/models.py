"""Polls: a question has choices; each vote is one row (so counts are auditable)."""

from django.db import models
from django.db.models import Count

TEXT_MAX = 200


class QuestionQuerySet(models.QuerySet):
    def with_choices(self):
        return self.prefetch_related(
            models.Prefetch("choices", queryset=Choice.objects.with_votes().order_by("position", "id"))
        )


class Question(models.Model):
    text = models.CharField(max_length=TEXT_MAX)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return self.text

    def total_votes(self):
        return sum(c.vote_count for c in self.choices.all())


class ChoiceQuerySet(models.QuerySet):
    def with_votes(self):
        return self.annotate(vote_count=Count("votes"))


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=TEXT_MAX)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ChoiceQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "text"], name="polls_choice_unique_text"),
        ]

    def __str__(self):
        return self.text


class Vote(models.Model):
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="votes")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"vote for {self.choice_id}"
