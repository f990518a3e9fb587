"""gunicorn settings for `make serve` (production mode), read from the environment.

HOST             bind address (default 127.0.0.1: the proxy in front runs on the same machine;
                 0.0.0.0 or a private address when the proxy is elsewhere)
PORT             bind port (default 8000)
WEB_CONCURRENCY  worker processes (default 2 x cores + 1, at most 12)
GUNICORN_THREADS threads per worker (default 1: synchronous workers, the proxy buffers slow
                 clients); more than 1 switches to threaded workers
GUNICORN_TIMEOUT seconds a request may take before its worker is restarted (default 30)
FORWARDED_ALLOW_IPS  proxies allowed to set X-Forwarded-* (gunicorn's own variable; default
                 127.0.0.1,::1)

Logs are JSON lines on stdout, like Django's (clusters.logging.JsonFormatter).
"""

import os

_cores = os.cpu_count() or 1


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = _int("WEB_CONCURRENCY", min(2 * _cores + 1, 12))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5

# Load Django once in the master and fork it: workers share its memory pages, and a broken
# deployment fails at start instead of in every worker.
preload_app = True
# Recycle a worker now and then, so that a slow leak cannot grow without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10

# Workers' heartbeat files in memory, not on a possibly slow disk (gunicorn's own advice); they
# hold no data.
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None

# No control socket: several instances (or the benchmark) on one machine would share the same
# default path in $HOME, and nothing here needs runtime control beyond signals.
control_socket_disable = True

proc_name = "cerplan"

accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") != "0" else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "clusters.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
