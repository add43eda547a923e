"""The text sources of the mirror (``corpus/text/*.md``): a ``---`` header and a light markdown body.

The format is described in build_mirror.py, which renders these sources into
the offline mirror; this module only reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

#: Every source is published under the Open Government Licence; both renderers say so.
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OGL_LINE = "Contains public sector information licensed under the Open Government Licence v3.0."

_LIST_RE = re.compile(
    r"^(?P<indent> *)(?P<marker>- |\d+\. |[a-z]\) |\([a-z]\) |\([ivx]+\) |[ivx]+\. |[a-z]\. )(?P<text>.*)$"
)
LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]+(?: [^)]+)*)\)")


@dataclass
class Block:
    """One block of a source body: heading, paragraph, list item, table, break or note."""

    kind: str  # h1..h4, p, li, table, pagebreak, note
    text: str = ""
    marker: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    """A parsed text source: its header fields and body blocks."""

    path: Path
    meta: dict[str, str]
    blocks: list[Block]

    @property
    def url(self) -> str:
        return self.meta["url"]

    @property
    def published(self) -> date:
        return date.fromisoformat(self.meta["published"])


def parse_source(path: Path) -> Source:
    """Read one text source into its header and blocks."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ValueError(f"{path}: missing the '---' header")
    header, _, body = text[4:].partition("\n---\n")
    meta: dict[str, str] = {}
    for lineno, line in enumerate(header.splitlines(), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"{path}:{lineno}: header line without 'key: value'")
        meta[key.strip()] = value.strip()
    for key in ("url", "format", "title", "published"):
        if key not in meta:
            raise ValueError(f"{path}: header has no '{key}'")
    return Source(path, meta, parse_body(body))


def parse_body(body: str) -> list[Block]:
    """Split a light-markdown body into blocks."""
    blocks: list[Block] = []
    current: Block | None = None  # a paragraph or list item that may continue
    for raw in body.splitlines():
        line = raw.rstrip()
        if not line.strip():
            current = None
            continue
        stripped = line.strip()
        heading = re.match(r"^(#{1,4}) (.*)$", stripped)
        item = _LIST_RE.match(line)
        if heading:
            blocks.append(Block(f"h{len(heading.group(1))}", heading.group(2).strip()))
            current = None
        elif stripped == "::: pagebreak":
            blocks.append(Block("pagebreak"))
            current = None
        elif stripped.startswith("::: note "):
            blocks.append(Block("note", stripped[len("::: note ") :]))
            current = None
        elif stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
                continue
            if blocks and blocks[-1].kind == "table" and current is blocks[-1]:
                blocks[-1].rows.append(cells)
            else:
                blocks.append(Block("table", rows=[cells]))
            current = blocks[-1]
        elif item:
            level = len(item.group("indent")) // 2
            blocks.append(
                Block("li", item.group("text").strip(), item.group("marker").strip(), level)
            )
            current = blocks[-1]
        elif current is not None and current.kind in ("p", "li"):
            current.text += " " + stripped
        else:
            blocks.append(Block("p", stripped))
            current = blocks[-1]
    return blocks


def plain(text: str) -> str:
    """Inline markup removed: links keep their text."""
    return LINK_RE.sub(lambda m: m.group(1), text)


def load_sources(text_dir: Path) -> list[Source]:
    """Every text source, sorted by file name."""
    return [parse_source(p) for p in sorted(text_dir.glob("*.md"))]
