"""Fetchers: the live web over httpx, or the bundled offline mirror.

Both give the crawler and the link checker the same :class:`Response`, and
raise only :mod:`ingest.errors` exceptions: third-party errors are translated
here, where they enter.

    >>> with httpx.Client() as client:                     # doctest: +SKIP
    ...     fetcher = HttpFetcher(client, user_agent="saferkg/0.1")
    ...     fetcher.fetch("https://www.example.gov.uk/csp/").status
    200
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from .errors import (
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    NotArchived,
    TooLarge,
    TooManyRedirects,
)
from .mirror import sniff_type, url_to_path

if TYPE_CHECKING:
    from saferkg.settings import Settings

#: How much of a GET body the link checker reads to recognise a bot wall.
PROBE_BYTES = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class Response:
    """What a fetch returned, after redirects."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    content_type: str = ""  # sniffed from the bytes, then the header, then the path
    redirects: list[str] = field(default_factory=list)  # every URL redirected through
    not_modified: bool = False
    elapsed_ms: float = 0.0

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def declared_type(self) -> str:
        """The Content-Type header as sent (charset included)."""
        return self.headers.get("content-type", "")


class Fetcher(Protocol):
    """Fetches URLs for the crawler and checks links."""

    live: bool

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """GET a URL; a 304 answer to the validators gives ``not_modified``."""
        ...

    def head(self, url: str, *, method: str = "HEAD") -> Response:
        """Check a URL without reading its body; any status is returned, never raised."""
        ...


class HttpFetcher:
    """Fetches over HTTP with an injected ``httpx.Client``; redirects are followed by hand."""

    live = True

    def __init__(
        self,
        client: httpx.Client,
        *,
        user_agent: str,
        max_bytes: int = 25_000_000,
        max_redirects: int = 5,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
    ) -> None:
        self.client = client
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
        )

    @classmethod
    def from_settings(cls, settings: Settings, client: httpx.Client | None = None) -> HttpFetcher:
        """A fetcher configured from the settings (a new client unless one is given)."""
        return cls(
            client if client is not None else httpx.Client(),
            user_agent=settings.user_agent,
            max_bytes=settings.max_bytes,
            max_redirects=settings.max_redirects,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        )

    def close(self) -> None:
        self.client.close()

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """GET with the size limit; 4xx/5xx raise HttpStatusError."""
        headers = {"Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        resp = self._request("GET", url, headers, read=self.max_bytes, strict=True)
        if resp.status == 304 and (etag or last_modified):
            resp.not_modified = True
            return resp
        if resp.status >= 400:
            raise HttpStatusError(f"{url} answered HTTP {resp.status}", url=url, status=resp.status)
        return resp

    def head(self, url: str, *, method: str = "HEAD") -> Response:
        """HEAD (or a GET that reads only enough to spot a bot wall); the status is data."""
        read = PROBE_BYTES if method == "GET" else 0
        return self._request(method, url, {}, read=read, strict=False)

    def _request(
        self, method: str, url: str, headers: dict[str, str], *, read: int, strict: bool
    ) -> Response:
        start = time.monotonic()
        seen = [url]
        current = url
        headers = {"User-Agent": self.user_agent, **headers}
        while True:
            status, resp_headers, body = self._send(
                method, current, headers, read=read, strict=strict
            )
            if status in _REDIRECTS and "location" in resp_headers:
                target = urljoin(current, resp_headers["location"].strip())
                target = target.split("#", 1)[0]
                if target in seen:
                    raise TooManyRedirects(
                        f"{url} redirects in a loop (back to {target})", url=url, status=status
                    )
                if len(seen) > self.max_redirects:
                    raise TooManyRedirects(
                        f"{url} redirects more than {self.max_redirects} times",
                        url=url,
                        status=status,
                    )
                if urlsplit(target).scheme not in ("http", "https"):
                    raise FetchError(f"{url} redirects to a non-http URL {target}", url=url)
                if status == 303 and method != "HEAD":
                    method = "GET"
                seen.append(target)
                current = target
                continue
            break
        declared = resp_headers.get("content-type", "")
        return Response(
            url=url,
            final_url=current,
            status=status,
            headers=resp_headers,
            body=body,
            content_type=sniff_type(body, declared, urlsplit(current).path),
            redirects=seen[1:],
            elapsed_ms=(time.monotonic() - start) * 1000.0,
        )

    def _send(
        self, method: str, url: str, headers: dict[str, str], *, read: int, strict: bool
    ) -> tuple[int, dict[str, str], bytes]:
        """One request, errors translated; reads at most ``read`` bytes of the body.

        ``strict`` (a real fetch) makes an oversized body an error; a probe just stops reading.
        """
        try:
            with self.client.stream(
                method, url, headers=headers, timeout=self.timeout, follow_redirects=False
            ) as r:
                resp_headers = {k.lower(): v for k, v in r.headers.items()}
                status = r.status_code
                if method == "HEAD" or read <= 0 or status in _REDIRECTS or status == 304:
                    return status, resp_headers, b""
                length = resp_headers.get("content-length", "")
                if strict and status < 400 and length.isdigit() and int(length) > read:
                    raise TooLarge(
                        f"{url} is {int(length):,} bytes, over the {read:,} byte limit", url=url
                    )
                chunks: list[bytes] = []
                total = 0
                # Counting too: Content-Length may be missing or wrong.
                for chunk in r.iter_bytes():
                    chunks.append(chunk)
                    total += len(chunk)
                    if total > read:
                        if strict and status < 400:
                            raise TooLarge(f"{url} sent more than the {read:,} byte limit", url=url)
                        break
                return status, resp_headers, b"".join(chunks)[:read]
        except httpx.TimeoutException as e:
            kind = "connecting" if isinstance(e, httpx.ConnectTimeout) else "reading"
            limit_s = self.connect_timeout if kind == "connecting" else self.read_timeout
            raise FetchTimeout(f"{url}: timed out {kind} (limit {limit_s:g}s)", url=url) from e
        except httpx.ConnectError as e:
            raise ConnectFailed(f"{url}: cannot connect ({_reason(e)})", url=url) from e
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as e:
            raise FetchError(f"{url}: not a fetchable URL ({e})", url=url) from e
        except httpx.HTTPError as e:
            raise FetchError(f"{url}: {type(e).__name__}: {_reason(e)}", url=url) from e


def _reason(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    lowered = text.lower()
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "DNS: host not found"
    if "connection refused" in lowered:
        return "connection refused"
    return text


class MirrorFetcher:
    """Reads the bundled offline mirror (``corpus/sites``) as if it were the web."""

    live = False

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_of(self, url: str) -> Path:
        return self.root / url_to_path(url)

    def has(self, url: str) -> bool:
        """Whether the mirror holds a copy of the URL."""
        return self.path_of(url).is_file()

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """The mirrored copy; NotArchived when there is none."""
        start = time.monotonic()
        path = self.path_of(url)
        try:
            body = path.read_bytes()
            mtime = path.stat().st_mtime
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as e:
            raise NotArchived(f"{url} is not in the offline mirror", url=url) from e
        except OSError as e:
            raise FetchError(f"{url}: cannot read the mirror copy: {e.strerror}", url=url) from e
        headers = {"last-modified": formatdate(mtime, usegmt=True)}
        return Response(
            url=url,
            final_url=url,
            status=200,
            headers=headers,
            body=body,
            content_type=sniff_type(body, "", str(path)),
            elapsed_ms=(time.monotonic() - start) * 1000.0,
        )

    def head(self, url: str, *, method: str = "HEAD") -> Response:
        """200 when the mirror has the URL; NotArchived otherwise."""
        if not self.has(url):
            raise NotArchived(f"{url} is not in the offline mirror", url=url)
        return Response(url=url, final_url=url, status=200)
