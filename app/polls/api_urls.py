from django.urls import path

from . import api

urlpatterns = [
    path("questions/", api.questions, name="api-questions"),
    path("questions/<int:pk>/", api.question_detail, name="api-question"),
    path("questions/<int:pk>/vote/", api.vote, name="api-vote"),
]
