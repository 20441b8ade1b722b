"""URL configuration. /healthz and /readyz are answered by HealthCheckMiddleware."""

from django.contrib import admin
from django.urls import include, path

from polls import api

urlpatterns = [
    path("", include("polls.urls")),
    path("api/", include("polls.api_urls")),
    path("admin/", admin.site.urls),
]

handler404 = api.handler404
handler500 = api.handler500
