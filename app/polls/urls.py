from django.urls import path

from . import views

app_name = "polls"
urlpatterns = [
    path("", views.index, name="index"),
    path("questions/<int:pk>/", views.detail, name="detail"),
    path("questions/<int:pk>/results/", views.results, name="results"),
    path("questions/<int:pk>/vote/", views.vote, name="vote"),
]
