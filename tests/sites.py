"""A real HTTP server on 127.0.0.1 serving a small partner site for the crawler tests.

Routes are plain data (:class:`Page`) in a dict the test may change while
the server runs (to make a page change, vanish or start refusing us); every
request is logged so a test can tell what was fetched, and how.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.store import Store


@dataclass
class Page:
    """One route: status, headers and body; optional ETag support and a delay."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: float | None = None  # epoch seconds
    sleep: float = 0.0
    head_status: int | None = None  # a different answer to HEAD (e.g. 405)
    send_length: bool = True
    interrupt: bool = False  # once: deliver SIGINT to the main thread, like Ctrl-C


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    status: int


class Site:
    """The routes and the request log of a running server."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.base = ""
        self.refused_url = ""  # a link to a port nothing listens on

    def url(self, path: str) -> str:
        return self.base + path

    def gets(self, path: str) -> list[Hit]:
        """GET requests for a path."""
        with self.lock:
            return [h for h in self.hits if h.path == path and h.method == "GET"]

    def fetched(self) -> list[str]:
        with self.lock:
            return [h.path for h in self.hits if h.method == "GET"]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output quiet

        def do_GET(self) -> None:  # noqa: N802
            self._answer(head=False)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(head=True)

        def _answer(self, *, head: bool) -> None:
            page = site.pages.get(self.path)
            if page is None:
                page = Page(b"<html><body><h1>Not found</h1></body></html>", status=404)
            status = page.status
            if head and page.head_status is not None:
                status = page.head_status
            if page.interrupt and not head:
                page.interrupt = False
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
                time.sleep(0.2)  # let the interrupt land while the client waits
            if page.sleep:
                time.sleep(page.sleep)
            not_modified = False
            if status == 200 and page.etag is not None:
                not_modified = self.headers.get("If-None-Match") == page.etag
            if status == 200 and page.last_modified is not None and not page.etag:
                not_modified = self.headers.get("If-Modified-Since") == formatdate(
                    page.last_modified, usegmt=True
                )
            if not_modified:
                status = 304
            with site.lock:
                site.hits.append(
                    Hit("HEAD" if head else "GET", self.path, dict(self.headers), status)
                )
            self.send_response(status)
            for name, value in page.headers.items():
                self.send_header(name, value)
            if page.etag is not None:
                self.send_header("ETag", page.etag)
            if page.last_modified is not None:
                self.send_header("Last-Modified", formatdate(page.last_modified, usegmt=True))
            if status == 304:
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_header("Content-Type", page.content_type)
            if page.send_length:
                self.send_header("Content-Length", str(len(page.body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if not head:
                try:
                    self.wfile.write(page.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (size limit): expected

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client hung up early (size limit, probe): expected here
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve(site: Site) -> Iterator[Site]:
    """Run the site on an ephemeral loopback port for the duration of the block."""
    server = _Server(("127.0.0.1", 0), _handler(site))
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def refused_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The fixtures carry their names apart from the functions' so that a test module
# can import them and still name its parameters `site` and `store`.
@pytest.fixture(name="site")
def site_fixture() -> Iterator[Site]:
    """The partner site served on loopback."""
    with serve(partner_site(refused_port())) as s:
        yield s


@pytest.fixture(name="store")
def store_fixture(tmp_path: Path) -> Iterator[Store]:
    """A fresh store in the test's temporary directory."""
    with Store.open(tmp_path / "data") as s:
        yield s


def make_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A small text PDF, made the way council PDFs are: a title, then paragraphs."""
    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for p in paragraphs:
        pdf.multi_cell(0, 6, p, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def html(title: str, body: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    ).encode()


def partner_site(refused: int) -> Site:
    """The fixture site: a CSP section under /csp/ with every case the crawler must handle."""
    site = Site()
    site.refused_url = f"http://127.0.0.1:{refused}/plan.html"
    links = [
        ("/csp/plan.html", "Community Safety Plan"),
        ("/csp/strategy.pdf", "Strategy (PDF)"),
        ("/csp/moved", "Old plan address"),
        ("/csp/loop-a", "Loop"),
        ("/csp/gone", "Gone"),
        ("/csp/missing.html", "Missing"),
        ("/csp/error.html", "Server error"),
        ("/csp/slow.html", "Slow page"),
        ("/csp/big.html", "Big page"),
        ("/csp/cp1252.html", "Windows page"),
        ("/csp/etag.html", "Conditional page"),
        ("/csp/private/secret.html", "Private"),
        ("/csp/forbidden.html", "Forbidden"),
        ("/csp/ratelimited.html", "Rate limited"),
        ("/csp/noheadplease.html", "HEAD refused"),
        ("/csp/minutes.docx", "Minutes (Word)"),
        ("/elsewhere/news.html", "Elsewhere"),
        (f"http://127.0.0.1:{refused}/plan.html", "Refused"),
        ("http://nonexistent.invalid/plan.html", "No such host"),
        ("mailto:csp@example.org", "Email us"),
        ("/csp/plan.html#priorities", "Our priorities"),
    ]
    items = "".join(f"<li><a href='{href}'>{text}</a></li>" for href, text in links)
    site.pages["/robots.txt"] = Page(
        b"User-agent: *\nDisallow: /csp/private/\n", content_type="text/plain"
    )
    site.pages["/csp/"] = Page(
        html(
            "Safer Example Partnership",
            "<h2>Our priorities</h2><p>Reducing anti-social behaviour and domestic abuse.</p>"
            f"<ul>{items}</ul>",
        )
    )
    site.pages["/csp/plan.html"] = Page(
        html(
            "Community Safety Plan 2021-2024",
            "<h2>Priorities</h2><ul><li>Domestic abuse</li><li>County lines</li></ul>"
            "<p><a href='deeper.html'>Deeper page</a></p>",
        )
    )
    site.pages["/csp/deeper.html"] = Page(
        html("Deeper", "<p><a href='deepest.html'>Deepest</a></p>")
    )
    site.pages["/csp/deepest.html"] = Page(html("Deepest", "<p>Too deep to reach.</p>"))
    site.pages["/csp/strategy.pdf"] = Page(
        make_pdf(
            "Community Safety Strategy 2022-2025",
            ["Priority one: tackling serious violence.", "Priority two: hate crime."],
        ),
        content_type="application/pdf",
    )
    site.pages["/csp/moved"] = Page(status=301, headers={"Location": "/csp/current.html"})
    site.pages["/csp/current.html"] = Page(html("Current plan", "<p>Moved here.</p>"))
    site.pages["/csp/loop-a"] = Page(status=302, headers={"Location": "/csp/loop-b"})
    site.pages["/csp/loop-b"] = Page(status=302, headers={"Location": "/csp/loop-a"})
    site.pages["/csp/gone"] = Page(html("Gone", "<p>Removed.</p>"), status=410)
    site.pages["/csp/error.html"] = Page(html("Error", "<p>Oops.</p>"), status=500)
    site.pages["/csp/slow.html"] = Page(html("Slow", "<p>Slow.</p>"), sleep=1.5)
    site.pages["/csp/big.html"] = Page(html("Big", "<p>" + "x" * 300_000 + "</p>"))
    site.pages["/csp/cp1252.html"] = Page(
        (
            "<!DOCTYPE html><html><head><meta charset='windows-1252'>"
            "<title>Caf\u00e9 culture \u2013 night-time economy</title></head>"
            "<body><h1>Caf\u00e9 culture \u2013 night-time economy</h1>"
            "<p>\u00a3250,000 for \u201csafer streets\u201d.</p></body></html>"
        ).encode("cp1252"),
        content_type="text/html; charset=windows-1252",
    )
    site.pages["/csp/etag.html"] = Page(
        html("Conditional", "<p>Version one.</p>"), etag='"v1"', last_modified=1_600_000_000
    )
    site.pages["/csp/private/secret.html"] = Page(html("Secret", "<p>Private.</p>"))
    site.pages["/csp/forbidden.html"] = Page(html("Forbidden", "<p>No.</p>"), status=403)
    site.pages["/csp/ratelimited.html"] = Page(
        html("Slow down", "<p>Too many requests.</p>"), status=429
    )
    site.pages["/csp/noheadplease.html"] = Page(
        html("No HEAD", "<p>Only GET.</p>"), head_status=405
    )
    site.pages["/csp/minutes.docx"] = Page(b"PK\x03\x04", content_type="application/msword")
    site.pages["/elsewhere/news.html"] = Page(html("News", "<p>Out of scope.</p>"))
    return site


def sources_toml(site: Site, *, max_depth: int = 2, extra: str = "") -> str:
    """A sources file with one partner crawling the fixture site's /csp/ section."""
    return (
        "[[partner]]\n"
        'id = "safer-example"\n'
        'name = "Safer Example Partnership"\n'
        'type = "CSP"\n'
        'area = "Example"\n'
        f'start = ["{site.url("/csp/")}"]\n'
        f"max_depth = {max_depth}\n" + extra
    )
