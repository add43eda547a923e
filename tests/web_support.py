"""Fixtures' helpers for the web tests: data directories, a free port, the real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from ingest.model import Document, Section, content_hash
from ingest.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAFERKG = [sys.executable, "-c", "from saferkg.cli import main; main()"]

#: A crawled page that tries to inject markup; it must only ever be shown as text.
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> County lines exploitation'


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def saferkg(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real CLI on a data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFERKG_")}
    return subprocess.run(
        [*SAFERKG, "--data", str(data_dir), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def build_corpus(data_dir: Path) -> Path:
    """Crawl the bundled mirror offline and build the graph and the index into ``data_dir``."""
    for step in (("crawl",), ("build",)):
        done = saferkg(data_dir, *step)
        if done.returncode != 0:
            raise RuntimeError(f"saferkg {' '.join(step)} failed:\n{done.stdout}\n{done.stderr}")
    return data_dir


def _save(store: Store, url: str, title: str, body: bytes, section: Section, **extra: Any) -> str:
    """Save one hand-made example-csp document with its body; returns its URL."""
    kind = "pdf" if body.startswith(b"%PDF") else "html"
    store.save_document(
        Document(
            url=url,
            partner="example-csp",
            title=title,
            kind=kind,
            fetched_at="2024-05-01T10:00:00+00:00",
            sections=[section],
            content_hash=content_hash(body),
            content_type="application/pdf" if kind == "pdf" else "text/html",
            **extra,
        ),
        body=body,
    )
    return url


def small_store(data_dir: Path) -> Store:
    """A store of three hand-made documents: a plan, a hostile page and a PDF, with links."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(data_dir)
    plan = _save(
        store,
        "https://example.org/plan",
        "Community Safety Plan 2021-2024",
        b"<html><body><h1>Community Safety Plan 2021-2024</h1></body></html>",
        Section(
            "Our priorities",
            2,
            items=["Tackling domestic abuse", "Reducing anti-social behaviour"],
        ),
        period="2021-2024",
        period_start=2021,
        period_end=2024,
    )
    _save(
        store,
        "https://example.org/hostile",
        '<script>alert("title")</script> Hostile page',
        f"<html><body><p>{HOSTILE}</p></body></html>".encode(),
        Section("Exploitation", 2, paragraphs=[HOSTILE]),
    )
    pdf = _save(
        store,
        "https://example.org/strategy.pdf",
        "Strategy 2014-2017",
        b"%PDF-1.4\n% a tiny stand-in body\n%%EOF\n",
        Section("Priorities", 2, paragraphs=["Reduce fear of crime"]),
        period="2014-2017",
    )
    store.replace_links(
        plan,
        "example-csp",
        [
            (pdf, "Strategy 2017-20", True),
            ("https://example.org/gone", "Old plan", True),
        ],
    )
    store.set_link_status(pdf, category="ok", ok=True, status=200)
    store.set_link_status("https://example.org/gone", category="broken", ok=False, status=404)
    return store


@contextmanager
def serving(data_dir: Path, *extra: str) -> Iterator[str]:
    """The real app under waitress (``saferkg serve``) on a free loopback port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFERKG_")}
    proc = subprocess.Popen(
        [*SAFERKG, "--data", str(data_dir), "serve", "--port", str(port), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/api/about", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"saferkg serve did not start:\n{out}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
