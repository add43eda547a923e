"""Helpers for the knowledge graph tests: the bundled corpus crawled into a real store, built."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from graph import persist
from graph.knowledge import Knowledge
from graph.model import Built, build
from graph.themes import Thesaurus
from ingest.crawl import Crawler
from ingest.fetch import Fetcher, MirrorFetcher
from ingest.sources import load_sources
from ingest.store import Store
from saferkg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "corpus" / "sources.toml"
STRUCTURE = ROOT / "corpus" / "structure.ttl"
MIRROR = ROOT / "corpus" / "sites"
#: Plan periods are judged on this day, so the answers do not change with the calendar.
TODAY = date(2022, 6, 1)
SETTINGS = Settings(delay=0)

_THESAURUS: list[Thesaurus] = []


def thesaurus() -> Thesaurus:
    """The bundled thesaurus, parsed once per test session."""
    if not _THESAURUS:
        _THESAURUS.append(Thesaurus.load())
    return _THESAURUS[0]


def crawl(data_dir: Path, *, sources: Path = SOURCES, fetcher: Fetcher | None = None) -> None:
    """Crawl every partner of ``sources`` (from the bundled mirror by default) into a store."""
    with Store.open(data_dir) as store:
        crawler = Crawler.from_settings(
            SETTINGS, store, fetcher or MirrorFetcher(MIRROR), check_links=False
        )
        result = crawler.crawl(load_sources(sources))
        assert not result.interrupted


def build_in(data_dir: Path, *, sources: Path = SOURCES, structure: Path = STRUCTURE) -> Built:
    """Build the graph from the store in ``data_dir``."""
    with Store.open(data_dir) as store:
        return build(
            store,
            structure_path=structure,
            sources_path=sources,
            thesaurus=thesaurus(),
            today=TODAY,
        )


_CRAWLED: dict[str, Path] = {}


def corpus_data(tmp_root: Path) -> Path:
    """A data directory with the bundled corpus crawled and its graph built (made once)."""
    if "corpus" not in _CRAWLED:
        data = tmp_root / "corpus-data"
        crawl(data)
        persist.write(build_in(data), data)
        _CRAWLED["corpus"] = data
    return _CRAWLED["corpus"]


def copy_data(src: Path, dst: Path) -> Path:
    """A private copy of a data directory (symlinks kept), for tests that change it."""
    shutil.copytree(src, dst, symlinks=True)
    return dst


def knowledge(data_dir: Path) -> Knowledge:
    return Knowledge.open(data_dir / "graph")


@contextmanager
def serve_pages(pages: dict[str, tuple[str, bytes]]) -> Iterator[str]:
    """Serve ``{path: (content type, body)}`` on a loopback port; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            page = pages.get(self.path.split("?", 1)[0])
            if page is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            ctype, body = page
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_HEAD(self) -> None:  # noqa: N802
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
