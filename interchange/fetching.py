"""Fetching an import's pictures from the addresses they were at (`import_articles
--fetch-media`), without letting an export aim the server at itself or its network.

A WordPress export is a file from elsewhere: its attachment addresses could name
http://127.0.0.1:6379/, a cloud's metadata service (169.254.169.254) or a host on the
office network (server-side request forgery). So each request:

- is http or https, on any port, to a host name or address;
- resolves the host here and refuses it unless every address it resolves to is a
  public one (not loopback, private, link-local, shared, reserved, multicast or
  unspecified), then connects to the address it checked (a second lookup by the HTTP
  library could answer otherwise: DNS rebinding);
- follows at most MAX_REDIRECTS redirects, each checked the same way;
- gives up after TIMEOUT seconds without an answer (connecting or reading) and after
  DEADLINE seconds in all, and past settings.MAX_IMAGE_UPLOAD_BYTES of body;
- keeps the file only if the upload rules accept it (pictures.images, checked by the
  caller).

`allowed` addresses are let through despite the rules: tests serve pictures from a
server of their own on loopback, which nothing else may reach. It is empty unless
settings.IMPORT_FETCH_ALLOWED_ADDRESSES lists some (no environment variable sets it).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import ipaddress
import socket
import ssl
import tempfile
import time
from collections.abc import Collection, Iterator
from contextvars import ContextVar
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

from django.conf import settings

TIMEOUT = 10  # seconds without an answer
DEADLINE = 60  # seconds for one picture, redirects included
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


class Refused(Exception):
    """Why a picture could not be fetched, in one line."""


def public_address(host: str, port: int, allowed: Collection[str]) -> str:
    """The address to connect to for `host`: every address it resolves to must be
    public (or `allowed`); the first is used."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"{host} could not be resolved ({error})") from None
    addresses = []
    for *_, sockaddr in found:
        # An IPv6 address comes with its zone ("fe80::1%eth0"): the address is before it.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if str(address) not in allowed and not address.is_global:
            raise Refused(f"{host} is at {address}, not a public address: refused")
        addresses.append(str(address))
    if not addresses:
        raise Refused(f"{host} could not be resolved")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a checked address, with the host's name in the Host header."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is checked against the host's name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def fetch(url: str, target: Path, *, allowed: Collection[str] = ()) -> None:
    """Download `url` into `target` under the rules above; Refused says why not."""
    started = time.monotonic()
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused(f"{url}: only http and https addresses are fetched")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise Refused(f"{url}: not a valid port") from None
        address = public_address(parts.hostname, port, allowed)
        kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = kind(parts.hostname, address, port, TIMEOUT)
        try:
            path = parts.path or "/"
            connection.request("GET", f"{path}?{parts.query}" if parts.query else path)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise Refused(f"{url}: a redirect without a Location")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise Refused(f"{url}: the server answered {response.status}")
            _save(response, target, url, started)
            return
        except (OSError, http.client.HTTPException) as error:
            raise Refused(f"{url}: {error or type(error).__name__}") from None
        finally:
            connection.close()
    raise Refused(f"{url}: more than {MAX_REDIRECTS} redirects")


def _save(response: http.client.HTTPResponse, target: Path, url: str, started: float) -> None:
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(f"{url}: {int(declared)} bytes, over the {limit}-byte limit")
    size = 0
    with target.open("wb") as out:
        while chunk := response.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise Refused(f"{url}: over the {limit}-byte limit")
            if time.monotonic() - started > DEADLINE:
                raise Refused(f"{url}: took more than {DEADLINE} seconds")
            out.write(chunk)


class MediaFetcher:
    """The pictures of one import, each fetched once into a temporary folder: the check
    pass fetches, the write pass (and a dry run's report) reads the same outcome."""

    def __init__(self, folder: Path, allowed: Collection[str]) -> None:
        self.folder = folder
        self.allowed = allowed
        self.outcomes: dict[str, Path | str] = {}

    def get(self, url: str) -> Path | str:
        """The fetched file, or why there is none."""
        if url not in self.outcomes:
            # Named by the address, with its extension: the upload rules read the name too.
            suffix = PurePosixPath(urlsplit(url).path).suffix.lower()[:8]
            target = self.folder / f"{hashlib.sha256(url.encode()).hexdigest()}{suffix}"
            try:
                fetch(url, target, allowed=self.allowed)
            except Refused as error:
                target.unlink(missing_ok=True)
                self.outcomes[url] = f"not fetched: {error}"
            else:
                self.outcomes[url] = target
        return self.outcomes[url]


_fetcher: ContextVar[MediaFetcher | None] = ContextVar("media_fetcher", default=None)


@contextlib.contextmanager
def fetching_media(enabled: bool) -> Iterator[None]:
    """While the import runs: pictures missing from the media folder are fetched from
    their addresses (when `enabled`), into a folder deleted at the end."""
    if not enabled:
        yield
        return
    allowed = frozenset(settings.IMPORT_FETCH_ALLOWED_ADDRESSES)
    with tempfile.TemporaryDirectory(prefix="import-media-") as folder:
        token = _fetcher.set(MediaFetcher(Path(folder), allowed))
        try:
            yield
        finally:
            _fetcher.reset(token)


def fetch_for_import(url: str) -> Path | str | None:
    """The picture at `url` fetched for the running import: its file, or why not; None
    when the import does not fetch."""
    fetcher = _fetcher.get()
    return None if fetcher is None else fetcher.get(url)
