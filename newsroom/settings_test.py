"""Test settings: the real settings, made fast and self-contained.

DATABASE_URL still chooses the database, so the same suite runs on SQLite
and on PostgreSQL (scripts/run_tests.py starts a throwaway cluster).
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

# The developer's `.env` is for their local site: the tests, and every server and command
# they start (which inherit this environment), run the same on every machine without it.
os.environ["READ_ENV_FILE"] = "false"
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_FORMAT", "text")
# Connections closed after each request: the live server's threads must not keep one
# open past the test database's teardown.
os.environ.setdefault("CONN_MAX_AGE", "0")

from newsroom.settings import *  # noqa: F403
from newsroom.settings import STORAGES, cache_from_url

# Production security settings stay on, except those that need HTTPS, which the test
# client and the live server of the browser tests do not speak.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# No page or body caching: most tests change rows inside a transaction that never
# commits, so the on-commit invalidation cannot run. tests/test_page_cache.py turns it
# on and commits (captureOnCommitCallbacks) as production does.
PAGE_CACHE_SECONDS = 0
# The servers of tests/test_faults.py run on a real Redis the test starts, with the
# production lifetimes: the cache outage test stops and restarts it.
if os.environ.get("TEST_CACHE_URL"):
    CACHES = {"default": cache_from_url(os.environ["TEST_CACHE_URL"])}
    PAGE_CACHE_SECONDS = None

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Seed and uploaded images go to a private folder removed at exit.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="newsroom-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

# The live server of the browser tests serves uploads, so pages load every picture and
# a missing one shows as a console error.
SERVE_MEDIA = True

# No collectstatic in tests: plain storage resolves files from the source tree.
STATIC_ROOT = None
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file, not :memory:, for the SQLite test database: the live server used by the
# browser tests then opens its own connections instead of sharing one across threads.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _DB_FOLDER = tempfile.mkdtemp(prefix="newsroom-test-db-")
    atexit.register(shutil.rmtree, _DB_FOLDER, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(_DB_FOLDER, "test.sqlite3")}  # noqa: F405
