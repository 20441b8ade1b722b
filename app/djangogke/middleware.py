"""Middleware: health endpoints before any Host validation, and request context for logs."""

import json
import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

from . import health, jsonlog

HEALTH_PATHS = {
    "/healthz": health.liveness,
    "/readyz": health.readiness,
}


class HealthCheckMiddleware:
    """Answer /healthz and /readyz for ANY Host header.

    kubelet probes (and the load balancer's health checks) send the pod IP as
    Host, which ALLOWED_HOSTS rightly rejects. This middleware must be FIRST in
    MIDDLEWARE: it answers before SecurityMiddleware (SSL redirect) and
    CommonMiddleware call request.get_host(). Every other path keeps the
    ALLOWED_HOSTS protection (unknown Host -> 400).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        check = HEALTH_PATHS.get(request.path_info)
        if check is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405, content_type="application/json")
            response["Allow"] = "GET, HEAD"
            response.content = b'{"error": "method not allowed"}'
            return response
        ok, body = check()
        response = HttpResponse(
            json.dumps(body), status=200 if ok else 503, content_type="application/json"
        )
        response["Cache-Control"] = "no-store"
        response["Content-Length"] = str(len(response.content))
        return response


class RequestContextMiddleware:
    """Attach the request's trace (X-Cloud-Trace-Context / traceparent) to every log record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trace = jsonlog.parse_trace(
            request.META.get("HTTP_X_CLOUD_TRACE_CONTEXT"), request.META.get("HTTP_TRACEPARENT")
        )
        token = jsonlog.set_trace(trace)
        try:
            return self.get_response(request)
        finally:
            jsonlog.reset_trace(token)


logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """A lost database is 503 + Retry-After (JSON), not a generic 500.

    OperationalError/InterfaceError mean "cannot talk to Postgres" (connection
    refused, server gone, timeout); other database errors stay 500s.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("database unavailable: %s: %s", type(exception).__name__, exception)
        response = HttpResponse(
            b'{"error": "Service temporarily unavailable."}',
            status=503,
            content_type="application/json",
        )
        response["Retry-After"] = "5"
        response["Cache-Control"] = "no-store"
        return response
