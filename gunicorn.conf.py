"""gunicorn settings: `gunicorn newsroom.wsgi` reads this file from the project folder.

Every value can be overridden from the environment, as the rest of the settings; an
empty variable means the default here too (`.env.example` lists them all, empty).
"""

import gc
import multiprocessing

from newsroom.environment import env, env_int

bind = env("GUNICORN_BIND", "0.0.0.0:8000")
# The usual starting point: two workers per core plus one.
workers = env_int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = env_int("GUNICORN_THREADS", 1)
# Recycle workers now and then so a slow leak can never grow without bound. Not often:
# a new worker starts with an empty local-memory page cache (the default cache), so
# frequent recycling in a spike renders the cached pages again and again
# (docs/performance.md); a worker's memory stays flat.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = 2000
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# The proxy in front sets X-Forwarded-For/Proto; trust only it.
forwarded_allow_ips = env("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access log on stdout; GUNICORN_ACCESS_LOG=off when the proxy in front logs requests
# (the benchmark does, so it measures pages rather than log lines).
accesslog = None if env("GUNICORN_ACCESS_LOG") == "off" else "-"
errorlog = "-"
preload_app = True


def pre_fork(server, worker):  # type: ignore[no-untyped-def]
    """Freeze what the master holds before each worker is forked (preload_app: the
    whole app). A worker's full garbage collection then skips those objects: unfrozen,
    every several hundred requests one collection walked them all while the requests
    queued on that worker waited, a stall in the p99 (docs/performance.md). The pages
    they sit on also stay shared with the master instead of being copied when a
    collection touches them."""
    gc.freeze()
