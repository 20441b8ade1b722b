from django.contrib import admin
from django.db.models import Count

from .models import Choice, Question, Vote


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 2
    fields = ("text", "position")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "created", "choice_count")
    search_fields = ("text",)
    date_hierarchy = "created"
    inlines = [ChoiceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_choices=Count("choices"))

    @admin.display(description="choices", ordering="_choices")
    def choice_count(self, obj):
        return obj._choices


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("choice", "created")
    list_select_related = ("choice",)
    readonly_fields = ("choice", "created")
