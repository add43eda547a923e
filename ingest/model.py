"""The one document model shared by the HTML and PDF extractors.

A fetched page or PDF becomes a :class:`Document`: its sections keep the
structure that priorities live in (headings with levels, paragraphs, list
items, table rows), so downstream code never has to re-parse the original.

    >>> doc = Document(url="https://example.org/plan", partner="x", title="Plan", kind="html")
    >>> doc.sections.append(Section(heading="Our priorities", level=2, items=["ASB"]))
    >>> "ASB" in doc.text
    True
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any


class Section:
    """A heading and the blocks under it, in reading order.

    ``level`` is 1-6 for a heading, 0 for text before the first heading.
    ``blocks`` keeps the order of paragraphs, lists and tables; the
    ``paragraphs``/``items``/``rows`` properties are views over it.
    A block is ``{"type": "p", "text": str}``, ``{"type": "list", "ordered":
    bool, "items": [str]}`` or ``{"type": "table", "rows": [[str]]}``.
    """

    def __init__(
        self,
        heading: str | None = None,
        level: int = 0,
        *,
        paragraphs: list[str] | None = None,
        items: list[str] | None = None,
        rows: list[list[str]] | None = None,
        blocks: list[dict[str, Any]] | None = None,
        page: int | None = None,
    ) -> None:
        self.heading = heading
        self.level = level
        self.page = page  # first PDF page the section starts on
        self.blocks: list[dict[str, Any]] = list(blocks or [])
        for p in paragraphs or []:
            self.blocks.append({"type": "p", "text": p})
        if items:
            self.blocks.append({"type": "list", "ordered": False, "items": list(items)})
        if rows:
            self.blocks.append({"type": "table", "rows": [list(r) for r in rows]})

    def add_paragraph(self, text: str) -> None:
        self.blocks.append({"type": "p", "text": text})

    def add_list(self, items: list[str], *, ordered: bool = False) -> None:
        self.blocks.append({"type": "list", "ordered": ordered, "items": list(items)})

    def add_table(self, rows: list[list[str]]) -> None:
        self.blocks.append({"type": "table", "rows": [list(r) for r in rows]})

    @property
    def paragraphs(self) -> list[str]:
        return [b["text"] for b in self.blocks if b["type"] == "p"]

    @property
    def items(self) -> list[str]:
        return [i for b in self.blocks if b["type"] == "list" for i in b["items"]]

    @property
    def lists(self) -> list[list[str]]:
        return [list(b["items"]) for b in self.blocks if b["type"] == "list"]

    @property
    def rows(self) -> list[list[str]]:
        return [r for b in self.blocks if b["type"] == "table" for r in b["rows"]]

    @property
    def text(self) -> str:
        """Plain text of the section body (heading excluded), blocks separated by newlines."""
        out: list[str] = []
        for b in self.blocks:
            if b["type"] == "p":
                out.append(b["text"])
            elif b["type"] == "list":
                out.extend(b["items"])
            elif b["type"] == "table":
                out.extend(" | ".join(c for c in r if c) for r in b["rows"])
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "level": self.level,
            "page": self.page,
            "blocks": self.blocks,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Section:
        return cls(
            d.get("heading"), d.get("level", 0), blocks=d.get("blocks", []), page=d.get("page")
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Section) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Section(heading={self.heading!r}, level={self.level}, blocks={len(self.blocks)})"


@dataclass
class Link:
    """A hyperlink found in a document: absolute target URL and its anchor text."""

    url: str
    anchor: str = ""


@dataclass
class Document:
    """An extracted document: what the graph and the index are built from.

    ``period`` is the plan period as written ("2021-2024"), with
    ``period_start``/``period_end`` as years when one was found.
    ``published``/``updated`` are ISO dates (YYYY-MM-DD) or None.
    """

    url: str
    partner: str
    title: str
    kind: str  # "html" | "pdf"
    fetched_at: str = ""  # ISO 8601 UTC timestamp
    published: str | None = None
    updated: str | None = None
    period: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    content_hash: str = ""  # sha256 of the raw body
    content_type: str = ""
    pages: int | None = None  # PDF page count
    language: str = "en"

    @property
    def text(self) -> str:
        """All text, headings included, in reading order."""
        parts: list[str] = [self.title]
        for s in self.sections:
            if s.heading:
                parts.append(s.heading)
            body = s.text
            if body:
                parts.append(body)
        return "\n".join(p for p in parts if p)

    def lead(self, limit: int = 2000) -> str:
        """The opening paragraphs (no lists or tables), up to ``limit`` characters.

        A plan states its own period up front; periods further down, and in
        lists or tables, usually name other documents (a link list of plans).
        """
        out: list[str] = []
        size = 0
        for s in self.sections:
            for p in s.paragraphs:
                out.append(p)
                size += len(p)
                if size >= limit:
                    return "\n".join(out)[:limit]
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["sections"] = [s.to_dict() for s in self.sections]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        d = dict(d)
        d["sections"] = [Section.from_dict(s) for s in d.get("sections", [])]
        d["links"] = [Link(**link) for link in d.get("links", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})

    @classmethod
    def from_json(cls, s: str) -> Document:
        return cls.from_dict(json.loads(s))


def content_hash(body: bytes) -> str:
    """The hash that decides whether a document changed."""
    return hashlib.sha256(body).hexdigest()
