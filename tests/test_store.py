"""The store file: versions kept, WAL, schema version, reopening, resumable runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ingest.errors import StoreError
from ingest.model import Document, Section, content_hash
from ingest.store import SCHEMA_VERSION, Store


def doc(body: bytes, title: str = "Plan") -> Document:
    d = Document(url="https://example.org/plan", partner="p", title=title, kind="html")
    d.sections.append(Section("Priorities", 2, items=[body.decode()]))
    d.content_hash = content_hash(body)
    return d


def test_new_changed_unchanged_and_versions_kept(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        assert store.save_document(doc(b"one"), body=b"one", etag='"1"') == "new"
        assert store.save_document(doc(b"one"), body=b"one") == "unchanged"
        assert store.save_document(doc(b"two", "Plan v2"), body=b"two") == "changed"
        current = store.document("https://example.org/plan")
        assert current is not None and current.title == "Plan v2"
        versions = store.versions("https://example.org/plan")
        assert [v["content_hash"] for v in versions] == [content_hash(b"one")]
        assert store.body(content_hash(b"one")) == ("", b"one")  # the original is kept
        assert store.validators("https://example.org/plan")["content_hash"] == content_hash(b"two")


def test_wal_mode_schema_version_and_reopening(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.save_document(doc(b"one"), body=b"one")
    with Store.open(tmp_path) as again:
        assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert again.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [d.url for d in again.documents()] == ["https://example.org/plan"]


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "saferkg.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this saferkg"):
        Store(path)


def test_frontier_resumes_where_it_stopped(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        run = store.begin_run("live", "opts")
        assert store.enqueue(run, "p", "https://e.org/a", 0)
        assert not store.enqueue(run, "p", "https://e.org/a", 1)
        store.enqueue(run, "p", "https://e.org/b", 1)
        store.mark_done(run, "https://e.org/a")
    with Store.open(tmp_path) as store:
        assert store.unfinished_run("live", "opts") == run
        assert store.unfinished_run("live", "other") is None
        assert store.pending(run) == [("p", "https://e.org/b", 1)]
        store.finish_run(run)
        assert store.unfinished_run("live", "opts") is None
