"""A SQLite FTS5 baseline over the same records, used only by bench/search.py.

It indexes the same passages (porter tokenizer), ranks with bm25 (title and
heading weighted as in the whoosh schema), groups passages per document and
makes snippets with snippet(), so the benchmark compares like with like.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .index import records


class Fts5Index:
    """Build with :meth:`build`, query with :meth:`search`."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.db = sqlite3.connect(self.path)

    def close(self) -> None:
        self.db.close()

    def build(self, docs: Iterable[Any]) -> int:
        """Index documents (ingest.model.Document); returns the number of records."""
        db = self.db
        db.executescript(
            "DROP TABLE IF EXISTS rec; "
            "CREATE VIRTUAL TABLE rec USING fts5(title, section, text, doc_url UNINDEXED, "
            "partner UNINDEXED, kind UNINDEXED, tokenize='porter unicode61');"
        )
        n = 0
        with db:
            for doc in docs:
                rows = [
                    (
                        r.get("title", ""),
                        r["section"],
                        r["text"],
                        r["doc_url"],
                        r["partner"],
                        r["kind"],
                    )
                    for r in records(doc)
                ]
                db.executemany("INSERT INTO rec VALUES (?,?,?,?,?,?)", rows)
                n += len(rows)
        db.execute("INSERT INTO rec(rec) VALUES ('optimize')")
        db.commit()
        return n

    def search(self, q: str, *, limit: int = 10) -> dict[str, Any]:
        """Grouped hits with snippets, a total of matching documents and partner counts."""
        match = _match(q)
        if not match:
            return {"total": 0, "hits": [], "facets": {}}
        db = self.db
        partners = db.execute(
            "SELECT partner, COUNT(DISTINCT doc_url) FROM rec WHERE rec MATCH ? GROUP BY partner",
            (match,),
        ).fetchall()
        total = sum(n for _, n in partners)
        rows = db.execute(
            "SELECT doc_url, bm25(rec, 3.0, 2.0, 1.0) AS score, "
            "snippet(rec, 2, '<mark>', '</mark>', '…', 24) FROM rec WHERE rec MATCH ? "
            "ORDER BY score LIMIT ?",
            (match, limit * 4),
        ).fetchall()
        hits: dict[str, dict[str, Any]] = {}
        for url, score, snippet in rows:
            hit = hits.setdefault(url, {"url": url, "score": -score, "passages": []})
            hit["passages"].append(snippet)
        return {
            "total": total,
            "hits": list(hits.values())[:limit],
            "facets": {"partner": dict(partners)},
        }


def _match(q: str) -> str:
    """Plain words joined with AND, phrases kept: the subset of syntax both engines share."""
    parts = re.findall(r'"[^"]+"|[\w*]+', q)
    out = []
    for p in parts:
        if p in ("AND", "OR", "NOT"):
            out.append(p)
        elif p.startswith('"'):
            out.append(p)
        else:
            word = p.rstrip("*")
            if word:
                out.append(f'"{word}"' + ("*" if p.endswith("*") else ""))
    # FTS5 needs an operand on both sides of a binary operator.
    while out and out[0] in ("AND", "OR", "NOT"):
        out.pop(0)
    while out and out[-1] in ("AND", "OR", "NOT"):
        out.pop()
    return " ".join(out)
