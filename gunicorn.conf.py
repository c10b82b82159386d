"""gunicorn settings: `gunicorn newsroom.wsgi` reads this file from the project folder.

Every value can be overridden from the environment, as the rest of the settings.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# The usual starting point: two workers per core plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Recycle workers now and then so a slow leak can never grow without bound. Not often:
# a new worker starts with an empty local-memory page cache (the default cache), and at
# 2,000 requests a worker of five recycled every few seconds in a spike, each time
# rendering the cached page again (the benchmark's cached rows: p99 222-495 ms against
# 15.5 ms at 20,000). A worker's memory stays flat (docs/performance.md: 62-86 MB).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# The proxy in front sets X-Forwarded-For/Proto; trust only it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access log on stdout; GUNICORN_ACCESS_LOG=off when the proxy in front logs requests
# (the benchmark does, so it measures pages rather than log lines).
accesslog = None if os.environ.get("GUNICORN_ACCESS_LOG") == "off" else "-"
errorlog = "-"
preload_app = True
