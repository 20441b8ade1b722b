"""One JSON object per line, with the fields Cloud Logging understands.

Used by Django's LOGGING and by gunicorn's logconfig_dict (gunicorn.conf.py):

- ``severity``, ``message``, ``time`` (RFC 3339), ``logger``,
  ``logging.googleapis.com/sourceLocation``;
- ``logging.googleapis.com/trace`` (``projects/$GOOGLE_CLOUD_PROJECT/traces/ID``,
  or the bare ID when GOOGLE_CLOUD_PROJECT is unset), ``.../spanId`` and
  ``.../trace_sampled`` from ``X-Cloud-Trace-Context`` (or W3C ``traceparent``);
- ``httpRequest`` for gunicorn's access records (requestMethod, requestUrl,
  status, latency "0.012s", userAgent, remoteIp, referer, protocol, responseSize).

The Django middleware ``djangogke.middleware.RequestContextMiddleware`` puts the
trace of the current request in a context variable so every record logged
while handling it carries the trace id.
"""

import contextvars
import datetime
import json
import logging
import os
import re

_trace = contextvars.ContextVar("djangogke_trace", default=None)

SEVERITY = {
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "WARNING": "WARNING",
    "ERROR": "ERROR",
    "CRITICAL": "CRITICAL",
}

_CLOUD_TRACE = re.compile(r"^([0-9a-fA-F]{32})(?:/(\d+))?(?:;o=([01]))?")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def parse_trace(cloud_trace_context=None, traceparent=None):
    """Return (trace_id, span_id, sampled) or None.

    ``X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1`` (SPAN_ID decimal) wins over
    ``traceparent: 00-TRACE_ID-SPAN_ID-FLAGS`` (SPAN_ID hex). Garbage gives None.
    """
    if cloud_trace_context:
        m = _CLOUD_TRACE.match(cloud_trace_context.strip())
        if m:
            span = None
            if m.group(2):
                try:
                    span = format(int(m.group(2)) & 0xFFFFFFFFFFFFFFFF, "016x")
                except ValueError:  # pragma: no cover - regex guarantees digits
                    span = None
            return m.group(1).lower(), span, m.group(3) == "1"
    if traceparent:
        m = _TRACEPARENT.match(traceparent.strip().lower())
        if m:
            return m.group(1), m.group(2), bool(int(m.group(3), 16) & 1)
    return None


def set_trace(trace):
    """Set the current trace (a parse_trace() result or None); returns a reset token."""
    return _trace.set(trace)


def reset_trace(token):
    _trace.reset(token)


def trace_fields(trace):
    if not trace:
        return {}
    trace_id, span_id, sampled = trace
    project = os.environ.get("GOOGLE_CLOUD_PROJECT", "").strip()
    fields = {
        "logging.googleapis.com/trace": f"projects/{project}/traces/{trace_id}" if project else trace_id,
        "logging.googleapis.com/trace_sampled": sampled,
    }
    if span_id:
        fields["logging.googleapis.com/spanId"] = span_id
    return fields


def _latency(atoms):
    micros = atoms.get("D")
    if isinstance(micros, int):
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}s"
    return None


def _clean(value):
    """gunicorn's atoms use '-' for 'unknown'."""
    if value in (None, "-", ""):
        return None
    return value


def http_request_from_gunicorn(atoms):
    """httpRequest (Cloud Logging's LogEntry.HttpRequest) from gunicorn's access atoms."""
    method = atoms.get("m")
    path = atoms.get("U") or ""
    query = atoms.get("q") or ""
    host = _clean(atoms.get("{host}i"))
    scheme = _clean(atoms.get("{x-forwarded-proto}i")) or "http"
    url = path + (f"?{query}" if query else "")
    if host:
        url = f"{scheme}://{host}{url}"
    status = atoms.get("s")
    try:
        status = int(status)
    except (TypeError, ValueError):
        status = None
    remote = _clean(atoms.get("{x-real-ip}i")) or _clean(atoms.get("h"))
    req = {
        "requestMethod": method,
        "requestUrl": url,
        "status": status,
        "latency": _latency(atoms),
        "userAgent": _clean(atoms.get("a")),
        "remoteIp": remote,
        "referer": _clean(atoms.get("f")),
        "protocol": _clean(atoms.get("H")),
    }
    size = atoms.get("B")
    if isinstance(size, int):
        req["responseSize"] = str(size)
    return {k: v for k, v in req.items() if v is not None}


class JsonFormatter(logging.Formatter):
    """Formats a LogRecord as one line of JSON."""

    def format(self, record):
        entry = {
            "severity": SEVERITY.get(record.levelname, "DEFAULT"),
            "message": "",
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.timezone.utc)
            .isoformat(timespec="microseconds")
            .replace("+00:00", "Z"),
            "logger": record.name,
            "logging.googleapis.com/sourceLocation": {
                "file": record.pathname,
                "line": str(record.lineno),
                "function": record.funcName,
            },
        }
        trace = None
        atoms = record.args if isinstance(record.args, dict) else None
        if record.name == "gunicorn.access" and atoms is not None:
            http = http_request_from_gunicorn(atoms)
            entry["httpRequest"] = http
            entry["message"] = f'{http.get("requestMethod")} {atoms.get("U") or ""} {http.get("status")}'
            trace = parse_trace(atoms.get("{x-cloud-trace-context}i"), atoms.get("{traceparent}i"))
            entry.pop("logging.googleapis.com/sourceLocation")
        else:
            try:
                entry["message"] = record.getMessage()
            except Exception:  # a bad format string must never kill the logger
                entry["message"] = f"{record.msg!r} {record.args!r}"
            trace = _trace.get()
        if record.exc_info:
            # Appending the traceback to message lets Error Reporting pick it up.
            entry["message"] += "\n" + self.formatException(record.exc_info)
        elif record.stack_info:
            entry["message"] += "\n" + self.formatStack(record.stack_info)
        entry.update(trace_fields(trace))
        extra_http = getattr(record, "httpRequest", None)
        if isinstance(extra_http, dict):
            entry["httpRequest"] = extra_http
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status"] = status
        return json.dumps(entry, ensure_ascii=False, default=str)
