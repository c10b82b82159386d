"""Settings, read from the environment (12-factor).

Every variable is listed with its meaning in `.env.example`. A local `.env`
file is read when present (real environment variables win), so a developer's
machine needs no exports; production sets the variables in its environment.
"""

import datetime
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from newsroom.environment import env, env_bool, env_int, env_list, read_env_file

BASE_DIR = Path(__file__).resolve().parent.parent

read_env_file(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example)")
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105 # DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The publication's identity is configuration, not code.
SITE_NAME = env("SITE_NAME", "diginomica")
SITE_TAGLINE = env("SITE_TAGLINE", "Enterprise technology news and analysis")
PUBLISHER_NAME = env("PUBLISHER_NAME", SITE_NAME)
# The public address (scheme and host, no path), for canonical links, feeds, sitemaps
# and structured data. Empty: the address each request came in on.
SITE_URL = env("SITE_URL").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"SITE_URL must start with https:// or http://, not {SITE_URL!r}")
# The publisher's logo for structured data: a path under static/ or an absolute URL.
PUBLISHER_LOGO = env("PUBLISHER_LOGO", "img/publisher-logo.png")
# The picture a shared link shows for a page without one of its own (home, topics,
# authors without a photo...): a path under static/ or an absolute URL; 1200 x 630 suits
# every network.
SHARE_IMAGE = env("SHARE_IMAGE", "img/share.png")

INSTALLED_APPS = [
    # The admin site with the newsroom's sections and staff-only tools (newsroom.admin_site).
    "newsroom.admin_site.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Django's widget templates, for FORM_RENDERER below.
    "django.forms",
    # taggit, axes and django-tasks-db under the names editors use (newsroom.apps).
    "newsroom.apps.TopicsConfig",
    "reversion",
    "newsroom.apps.SignInSecurityConfig",
    "csp",
    # The content apps, lowest first (docs/architecture.md): receivers connect in this
    # order, so an image's renditions are made before the page cache retires its pages.
    "pictures",
    "disclosures",
    "authors",
    "quotes",
    "pages",
    "articles",
    # The reader's side: every public page, feed and sitemap of the content above.
    "reader",
    # Import, export and demo data: writes the content apps' tables, owns none.
    "interchange",
    "backups",
    "django_tasks",
    "newsroom.apps.BackgroundTasksConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 304 answers from ETag/Last-Modified, for cached and fresh pages alike.
    "django.middleware.http.ConditionalGetMiddleware",
    # Old addresses of imported articles (WordPress permalinks) answer 301; before the
    # page cache, which would answer /?p=ID with the home page.
    "reader.middleware.LegacyAddressMiddleware",
    # Before sessions: a cached page costs no session lookup and no query.
    "newsroom.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "newsroom.middleware.LowercaseRedirectMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "newsroom.routers.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
# The admin's address is configurable, so it is not where every bot looks first.
ADMIN_PATH = env("ADMIN_PATH", "admin").strip("/") + "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so templates/ can override the admin's: its
# date-and-time widget names the time zone its times are in (admin/widgets/). Django's
# own form templates that nothing overrides render from their Jinja2 copies, faster
# (newsroom.renderers).
FORM_RENDERER = "newsroom.renderers.TemplatesWithJinja2Forms"

WSGI_APPLICATION = "newsroom.wsgi.application"

# Connection reuse on PostgreSQL: a pool shared by each process's threads
# (psycopg_pool through Django's OPTIONS["pool"]), or persistent connections
# (CONN_MAX_AGE). Django refuses both at once.
DATABASE_POOL = env_bool("DATABASE_POOL", False)
# Without the pool, production keeps each worker's connection (checked before reuse)
# instead of opening one per request; runserver's thread per request would pile them up.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 0 if DEBUG or DATABASE_POOL else 600)
if DATABASE_POOL and CONN_MAX_AGE:
    raise ImproperlyConfigured(
        "DATABASE_POOL=true and CONN_MAX_AGE are exclusive: set CONN_MAX_AGE=0 with the pool"
    )


def database(variable: str, url: str) -> dict[str, Any]:
    """One DATABASES entry from a URL, pooled when DATABASE_POOL is on."""
    try:
        config = dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{variable} is not a database URL: {error}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Several gunicorn workers and threads share the file: a write transaction takes
        # the lock when it begins and waits for it (instead of failing with "database is
        # locked" when a read turns into a write), and WAL lets readers read meanwhile.
        # tests/test_soak.py writes from several editors at once. Temporary storage in
        # memory: every byline or topic link written fires the links' time triggers
        # (migration articles 0001_squashed_0028_markdown_limits), whose statement
        # journals otherwise go to temporary files, a large share of a big seed's time
        # (measured: see docs/performance.md).
        config.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
                ),
            }
        )
    if config["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: PostgreSQL compiles any statement whose estimated cost
        # passes jit_above_cost, and a page's small queries over a large archive do
        # (an Exists per topic or author is costed for every article it might probe),
        # and compiling costs far more than running them. No parallel workers either: a
        # request's query is served by one process, as every other request's is; workers
        # started for one query take the cores the other requests were served on, and
        # starting them and merging their rows is work added, not shared (a filtered
        # search's walk down a topic started two and took twice as long).
        options = config.setdefault("OPTIONS", {})
        extra = "-c jit=off -c max_parallel_workers_per_gather=0"
        options["options"] = f"{options.get('options', '')} {extra}".strip()
    if DATABASE_POOL:
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(f"DATABASE_POOL=true needs PostgreSQL in {variable}")
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 4),
            # Seconds a request waits for a free connection before failing.
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }
    return dict(config)


# SQLite is the embedded default so a fresh clone runs with no server;
# production points DATABASE_URL at PostgreSQL.
DATABASES = {
    "default": database("DATABASE_URL", env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
# Read replicas (streaming copies of the primary): readers' pages are read from them,
# everything else from the primary (newsroom/routers.py). Tests treat them as mirrors
# of the test database.
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    DATABASES[f"replica_{_number}"] = {
        **database("DATABASE_REPLICA_URLS", _url),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["newsroom.routers.PrimaryReplicaRouter"]


# Seconds a cache call may take before it counts as failed (Redis answers in well
# under a millisecond on a local network).
CACHE_TIMEOUT_SECONDS = env_int("CACHE_TIMEOUT_MS", 250) / 1000


def cache_from_url(url: str) -> dict[str, Any]:
    """The default cache: locmem (one process) unless a shared Redis is named."""
    if not url or url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # A cache that is down or hanging must cost a request little: every caller
            # (newsroom.page_cache, /readyz/) treats an error as a miss and goes on.
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
            },
        }
    raise ImproperlyConfigured(
        f"CACHE_URL must start with redis://, rediss://, unix:// or locmem://, not {url!r}"
    )


# Several app servers need one shared cache, or each keeps its own stale copy.
CACHES = {"default": cache_from_url(env("CACHE_URL") or env("REDIS_URL"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes counts failed logins first, so a locked-out account is refused before
# its password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute force: after AXES_FAILURE_LIMIT failed logins for one username from one address,
# that pair is locked out for AXES_COOLOFF_MINUTES. Locking by username and address
# together means an attacker cannot lock a real editor out from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Quiet at start-up: its banner would land in every management command's output.
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind the TLS proxy the client's address is the first X-Forwarded-For entry.
AXES_IPWARE_META_PRECEDENCE_ORDER = [
    *(["HTTP_X_FORWARDED_FOR"] if env_bool("BEHIND_TLS_PROXY", not DEBUG) else []),
    "REMOTE_ADDR",
]

LANGUAGE_CODE = "en-gb"
# Dates and times as the site's language writes them ("25 June 2018"): templates name
# DATE_FORMAT and its kin, never a pattern of their own.
FORMAT_MODULE_PATH = ["newsroom.formats"]
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Serve uploaded media from Django itself: right for local use and a single
# small server; behind object storage or a CDN, turn it off.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)

STORAGES = {
    # Local files that a failed write (a full disk) never leaves half-written.
    "default": {"BACKEND": "newsroom.storage.MediaStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Anonymous page caching (newsroom.page_cache). PAGE_CACHE_SECONDS: how long the server
# keeps a page or a rendered body (unset: 600 on a shared cache, 10 on the per-process
# default; 0 turns caching and the public Cache-Control headers off). The others go to
# browsers (max-age) and CDNs (s-maxage, stale-while-revalidate).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0) if env("PAGE_CACHE_SECONDS") else None
PAGE_MAX_AGE = env_int("PAGE_MAX_AGE", 60)
PAGE_S_MAXAGE = env_int("PAGE_S_MAXAGE", 300)
PAGE_STALE_WHILE_REVALIDATE = env_int("PAGE_STALE_WHILE_REVALIDATE", 60)


def object_storage(
    bucket: str,
    *,
    endpoint_url: str | None,
    region_name: str | None,
    access_key: str | None,
    secret_key: str | None,
    custom_domain: str | None,
) -> dict[str, Any]:
    """The media storage on an S3-compatible bucket (django-storages)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "region_name": region_name,
            "access_key": access_key,
            "secret_key": secret_key,
            # The CDN's host name in front of the bucket, used in media URLs.
            "custom_domain": custom_domain,
            # Pictures are public: plain URLs that a CDN can cache, never signed ones.
            "querystring_auth": False,
            # Upload names are fresh (articles/images.py), so a stored file never
            # changes and browsers and CDNs may keep it for a year.
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }


# Media on object storage when a bucket is named, so every app server reads and writes
# the same files; local files otherwise. The keys may stay empty where boto3 finds
# credentials itself (an instance role).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = object_storage(
        AWS_STORAGE_BUCKET_NAME,
        endpoint_url=env("AWS_S3_ENDPOINT_URL") or None,
        region_name=env("AWS_S3_REGION_NAME") or None,
        access_key=env("AWS_ACCESS_KEY_ID") or None,
        secret_key=env("AWS_SECRET_ACCESS_KEY") or None,
        custom_domain=env("AWS_S3_CUSTOM_DOMAIN") or None,
    )

# Background jobs: django-tasks with its database backend, the task rows written in the
# transaction that asks for them and run by `manage.py db_worker` (docs/deploy.md,
# "Background jobs"). On Django 6 the django_tasks app and imports become django.tasks.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Also run each task in the process that enqueued it, right after the commit
# (newsroom.tasks), so editors see its result at once; the workers do whatever that
# misses. False leaves all to them.
JOBS_RUN_AT_COMMIT = env_bool("JOBS_RUN_AT_COMMIT", True)

# How long an editor's share link to an unpublished article works.
PREVIEW_LINK_MAX_AGE = env_int("PREVIEW_LINK_HOURS", 48) * 3600

# Uploads larger than this are refused by the image validator.
MAX_IMAGE_UPLOAD_BYTES = env_int("MAX_IMAGE_UPLOAD_BYTES", 10 * 1024 * 1024)
# Pictures with more pixels are refused (a decompression bomb: a few KB that decode to
# gigabytes), counted over all frames of an animation (pictures.images). Applied to
# Pillow by articles.apps too; 40 MP is a 7,700 x 5,200 photo.
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
# Addresses `import_articles --fetch-media` may reach although they are not public
# (interchange.fetching refuses loopback, private, link-local and reserved ones). For
# tests, which serve pictures on loopback; deliberately not read from the environment.
IMPORT_FETCH_ALLOWED_ADDRESSES: list[str] = []

TAGGIT_CASE_INSENSITIVE = True
# Topics as text in the article form: commas separate names, quotes the CSV way, so any
# name survives an unchanged save (articles/topics.py).
TAGGIT_TAGS_FROM_STRING = "articles.topics.parse_topics"
TAGGIT_STRING_FROM_TAGS = "articles.topics.topics_text"

# Security. Production (DEBUG off) is secure by default; each setting can be relaxed
# through the environment, e.g. SECURE_SSL_REDIRECT=false when the proxy redirects.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", not DEBUG) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# /healthz and /readyz are probed over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preload commits the domain (and subdomains) to HTTPS in browsers' built-in lists.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"


def _origin(url: str) -> list[str]:
    """scheme://host[:port] of an absolute URL, as a CSP source; nothing for a path."""
    return ["/".join(url.split("/")[:3])] if "://" in url else []


# Where pictures are served from when media is not on this site: an absolute MEDIA_URL,
# or the object storage's custom domain, endpoint or bucket host (S3 media).
_media_origin = _origin(MEDIA_URL)
if AWS_STORAGE_BUCKET_NAME:
    if env("AWS_S3_CUSTOM_DOMAIN"):
        _media_origin += [f"https://{env('AWS_S3_CUSTOM_DOMAIN')}"]
    elif env("AWS_S3_ENDPOINT_URL"):
        _media_origin += _origin(env("AWS_S3_ENDPOINT_URL"))
    else:
        _media_origin += [
            f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com",
            f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{env('AWS_S3_REGION_NAME', 'us-east-1')}"
            ".amazonaws.com",
        ]
# Content-Security-Policy (django-csp): only this site's own scripts, styles, images
# and fonts, nothing framed, no plugins. The reader site has no inline script; an
# inline script a template may need later must carry nonce="{{ CSP_NONCE }}".
# JSON-LD (<script type="application/ld+json">) is data, which browsers never run.
# Media on another host is allowed by its origin (below); CSP_IMG_SRC adds more sources.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, *_media_origin, *env_list("CSP_IMG_SRC")],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features the site never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
        "microphone", "payment", "usb",
    )
}  # fmt: skip

# Logs go to stdout; LOG_FORMAT=json (the production default) writes one JSON object
# per line for the log collector.
LOG_FORMAT = env("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"refusals_on_one_line": {"()": "newsroom.logs.RefusalsOnOneLine"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["refusals_on_one_line"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # Django's own configuration gives its loggers a stderr handler under DEBUG (and one
    # for ADMINS mail, which the site does not use) on top of propagating to the root:
    # every message was written twice. The root's handler is the only one.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}
