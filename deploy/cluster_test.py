"""The multi-server test: the reference architecture of docs/deploy.md, on loopback.

Starts a PostgreSQL primary and a streaming replica made with pg_basebackup, Redis,
an S3-compatible server (moto), two gunicorn app servers with production settings,
a task worker (`db_worker`) beside each, and nginx balancing between the app servers. Then proves,
printing what it measured:

1. an article published through app server A is visible at once through B and nginx;
2. readers' pages are read from the replica and writes go to the primary (from
   PostgreSQL's own per-table statistics on each server);
3. media uploaded through A is in object storage, its renditions made by a task
   worker, and B's pages point readers at it;
4. with app server B killed, nginx keeps serving readers without a failed request.

Exits non-zero on any failure and removes everything it started, failure or not.
Run: `make cluster-test` (or `.venv/bin/python -m deploy.cluster_test`).
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
from PIL import Image as PILImage

from deploy.engines import (
    BIN,
    LOOPBACK,
    controlled_environment,
    create_public_bucket,
    free_port,
    start,
    start_s3,
    stop,
    wait_until_listening,
)
from scripts.run_tests import find_pg_bindir

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BUCKET = "newsroom-media"
REGION = "us-east-1"
S3_KEYS = {"access_key": "cluster-key", "secret_key": "cluster-secret"}
EDITOR, PASSWORD = "editor", secrets.token_urlsafe(16)
SLUG = "cluster-test-story"
HEADLINE = "Cluster test story published through server A"
READS = 60  # reader requests in the replica check
OUTAGE_READS = 200  # reader requests while one app server is down
# PostgreSQL 15 backends flush table statistics when idle at most every 10 s
# (PGSTAT_IDLE_INTERVAL); pooled connections stay open, so wait that long.
STATS_FLUSH_SECONDS = 11


T0 = time.monotonic()


class ClusterTestFailure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    print(("  ok    " if condition else "  FAIL  ") + message, flush=True)
    if not condition:
        raise ClusterTestFailure(message)


# -- PostgreSQL: a primary and a streaming replica ---------------------------------------


class Postgres:
    """Clusters run as the `postgres` user when this runs as root (initdb refuses root)."""

    def __init__(self, folder: Path) -> None:
        bindir = find_pg_bindir()
        if bindir is None:
            raise ClusterTestFailure("PostgreSQL server binaries (initdb, pg_ctl) not found")
        # initdb may be a link on PATH; pg_basebackup sits beside the real one.
        self.bindir = (bindir / "initdb").resolve().parent
        self.folder = folder
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            self.prefix = ["runuser", "-u", "postgres", "--"]
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
        self.started: list[Path] = []

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.prefix, str(self.bindir / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self, data: Path, port: int) -> None:
        options = f"-c listen_addresses={LOOPBACK} -p {port} -k {self.folder}"
        self.run("pg_ctl", "-D", str(data), "-o", options, "-l", f"{data}.log", "-w", "start")
        self.started.append(data)

    def primary(self, port: int) -> str:
        data = self.folder / "primary"
        self.run("initdb", "-D", str(data), "-U", "newsroom", "-A", "trust", "--no-sync")
        self.start(data, port)
        with psycopg.connect(self.url(port, "postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE newsroom")
        return self.url(port)

    def replica(self, primary_port: int, port: int) -> str:
        data = self.folder / "replica"
        self.run(
            "pg_basebackup",
            *("-h", LOOPBACK, "-p", str(primary_port), "-U", "newsroom"),
            # -c fast: checkpoint now instead of waiting for a spread-out one.
            *("-D", str(data), "-R", "-X", "stream", "-c", "fast"),
        )
        self.start(data, port)
        # From now on a commit returns only once the replica has applied it, so no
        # reader is served the page from before a publish (docs/deploy.md: the choice).
        with psycopg.connect(self.url(primary_port), autocommit=True) as connection:
            connection.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
            connection.execute("ALTER SYSTEM SET synchronous_commit = 'remote_apply'")
            connection.execute("SELECT pg_reload_conf()")
        return self.url(port)

    @staticmethod
    def url(port: int, name: str = "newsroom") -> str:
        return f"postgres://newsroom@{LOOPBACK}:{port}/{name}"

    def stop_all(self) -> None:
        for data in reversed(self.started):
            with contextlib.suppress(subprocess.CalledProcessError):
                self.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")


def table_reads_and_writes(url: str, table: str) -> tuple[int, int]:
    """(rows read, rows inserted + updated) in one table, from the server's statistics."""
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0),"
            " n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relname = %s",
            [table],
        ).fetchone()
    if row is None:
        raise ClusterTestFailure(f"No statistics for {table} at {url}")
    return int(row[0]), int(row[1])


def article_id(stack: Stack) -> str:
    with psycopg.connect(stack.primary_url) as connection:
        row = connection.execute("SELECT id FROM articles_article WHERE slug = %s", [SLUG])
        return str(row.fetchone()[0])  # type: ignore[index]


# -- HTTP, as a browser would -------------------------------------------------------------


class Browser:
    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, url: str) -> tuple[int, str]:
        return self.request(urllib.request.Request(url))

    def request(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def post(self, url: str, fields: dict[str, str], files: dict[str, bytes] | None = None) -> int:
        """Submit a form found at `url` (its CSRF token added), like a person would."""
        status, page = self.get(url)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if match is None:
            raise ClusterTestFailure(f"No form at {url} ({status})")
        fields = {"csrfmiddlewaretoken": match.group(1), **fields}
        body, content_type = multipart(fields, files or {})
        request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
        return self.request(request)[0]


def multipart(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, data in files.items():
        header = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{name}.png"\r\nContent-Type: image/png\r\n\r\n'
        )
        parts.append(header.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# -- The stack ----------------------------------------------------------------------------


NGINX_CONF = """
daemon off;
pid {folder}/nginx.pid;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream newsroom {{
        server {app_a};
        server {app_b};
    }}
    server {{
        listen {listen};
        location / {{
            proxy_pass http://newsroom;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # A server that refuses connections or fails is skipped: readers are sent
            # to the other one (safe for GET; a POST is never sent twice).
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


class Stack:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen[bytes]] = []
        self.postgres = Postgres(folder / "pg")
        self.ports = {
            name: free_port()
            for name in ("primary", "replica", "redis", "s3", "app_a", "app_b", "nginx")
        }

    def database_url(self, name: str) -> str:
        return self.primary_url if name == "primary" else self.replica_url

    def url(self, name: str, path: str = "/") -> str:
        return f"http://{LOOPBACK}:{self.ports[name]}{path}"

    def launch(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        print(f"     {name} ({time.monotonic() - T0:.1f} s)", flush=True)
        log = self.folder / f"{name}.log"
        process = start(args, log=log, env=env)
        self.processes.append(process)
        if name in self.ports:
            wait_until_listening(self.ports[name], process, log=log)
        setattr(self, name, process)

    def environment(self) -> dict[str, str]:
        """Production settings (DEBUG off), but plain HTTP: there is no TLS on loopback."""
        return controlled_environment(
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=LOOPBACK,
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            DATABASE_URL=self.primary_url,
            DATABASE_REPLICA_URLS=self.replica_url,
            DATABASE_POOL="true",
            CACHE_URL=f"redis://{LOOPBACK}:{self.ports['redis']}/0",
            AWS_STORAGE_BUCKET_NAME=BUCKET,
            AWS_S3_ENDPOINT_URL=self.url("s3").rstrip("/"),
            AWS_S3_REGION_NAME=REGION,
            AWS_ACCESS_KEY_ID=S3_KEYS["access_key"],
            AWS_SECRET_ACCESS_KEY=S3_KEYS["secret_key"],
            # Renditions are left to the task workers, to prove they do the work.
            JOBS_RUN_AT_COMMIT="false",
            STATIC_ROOT=str(self.folder / "static"),
            LOG_LEVEL="WARNING",
        )

    def manage(self, *args: str) -> None:
        print(f"     manage.py {args[0]} ({time.monotonic() - T0:.1f} s)", flush=True)
        subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def up(self) -> None:
        self.primary_url = self.postgres.primary(self.ports["primary"])
        self.replica_url = self.postgres.replica(self.ports["primary"], self.ports["replica"])
        self.launch(
            "redis",
            ["redis-server", "--bind", LOOPBACK, "--port", str(self.ports["redis"])]
            + ["--save", "", "--appendonly", "no"],
        )
        self.processes.append(start_s3(self.ports["s3"], self.folder / "s3.log"))
        create_public_bucket(self.url("s3").rstrip("/"), BUCKET, REGION, **S3_KEYS)
        self.env = self.environment()
        # A deploy runs migrate once, on the primary, before any server takes traffic.
        self.manage("migrate", "--no-input")
        self.manage("collectstatic", "--no-input")
        self.manage("shell", "-c", SETUP_EDITOR_AND_DRAFT)
        for name in ("app_a", "app_b"):
            env = {**self.env, "GUNICORN_BIND": f"{LOOPBACK}:{self.ports[name]}"}
            env["WEB_CONCURRENCY"] = "2"
            self.launch(name, [str(BIN / "gunicorn"), "newsroom.wsgi"], env)
            worker = [PYTHON, "manage.py", "db_worker", "--worker-id", f"worker_{name}"]
            self.launch(f"worker_{name}", worker, self.env)
        conf = self.folder / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                folder=self.folder,
                app_a=f"{LOOPBACK}:{self.ports['app_a']}",
                app_b=f"{LOOPBACK}:{self.ports['app_b']}",
                listen=f"{LOOPBACK}:{self.ports['nginx']}",
            )
        )
        self.launch("nginx", ["nginx", "-c", str(conf), "-p", str(self.folder), "-e", "stderr"])
        print(f"Stack up in {time.monotonic() - T0:.1f} s: {self.ports}", flush=True)

    def down(self) -> None:
        for process in reversed(self.processes):
            stop(process)
        self.postgres.stop_all()


SETUP_EDITOR_AND_DRAFT = f"""
from django.contrib.auth.models import User
from articles.models import Article, Byline
from authors.models import Author
User.objects.create_superuser("{EDITOR}", "editor@example.com", "{PASSWORD}")
article = Article.objects.create(
    headline="{HEADLINE}", slug="{SLUG}", kind=Article.Kind.NEWS,
    standfirst="Written before the test, published during it.", body="A paragraph.",
)
Byline.objects.create(article=article, author=Author.objects.first(), position=0)
article.tags.add("Cluster")
"""


# -- The checks ---------------------------------------------------------------------------


def publish_through_a_visible_through_b_and_nginx(stack: Stack, editor: Browser) -> None:
    print("1. Publish through A, read through B and nginx", flush=True)
    reader = Browser()
    article = f"/articles/{SLUG}/"
    for server in ("app_b", "nginx"):
        check(reader.get(stack.url(server, article))[0] == 404, f"draft is 404 via {server}")
        # Fill the shared page cache with the home page as it is before the publish.
        home = html.unescape(reader.get(stack.url(server))[1])
        check(HEADLINE not in home, f"home page via {server} cached without it")
    status = editor.post(
        stack.url("app_a", "/admin/login/?next=/admin/"),
        {"username": EDITOR, "password": PASSWORD},
    )
    check(status == 200, f"editor logged in on A ({status})")
    editor.post(
        stack.url("app_a", "/admin/articles/article/"),
        {"action": "publish_selected", "_selected_action": article_id(stack)},
    )
    for server in ("app_b", "nginx"):
        status, page = reader.get(stack.url(server, article))
        check(status == 200 and HEADLINE in page, f"published article is live via {server}")
        home = reader.get(stack.url(server))[1]
        check(HEADLINE in html.unescape(home), f"home page via {server} lists it at once")


def reads_on_replica_writes_on_primary(stack: Stack, editor: Browser) -> None:
    print("2. Readers read from the replica, writes go to the primary", flush=True)
    table = "articles_article"

    def statistics() -> dict[str, tuple[int, int]]:
        # Pooled connections stay open: wait for their statistics to be flushed.
        time.sleep(STATS_FLUSH_SECONDS)
        return {db: table_reads_and_writes(stack.database_url(db), table) for db in DATABASES}

    def change(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> str:
        return ", ".join(
            f"{db} {after[db][0] - before[db][0]} read/{after[db][1] - before[db][1]} written"
            for db in DATABASES
        )

    start = statistics()
    reader = Browser()
    statuses = [reader.get(stack.url("nginx", f"/articles/{SLUG}/"))[0] for _ in range(READS)]
    check(statuses.count(200) == READS, f"{READS} reader requests through nginx answered 200")
    read = statistics()
    print(f"     {table} rows while readers read: {change(start, read)}", flush=True)
    check(read["replica"][0] - start["replica"][0] >= READS, "readers read from the replica")
    check(read["primary"] == start["primary"], "readers did not touch the primary")
    # The editor unpublishes and republishes through A.
    for action in ("unpublish_selected", "publish_selected"):
        editor.post(
            stack.url("app_a", "/admin/articles/article/"),
            {"action": action, "_selected_action": article_id(stack)},
        )
    written = statistics()
    print(f"     {table} rows while the editor worked: {change(read, written)}", flush=True)
    check(written["primary"][1] - read["primary"][1] >= 2, "the editor's writes hit the primary")
    check(written["replica"] == read["replica"], "the logged-in editor never used the replica")


DATABASES = ("primary", "replica")


def media_through_a_served_through_b(stack: Stack, editor: Browser) -> None:
    print("3. Media uploaded through A is served through B", flush=True)
    buffer = io.BytesIO()
    PILImage.new("RGB", (1200, 800), "#228844").save(buffer, format="PNG")
    upload = buffer.getvalue()
    status = editor.post(
        stack.url("app_a", "/admin/pictures/image/add/"),
        {"caption": "Cluster picture", "key": "cluster-picture", "alt_text": "A green field"},
        files={"file": upload},
    )
    check(status == 200, "image uploaded through A's admin")
    with psycopg.connect(stack.primary_url) as connection:
        image_id, name = connection.execute(
            "SELECT id, file FROM articles_image WHERE key = 'cluster-picture'"
        ).fetchone()  # type: ignore[misc]
        renditions = 0
        deadline = time.monotonic() + 60
        while renditions == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
            renditions = connection.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult"
                " WHERE task_path = 'pictures.renditions.make_renditions'"
                " AND status = 'SUCCESSFUL' AND worker_ids::text LIKE '%%worker_app_%%'"
                " AND args_kwargs->'kwargs'->>'image_id' = %s",
                [str(image_id)],
            ).fetchone()[0]  # type: ignore[index]
        made = connection.execute(
            "SELECT file FROM articles_rendition WHERE image_id = %s", [image_id]
        ).fetchall()
    check(renditions == 1 and len(made) > 0, f"a task worker made {len(made)} renditions")
    page = editor.get(stack.url("app_b", f"/admin/pictures/image/{image_id}/change/"))[1]
    original = f"{stack.url('s3').rstrip('/')}/{BUCKET}/{name}"
    check(original in page, "B's pages point at the upload in object storage")
    with urllib.request.urlopen(original, timeout=10) as response:
        check(response.read() == upload, "the upload is served from the bucket, unchanged")
    rendition = f"{stack.url('s3').rstrip('/')}/{BUCKET}/{made[0][0]}"
    with urllib.request.urlopen(rendition, timeout=10) as response:
        check(response.status == 200, "its renditions are served from the bucket too")


def one_app_server_down(stack: Stack) -> None:
    print("4. App server B killed: nginx keeps serving readers", flush=True)
    stop(stack.app_b)  # type: ignore[attr-defined]
    reader = Browser()
    paths = ["/", f"/articles/{SLUG}/", "/feed/", "/healthz/"]
    failures = 0
    started = time.monotonic()
    for number in range(OUTAGE_READS):
        if reader.get(stack.url("nginx", paths[number % len(paths)]))[0] != 200:
            failures += 1
    elapsed = time.monotonic() - started
    print(f"     {OUTAGE_READS} requests in {elapsed:.1f} s, {failures} failed", flush=True)
    check(failures == 0, "no reader request failed with one app server down")


@contextlib.contextmanager
def stack_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="newsroom-cluster-"))
    folder.chmod(0o755)  # the postgres user reaches its own folder inside
    (folder / "pg").mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    # Stopped from outside (CI's timeout, Ctrl-C): still clean up in the finally blocks.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    missing = [tool for tool in ("redis-server", "nginx") if not shutil.which(tool)]
    if missing:
        print(f"Missing {missing}: apt-get install redis-server nginx", file=sys.stderr)
        return 1
    with stack_folder() as folder:
        stack = Stack(folder)
        try:
            stack.up()
            editor = Browser()
            publish_through_a_visible_through_b_and_nginx(stack, editor)
            reads_on_replica_writes_on_primary(stack, editor)
            media_through_a_served_through_b(stack, editor)
            one_app_server_down(stack)
        except (ClusterTestFailure, subprocess.CalledProcessError, RuntimeError) as error:
            print(f"\nCluster test FAILED: {error}", file=sys.stderr)
            for log in sorted(folder.rglob("*.log")):
                print(f"--- {log.name} (last lines)\n{log.read_text()[-2000:]}", file=sys.stderr)
            return 1
        finally:
            stack.down()
    print("\nCluster test passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
