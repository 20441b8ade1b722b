"""WSGI entry point for gunicorn (see app/gunicorn.conf.py).

A configuration error (a missing or bad environment variable) is reported as one
CRITICAL JSON log line naming the variable, and the process exits 1: with
preload_app the gunicorn master stops at once and the pod shows why.

With a cache server, one line at start says whether it answers (a wrong password
is logged and the app serves from the database: no crash loop). With a read replica,
one line says where reads and writes go (no connection is made here: /readyz checks
both databases, and a replica that is down makes the pod unready, not crash).
"""

import json
import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangogke.settings")

try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    sys.stderr.write(json.dumps({"severity": "CRITICAL", "message": f"configuration error: {exc}"}) + "\n")
    sys.stderr.flush()
    raise SystemExit(1) from None

from djangogke import cache, dbrouter  # noqa: E402  (needs the settings loaded above)

dbrouter.log_at_start()
cache.check_at_start()
