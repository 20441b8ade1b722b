// Package podenv names the environment variables the program sets on the
// app's containers (the settings ConfigMap, the Secret, the container's own
// env). It has no dependencies, so the config validation can refuse an
// app.settings entry that would override one: a GUNICORN_THREADS from the
// stack file would silently break the planned database connection budget.
package podenv

// Reserved are the names app.settings may not use: every variable the
// program sets, and DATABASE_URL, which the runtime reads before DB_*
// (app/djangogke/env.py): it would point the app at another database.
var Reserved = append([]string{"DATABASE_URL"}, Set...)

// Set are every variable the Workload component may set, whatever its
// options (TLS, a read replica, a cache server). components' tests hold it
// equal to what the component sets.
var Set = []string{
	"CACHE_REDIS_CA_FILE",
	"CACHE_REDIS_HOST",
	"CACHE_REDIS_PASSWORD",
	"CACHE_REDIS_PORT",
	"CACHE_TTL_SECONDS",
	"DB_HOST",
	"DB_NAME",
	"DB_PASSWORD",
	"DB_PORT",
	"DB_READINESS",
	"DB_READ_YOUR_WRITES_SECONDS",
	"DB_REPLICA_HOST",
	"DB_REPLICA_PORT",
	"DB_USER",
	"DJANGO_ALLOWED_HOSTS",
	"DJANGO_CSRF_TRUSTED_ORIGINS",
	"DJANGO_DEBUG",
	"DJANGO_SECRET_KEY",
	"DJANGO_SECURE_COOKIES",
	"DJANGO_SECURE_HSTS_SECONDS",
	"DJANGO_SECURE_SSL_REDIRECT",
	"GOOGLE_CLOUD_PROJECT",
	"GUNICORN_ACCESS_LOG",
	"GUNICORN_BIND",
	"GUNICORN_CPU_MILLICORES",
	"GUNICORN_GRACEFUL_TIMEOUT",
	"GUNICORN_THREADS",
	"GUNICORN_WORKERS",
}
