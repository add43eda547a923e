"""The document store: one SQLite file (WAL) in the data directory.

Tables (schema version in ``PRAGMA user_version``):

- ``documents``: the current version of every extracted document, as JSON
  plus the columns that are filtered on; ``document_versions`` keeps every
  earlier version of a changed document.
- ``bodies``: raw bodies by content hash, so the original can be shown and
  re-extracted without fetching again.
- ``runs``, ``frontier``: crawl runs and their queues, so an interrupted crawl
  resumes where it stopped.
- ``fetch_log``: every fetch attempt with status, outcome, error and duration.
- ``links``: every link found (source page, target, anchor text, in scope);
  ``link_status``: the last health check of each target, cached between runs.

    >>> store = Store(":memory:")
    >>> store.save_document(doc, body=b"...")   # doctest: +SKIP
    'new'
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import StoreError
from .model import Document

SCHEMA_VERSION = 1
STORE_FILE = "saferkg.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    url TEXT PRIMARY KEY,
    partner TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    fetched_at TEXT NOT NULL,
    published TEXT,
    period TEXT,
    period_start INTEGER,
    period_end INTEGER,
    content_hash TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    etag TEXT,
    last_modified TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_partner ON documents(partner);
CREATE TABLE IF NOT EXISTS document_versions (
    url TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (url, version)
);
CREATE TABLE IF NOT EXISTS bodies (
    content_hash TEXT PRIMARY KEY,
    content_type TEXT NOT NULL DEFAULT '',
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,           -- running | finished | interrupted
    options TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS frontier (
    run_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    partner TEXT NOT NULL,
    depth INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, url)
);
CREATE TABLE IF NOT EXISTS fetch_log (
    id INTEGER PRIMARY KEY,
    run_id INTEGER,
    url TEXT NOT NULL,
    partner TEXT NOT NULL,
    status INTEGER,
    outcome TEXT NOT NULL,          -- fetched | changed | unchanged | failed | robots | out_of_scope | not_archived
    error TEXT,
    duration_ms REAL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fetch_log_run ON fetch_log(run_id);
CREATE TABLE IF NOT EXISTS links (
    source_url TEXT NOT NULL,
    target_url TEXT NOT NULL,
    anchor TEXT NOT NULL DEFAULT '',
    partner TEXT NOT NULL,
    in_scope INTEGER NOT NULL,
    PRIMARY KEY (source_url, target_url, anchor)
);
CREATE INDEX IF NOT EXISTS links_target ON links(target_url);
CREATE TABLE IF NOT EXISTS link_status (
    url TEXT PRIMARY KEY,
    ok INTEGER,
    status INTEGER,
    category TEXT NOT NULL,         -- ok | redirect | broken | blocked | unsure | not_archived
    error TEXT,
    final_url TEXT,
    checked_at TEXT NOT NULL
);
"""


def utcnow() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Store:
    """A connection to the store file; create it with :meth:`open` or a path."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open store {self.path}: {e}") from e
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    @classmethod
    def open(cls, data_dir: str | Path) -> Store:
        """Open (creating if needed) the store in a data directory."""
        d = Path(data_dir)
        d.mkdir(parents=True, exist_ok=True)
        return cls(d / STORE_FILE)

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} has schema version {version}, newer than this "
                f"saferkg ({SCHEMA_VERSION}); upgrade saferkg"
            )
        if version < SCHEMA_VERSION:
            # executescript() commits any open transaction first, so the script holds its own.
            self.db.executescript(
                f"BEGIN IMMEDIATE;\n{_SCHEMA}\nPRAGMA user_version={SCHEMA_VERSION};\nCOMMIT;"
            )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # -- runs and the resumable frontier ---------------------------------

    def begin_run(self, mode: str, options: str = "") -> int:
        cur = self.db.execute(
            "INSERT INTO runs(started_at, mode, status, options) VALUES (?, ?, 'running', ?)",
            (utcnow(), mode, options),
        )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str = "finished") -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, status=? WHERE id=?", (utcnow(), status, run_id)
        )

    def unfinished_run(self, mode: str, options: str = "") -> int | None:
        """The latest run with the same mode and options that never finished."""
        row = self.db.execute(
            "SELECT id FROM runs WHERE mode=? AND options=? AND status!='finished' "
            "ORDER BY id DESC LIMIT 1",
            (mode, options),
        ).fetchone()
        return int(row["id"]) if row else None

    def resume_run(self, run_id: int) -> None:
        """Mark an unfinished run as running again (it is being resumed)."""
        self.db.execute("UPDATE runs SET status='running', finished_at=NULL WHERE id=?", (run_id,))

    def last_run(self) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return dict(row) if row else None

    def enqueue(self, run_id: int, partner: str, url: str, depth: int) -> bool:
        """Add a URL to a run's queue; False when it was already there."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO frontier(run_id, url, partner, depth, seq) "
            "VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM frontier WHERE run_id=?))",
            (run_id, url, partner, depth, run_id),
        )
        return cur.rowcount > 0

    def pending(self, run_id: int, partner: str | None = None) -> list[tuple[str, str, int]]:
        """Queued, not yet done (partner, url, depth) in the order they were queued."""
        sql = "SELECT partner, url, depth FROM frontier WHERE run_id=? AND done=0"
        args: list[Any] = [run_id]
        if partner is not None:
            sql += " AND partner=?"
            args.append(partner)
        rows = self.db.execute(sql + " ORDER BY seq", args).fetchall()
        return [(r["partner"], r["url"], r["depth"]) for r in rows]

    def mark_done(self, run_id: int, url: str) -> None:
        self.db.execute("UPDATE frontier SET done=1 WHERE run_id=? AND url=?", (run_id, url))

    def done_count(self, run_id: int, partner: str) -> int:
        row = self.db.execute(
            "SELECT COUNT(*) FROM frontier WHERE run_id=? AND partner=? AND done=1",
            (run_id, partner),
        ).fetchone()
        return int(row[0])

    # -- documents ---------------------------------------------------------

    def validators(self, url: str) -> dict[str, Any] | None:
        """ETag, Last-Modified and content hash of the stored version, for conditional requests."""
        row = self.db.execute(
            "SELECT etag, last_modified, content_hash FROM documents WHERE url=?", (url,)
        ).fetchone()
        return dict(row) if row else None

    def save_document(
        self,
        doc: Document,
        *,
        body: bytes | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> str:
        """Store a document; returns "new", "changed" or "unchanged".

        A changed document's previous version moves to ``document_versions``.
        """
        with self.transaction():
            row = self.db.execute(
                "SELECT content_hash, version, fetched_at, data FROM documents WHERE url=?",
                (doc.url,),
            ).fetchone()
            if row is not None and row["content_hash"] == doc.content_hash:
                self.db.execute(
                    "UPDATE documents SET etag=COALESCE(?, etag), "
                    "last_modified=COALESCE(?, last_modified) WHERE url=?",
                    (etag, last_modified, doc.url),
                )
                return "unchanged"
            version = 1
            if row is not None:
                version = row["version"] + 1
                self.db.execute(
                    "INSERT OR REPLACE INTO document_versions(url, version, content_hash, "
                    "fetched_at, data) VALUES (?, ?, ?, ?, ?)",
                    (doc.url, row["version"], row["content_hash"], row["fetched_at"], row["data"]),
                )
            if body is not None:
                self.db.execute(
                    "INSERT OR IGNORE INTO bodies(content_hash, content_type, body) VALUES (?, ?, ?)",
                    (doc.content_hash, doc.content_type, body),
                )
            self.db.execute(
                "INSERT OR REPLACE INTO documents(url, partner, title, kind, content_type, "
                "fetched_at, published, period, period_start, period_end, content_hash, version, "
                "etag, last_modified, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.url,
                    doc.partner,
                    doc.title,
                    doc.kind,
                    doc.content_type,
                    doc.fetched_at or utcnow(),
                    doc.published,
                    doc.period,
                    doc.period_start,
                    doc.period_end,
                    doc.content_hash,
                    version,
                    etag,
                    last_modified,
                    doc.to_json(),
                ),
            )
            return "new" if row is None else "changed"

    def remove_document(self, url: str) -> bool:
        """Drop a document from the current set (its versions stay)."""
        with self.transaction():
            row = self.db.execute(
                "SELECT content_hash, version, fetched_at, data FROM documents WHERE url=?", (url,)
            ).fetchone()
            if row is None:
                return False
            self.db.execute(
                "INSERT OR REPLACE INTO document_versions(url, version, content_hash, fetched_at, "
                "data) VALUES (?, ?, ?, ?, ?)",
                (url, row["version"], row["content_hash"], row["fetched_at"], row["data"]),
            )
            self.db.execute("DELETE FROM documents WHERE url=?", (url,))
            return True

    def document(self, url: str) -> Document | None:
        row = self.db.execute("SELECT data FROM documents WHERE url=?", (url,)).fetchone()
        return Document.from_json(row["data"]) if row else None

    def documents(self, partner: str | None = None) -> Iterator[Document]:
        """Every current document (optionally one partner's), ordered by URL."""
        sql, args = "SELECT data FROM documents", []
        if partner is not None:
            sql, args = sql + " WHERE partner=?", [partner]
        for row in self.db.execute(sql + " ORDER BY url", args):
            yield Document.from_json(row["data"])

    def document_summaries(self, partner: str | None = None) -> list[dict[str, Any]]:
        """Light rows for listings: url, partner, title, kind, period, fetched_at, hash, version."""
        sql = (
            "SELECT url, partner, title, kind, period, period_start, period_end, published, "
            "fetched_at, content_hash, version FROM documents"
        )
        args: list[Any] = []
        if partner is not None:
            sql, args = sql + " WHERE partner=?", [partner]
        return [dict(r) for r in self.db.execute(sql + " ORDER BY partner, url", args)]

    def document_hashes(self) -> dict[str, str]:
        """url -> content hash of every current document (for incremental rebuilds)."""
        return {r[0]: r[1] for r in self.db.execute("SELECT url, content_hash FROM documents")}

    def versions(self, url: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT version, content_hash, fetched_at FROM document_versions WHERE url=? "
            "ORDER BY version",
            (url,),
        )
        return [dict(r) for r in rows]

    def body(self, content_hash: str) -> tuple[str, bytes] | None:
        row = self.db.execute(
            "SELECT content_type, body FROM bodies WHERE content_hash=?", (content_hash,)
        ).fetchone()
        return (row["content_type"], bytes(row["body"])) if row else None

    # -- fetch log -----------------------------------------------------------

    def log_fetch(
        self,
        run_id: int | None,
        url: str,
        partner: str,
        outcome: str,
        *,
        status: int | None = None,
        error: str | None = None,
        duration_ms: float | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO fetch_log(run_id, url, partner, status, outcome, error, duration_ms, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, url, partner, status, outcome, error, duration_ms, utcnow()),
        )

    def run_outcomes(self, run_id: int, partner: str) -> list[dict[str, Any]]:
        """One partner's fetch log rows (url, outcome, status, error) in a run, in order."""
        rows = self.db.execute(
            "SELECT url, outcome, status, error FROM fetch_log WHERE run_id=? AND partner=? "
            "ORDER BY id",
            (run_id, partner),
        )
        return [dict(r) for r in rows]

    def fetch_log(self, run_id: int | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM fetch_log", []
        if run_id is not None:
            sql, args = sql + " WHERE run_id=?", [run_id]
        return [dict(r) for r in self.db.execute(sql + " ORDER BY id", args)]

    # -- links and their health ----------------------------------------------

    def replace_links(
        self, source_url: str, partner: str, links: Iterable[tuple[str, str, bool]]
    ) -> None:
        """Record the links found on a page: (target url, anchor text, in scope)."""
        with self.transaction():
            self.db.execute("DELETE FROM links WHERE source_url=?", (source_url,))
            self.db.executemany(
                "INSERT OR IGNORE INTO links(source_url, target_url, anchor, partner, in_scope) "
                "VALUES (?, ?, ?, ?, ?)",
                [(source_url, t, a, partner, int(s)) for t, a, s in links],
            )

    def link_targets(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT target_url FROM links ORDER BY 1")]

    def set_link_status(
        self,
        url: str,
        *,
        category: str,
        ok: bool | None,
        status: int | None = None,
        error: str | None = None,
        final_url: str | None = None,
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO link_status(url, ok, status, category, error, final_url, "
            "checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (url, None if ok is None else int(ok), status, category, error, final_url, utcnow()),
        )

    def link_status(self, url: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM link_status WHERE url=?", (url,)).fetchone()
        return dict(row) if row else None

    def links_report(self, *, only_problems: bool = False) -> list[dict[str, Any]]:
        """One row per link target: its last check, the pages it was found on, an anchor."""
        rows = self.db.execute(
            "SELECT l.target_url, l.source_url, l.anchor, l.partner, l.in_scope, s.ok, s.status, "
            "s.category, s.error, s.final_url, s.checked_at FROM links l "
            "LEFT JOIN link_status s ON s.url = l.target_url ORDER BY l.target_url, l.source_url"
        ).fetchall()
        out: dict[str, dict[str, Any]] = {}
        for r in rows:
            item = out.get(r["target_url"])
            if item is None:
                item = out[r["target_url"]] = {
                    "url": r["target_url"],
                    "ok": None if r["ok"] is None else bool(r["ok"]),
                    "status": r["status"],
                    "category": r["category"] or "unchecked",
                    "error": r["error"],
                    "final_url": r["final_url"],
                    "checked_at": r["checked_at"],
                    "in_scope": bool(r["in_scope"]),
                    "anchor": r["anchor"],
                    "anchors": [],
                    "found_on": [],
                    "partners": [],
                }
            if r["source_url"] not in item["found_on"]:
                item["found_on"].append(r["source_url"])
            if r["anchor"] and r["anchor"] not in item["anchors"]:
                item["anchors"].append(r["anchor"])
                if not item["anchor"]:
                    item["anchor"] = r["anchor"]
            if r["partner"] not in item["partners"]:
                item["partners"].append(r["partner"])
        result = list(out.values())
        if only_problems:
            result = [i for i in result if i["category"] not in ("ok", "unchecked")]
        return result

    def links_from(self, source_url: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT target_url, anchor, in_scope FROM links WHERE source_url=? ORDER BY rowid",
            (source_url,),
        )
        return [dict(r) for r in rows]

    def urls_by_partner(self) -> dict[str, set[str]]:
        """Every URL each partner's crawls tried (fetched, failed or not archived)."""
        out: dict[str, set[str]] = {}
        for partner, url in self.db.execute("SELECT DISTINCT partner, url FROM fetch_log"):
            out.setdefault(partner, set()).add(url)
        return out

    def counts(self) -> dict[str, int]:
        q = self.db.execute
        return {
            "documents": q("SELECT COUNT(*) FROM documents").fetchone()[0],
            "partners": q("SELECT COUNT(DISTINCT partner) FROM documents").fetchone()[0],
            "links": q("SELECT COUNT(DISTINCT target_url) FROM links").fetchone()[0],
            "versions": q("SELECT COUNT(*) FROM document_versions").fetchone()[0],
        }


def timed() -> float:
    """A monotonic clock in milliseconds, for fetch durations."""
    return time.monotonic() * 1000.0
