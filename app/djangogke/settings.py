"""Django settings: everything from the environment, one file for every environment.

See app/README.md for the table of variables. Required: DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS, and DATABASE_URL or DB_NAME + DB_USER. A missing one
stops start-up with ImproperlyConfigured naming the variable.

Works with Django 4.2 (Debian, local runs and tests) and 5.2 (the image).
"""

from pathlib import Path

from . import dbcompat, env

dbcompat.prefer_supported_driver()

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = env.get_str(
    "DJANGO_SECRET_KEY",
    required=True,
    hint="a long random string; in the pod it comes from a Kubernetes Secret",
)
DEBUG = env.get_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env.get_list(
    "DJANGO_ALLOWED_HOSTS",
    required=True,
    hint="comma-separated host names, e.g. app.example.com,localhost",
)
CSRF_TRUSTED_ORIGINS = env.get_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "polls",
]

MIDDLEWARE = [
    # FIRST: answers /healthz and /readyz before anything calls request.get_host().
    "djangogke.middleware.HealthCheckMiddleware",
    "djangogke.middleware.RequestContextMiddleware",
    # Cached API GETs answered from Redis before the rest of the stack (unused
    # without a cache server: it raises MiddlewareNotUsed).
    "polls.caching.ApiCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so its process_exception sees view errors first.
    "djangogke.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "djangogke.urls"
# Django's runner; with a cache server each test starts on an empty cache.
TEST_RUNNER = "djangogke.testrunner.Runner"
WSGI_APPLICATION = "djangogke.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.database_from_env()}

# Optional read replica (a region that is not the primary's): DB_REPLICA_HOST unset =
# one database, exactly as before. With it: a "replica" alias, reads routed there and
# writes to the primary (djangogke/dbrouter.py); a client that wrote reads the primary
# for DB_READ_YOUR_WRITES_SECONDS; responses say where they read (X-DB-Route).
_replica = env.replica_from_env(DATABASES["default"])
if _replica is not None:
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["djangogke.dbrouter.PrimaryReplicaRouter"]
    DB_READ_YOUR_WRITES_SECONDS = env.read_your_writes_seconds()
    # Outside the API cache's fast path, so that hits are labelled (and pinned) too.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("djangogke.middleware.RequestContextMiddleware") + 1,
        "djangogke.dbrouter.ReadYourWritesMiddleware",
    )

# What /readyz checks: the database this pod reads from, or none (DB_READINESS, env.py).
DB_READINESS = env.db_readiness(_replica is not None)

# Optional cache server (Memorystore for Redis): CACHE_REDIS_HOST unset = none, and
# the app runs exactly as without it. With it: cached API/pages (polls/caching.py)
# and sessions read through the cache, written to the database as well.
CACHES = env.cache_from_env()
CACHE_SERVER = CACHES["default"]["BACKEND"] == env.CACHE_BACKEND
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if CACHE_SERVER else "django.contrib.sessions.backends.db"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: collected at image build time into STATIC_ROOT (/app/staticfiles
# in the image), copied by an init container into the pod's /static emptyDir and
# served by nginx with long cache headers. Hashed names make that safe.
STATIC_URL = "/static/"
STATIC_ROOT = env.get_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STORAGES = {  # Django >= 4.2
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.get_str(
            "DJANGO_STATICFILES_STORAGE",
            "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
        )
    },
}

# Request size limits inside Django (nginx enforces client_max_body_size 10m first).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Security: TLS ends at the Google load balancer, which sets X-Forwarded-Proto;
# nginx passes it on. Defaults are production-safe; the local run turns the
# HTTPS-only parts off with DJANGO_SECURE_SSL_REDIRECT=0 / DJANGO_SECURE_COOKIES=0.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.get_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Probes speak plain HTTP to the pod: never redirect the health paths.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.get_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.get_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.get_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_secure_cookies = env.get_bool("DJANGO_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = _secure_cookies
CSRF_COOKIE_SECURE = _secure_cookies
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Logging: JSON lines on stdout (djangogke.jsonlog), read by Cloud Logging.
LOG_LEVEL = env.get_str("DJANGO_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "djangogke.jsonlog.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's default handlers (console only when DEBUG, mail_admins).
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
