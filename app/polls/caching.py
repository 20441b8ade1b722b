"""Which polls responses are cached, under which keys, and the fast path for API hits.

Cached (when a cache server is configured; djangogke/pagecache.py keeps them fresh):

    GET/HEAD /api/questions/?limit=&offset=   key api:list:<limit>:<offset>[:<other params>]
    GET/HEAD /api/questions/<id>/             key api:q:<id>[:<other params>]
    GET /                                     key page:index      (the data, rendered per request)
    GET /questions/<id>/ and .../results/     key page:q:<id>     (the data, rendered per request:
                                                                   the vote form's CSRF token is never cached)

Every such response says ``X-Cache: hit|miss|bypass``. A request bypasses the
cache (reads the database, stores nothing) when it sends ``Cache-Control: no-cache``
or ``Pragma: no-cache``, when it carries the bypass cookie, or when Redis fails.

A miss is filled from the primary database even when the app reads a replica
(``fill()``; djangogke/dbrouter.py), so a page is never older than the primary.

Writes (question created, vote by API or form) drop every cached page once the
database has committed. If that cannot reach Redis, the response sets the bypass
cookie (``cache_bypass``, for CACHE_TTL_SECONDS + FILL_SECONDS) so the writer's next
pages come from the database, whichever worker or pod serves them.

``ApiCacheMiddleware`` sits right after the health and request-context middleware
and answers API hits itself (one Redis GET), with the same headers as the full
stack; misses and bypasses go on to the views, which compute, store and label them.
"""

import hashlib
import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost, MiddlewareNotUsed
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware

from djangogke import dbrouter, pagecache

from .validation import MAX_ID, ValidationFailed, clean_page

API_LIST = "/api/questions/"
BYPASS_COOKIE = "cache_bypass"
DEFAULT_LIST_KEY = "api:list:20:0"  # /api/questions/ without a query string
MAX_EXTRA_LEN = 64


# --- keys ------------------------------------------------------------------------


def _extra(query, known):
    """The query parameters the view ignores, normalised (they still make a page of their own)."""
    pairs = sorted((k, v) for k, values in query.lists() if k not in known for v in values)
    if not pairs:
        return ""
    text = urlencode(pairs)
    if len(text) > MAX_EXTRA_LEN:
        text = hashlib.sha1(text.encode()).hexdigest()
    return ":" + text


def api_key(request):
    """The cache key of a cacheable API GET, or None (not cacheable: the view decides)."""
    path = request.path_info
    if not path.startswith(API_LIST):
        return None
    if path == API_LIST:
        if not request.META.get("QUERY_STRING"):
            return DEFAULT_LIST_KEY
        try:
            limit, offset = clean_page(request.GET)
        except ValidationFailed:
            return None
        return f"api:list:{limit}:{offset}" + _extra(request.GET, ("limit", "offset"))
    pk = path[len(API_LIST):-1]
    if not (path.endswith("/") and pk.isascii() and pk.isdigit()) or int(pk) > MAX_ID:
        return None
    extra = _extra(request.GET, ()) if request.META.get("QUERY_STRING") else ""
    return f"api:q:{int(pk)}" + extra


def index_key():
    return "page:index"


def question_key(pk):
    return f"page:q:{pk}"


# --- lookups for views --------------------------------------------------------------


def bypass_requested(request):
    """The client asked for a fresh answer, or wrote recently while the cache failed."""
    if BYPASS_COOKIE in request.COOKIES:
        return True
    meta = request.META
    return "no-cache" in meta.get("HTTP_CACHE_CONTROL", "") or "no-cache" in meta.get("HTTP_PRAGMA", "")


def lookup(request, key):
    """The lookup for `key` (the middleware's, if it made one), or None without a cache."""
    if key is None:
        return None
    found = getattr(request, "page_cache", None)
    if found is not None and found.key == key:
        return found
    if not pagecache.enabled():
        return None
    if bypass_requested(request):
        return pagecache.bypass(key)
    return pagecache.lookup(key)


def store(found, value):
    """Keep `value` (bytes) for a miss; a no-op for hits, bypasses and without a cache."""
    if found is not None:
        pagecache.store(found, value)


def fill(found, compute):
    """compute() for a lookup that missed or bypassed; a miss (it will be stored) reads the primary.

    With a read replica (djangogke/dbrouter.py) a page filled from a lagging replica
    would be stored after the write's invalidation had run and served for the TTL: so
    every fill reads the primary, and a cached page is never older than what the
    primary had when it was filled. Bypasses (nothing stored) read wherever the
    request reads. Without a replica primary() changes nothing.
    """
    if found is not None and found.status == pagecache.MISS:
        with dbrouter.primary():
            return compute()
    return compute()


def cached_data(request, key, compute):
    """(data, lookup): the cached JSON data for `key`, or compute() stored for the next reader.

    compute() returns JSON-serialisable data from the database, or None (not found:
    not stored). Used by the HTML pages, which cache their data, not their HTML.
    """
    found = lookup(request, key)
    if found is not None and found.hit:
        return json.loads(found.value), found
    data = fill(found, compute)
    if data is not None:
        store(found, json.dumps(data).encode())
    return data, found


def label(response, found):
    if found is not None:
        response["X-Cache"] = found.status
    return response


def after_write(response):
    """Call once a write has been committed: drop the cached pages.

    If that fails (Redis unreachable), the writer gets the bypass cookie so its own
    next reads come from the database. Inside a transaction (tests; views run in
    autocommit) the pages are dropped now and again when it commits.
    """
    done = pagecache.invalidate()
    if done is None:  # no cache server
        return response
    if connection.in_atomic_block:
        transaction.on_commit(pagecache.invalidate)
    if not done:
        response.set_cookie(
            BYPASS_COOKIE,
            "1",
            max_age=pagecache.page_cache().ttl + pagecache.FILL_SECONDS,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


# --- the fast path ------------------------------------------------------------------


class ApiCacheMiddleware:
    """Answer cached API GETs before the rest of the stack (sessions, CSRF, URL routing).

    A hit gets exactly the headers the full stack would give the same response: the
    response passes through the process_response of XFrameOptionsMiddleware,
    CommonMiddleware and SecurityMiddleware (the others add nothing to an API
    answer; djangogke tests compare hit and miss headers). Anything unusual (a Host
    not allowed, an http request to be redirected to https, bad parameters) goes
    down the full stack, which answers it as before.
    """

    def __init__(self, get_response):
        if not pagecache.enabled():
            raise MiddlewareNotUsed("no cache server configured")
        self.get_response = get_response
        # In the order the full stack applies them (innermost first): same headers, same order.
        self.finishers = [
            XFrameOptionsMiddleware(get_response).process_response,
            CommonMiddleware(get_response).process_response,
            SecurityMiddleware(get_response).process_response,
        ]

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not request.path_info.startswith(API_LIST):
            return self.get_response(request)
        key = api_key(request)
        if key is None or not self._plain(request):
            return self.get_response(request)
        if bypass_requested(request):
            request.page_cache = pagecache.bypass(key)
            return self.get_response(request)
        found = pagecache.lookup(key)
        if not found.hit:
            request.page_cache = found
            return self.get_response(request)
        return self._hit(request, found.value)

    @staticmethod
    def _plain(request):
        """The full stack would only add the finishers' headers to this request's answer.

        Not so when it rejects the Host, redirects to https, or has a session or
        CSRF cookie to look at (the session and CSRF middleware replace malformed
        ones, adding Set-Cookie and Vary): those requests go the whole way, where
        the view still answers from the cache.
        """
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or settings.CSRF_COOKIE_NAME in cookies:
            return False
        try:
            request.get_host()
        except DisallowedHost:
            return False
        return not settings.SECURE_SSL_REDIRECT or request.is_secure()

    def _hit(self, request, body):
        response = HttpResponse(body, content_type="application/json")
        response["Cache-Control"] = "no-store"
        response["X-Cache"] = pagecache.HIT
        for finish in self.finishers:
            response = finish(request, response)
        return response
