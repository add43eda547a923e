"""PDF files into :class:`~ingest.model.Document` (pypdf).

pypdf gives the text of each page in reading order; a visitor on the same
pass tells the font size, the boldness and the position of every piece, so
the page can be read as lines with a style. From the lines:

- headings: lines in a font clearly larger than the body text (levels by
  size), short bold lines, short ALL CAPS lines, and numbered lines
  ("2. Our priorities", "3.1 Governance") in bold or a larger font;
- list items: lines starting with a bullet (•, -, the byte \\x7f some
  generators write for a bullet), "a.", "i.", "1." or "(1)", joined with the
  lines they wrap onto;
- tables: consecutive lines whose pieces stand apart in columns;
- paragraphs: the other lines, joined until a vertical gap, a heading or a
  line ending a sentence well short of the margin. A line ending in a hyphen
  is joined without a space and the hyphen is kept ("anti-" + "social").

Lines repeated at the top or bottom of most pages (running headers, "Page 3
of 12") are dropped. The title is the /Title metadata when it is a real
title, else the first heading. The published date is a date near the top of
the first page; the metadata dates only give ``updated`` (they change when a
file is re-saved, not when the plan was agreed).
"""

from __future__ import annotations

import io
import re
import statistics
import struct
import warnings
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.errors import (
    DependencyError,
    DeprecationError,
    FileNotDecryptedError,
    PdfReadWarning,
    PyPdfError,
)
from pypdf.generic import ArrayObject, DictionaryObject

from .dates import dated_document, find_dates, parse_date
from .errors import BrokenPdf
from .model import Document, Link, Section

# pypdf reports malformed objects with plain Python errors as well as its own
PYPDF_ERRORS: tuple[type[BaseException], ...] = (
    PyPdfError,
    DeprecationError,  # an obsolete filter name, e.g. a damaged "/FlateDecode"
    NotImplementedError,  # an unknown stream filter
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    AssertionError,
    ZeroDivisionError,
    RecursionError,
    OverflowError,
    struct.error,
    zlib.error,
)
MIN_TEXT_CHARS = 20  # fewer non-space characters than this in the whole file: no text layer

_BULLET = re.compile(r"^(?:[•●▪■◦‣○·\x7f\uf0b7\uf0a7\uf076\uf0d8\uf0fc*]|[-–](?=\s))\s*")
_ENUM = re.compile(r"^(?:\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]|\(\d{1,2}\)|\([a-z]\))\s+(?=\S)")
_NUMBERED_HEADING = re.compile(r"^(?:section\s+)?\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z(]")
_SUB_NUMBERED = re.compile(r"^\d{1,2}\.\d{1,2}\.?\s+[A-Z]")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:]")
_JUNK_TITLE = re.compile(
    r"^(?:microsoft\s+(?:word|powerpoint|excel)|untitled|document\d*|slide\s*\d*|title)\b"
    r"|\.(?:docx?|pdf|pptx?|xlsx?|rtf|odt|indd)$|^[\w\-. ]+_[\w\-. ]+$|^\W*$",
    re.IGNORECASE,
)
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_TERMINAL = (".", "!", "?", ":", ";")


@dataclass
class _Line:
    """One line of a page, with the style of its largest piece."""

    page: int
    text: str = ""
    size: float = 0.0
    bold: bool = True
    x: float | None = None
    y: float | None = None
    cells: list[str] = field(default_factory=list)
    _cell_end: float = 0.0

    def add(self, text: str, size: float, bold: bool, x: float, y: float) -> None:
        if not text.strip():
            self.text += text
            return
        if self.x is None:
            self.x, self.y = x, y
        self.size = max(self.size, size)
        self.bold = self.bold and bold
        # a piece starting well right of where the last one ended begins a new cell
        width = len(text.strip()) * size * 0.5
        if self.cells and x > self._cell_end + 1.5 * size and not _is_marker(self.cells[-1]):
            self.cells.append(text.strip())
        elif self.cells:
            self.cells[-1] = (self.cells[-1] + text).strip()
        else:
            self.cells.append(text.strip())
        self._cell_end = max(self._cell_end, x + width)
        self.text += text


def _is_marker(text: str) -> bool:
    """A list marker printed in its own cell ("•", "1.", "a)") before the item text."""
    text = text.strip()
    return bool(text) and (_BULLET.sub("", text) == "" or bool(_ENUM.match(text + " x")))


def _norm(text: str) -> str:
    return " ".join(text.replace("\x7f", "•").split())


def _page_lines(page: Any, number: int) -> list[_Line]:
    lines: list[_Line] = [_Line(number)]

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text:
            return
        scale_tm = (tm[1] ** 2 + tm[3] ** 2) ** 0.5 if tm else 1.0
        scale_cm = (cm[1] ** 2 + cm[3] ** 2) ** 0.5 if cm else 1.0
        eff = float(size) * (scale_tm or 1.0) * (scale_cm or 1.0)
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4] if tm and cm else 0.0
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5] if tm and cm else 0.0
        name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
        bold = bool(_BOLD_FONT.search(name))
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append(_Line(number))
            if part:
                lines[-1].add(part, eff, bold, x, y)

    page.extract_text(visitor_text=visit)
    out = []
    for line in lines:
        line.text = _norm(line.text)
        line.cells = [_norm(c) for c in line.cells if _norm(c)]
        if line.text:
            out.append(line)
    return out


def _drop_running_lines(pages: list[list[_Line]]) -> None:
    """Remove page numbers and headers/footers repeated on most pages."""
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = {re.sub(r"\d+", "#", ln.text) for ln in lines[:2] + lines[-2:]}
        counts.update(edge)
    threshold = max(2, len(pages) // 2 + 1)
    repeated = {t for t, n in counts.items() if n >= threshold}
    for i, lines in enumerate(pages):
        keep = []
        for j, ln in enumerate(lines):
            at_edge = j < 2 or j >= len(lines) - 2
            if at_edge and (
                _PAGE_NUMBER.match(ln.text) or re.sub(r"\d+", "#", ln.text) in repeated
            ):
                continue
            keep.append(ln)
        pages[i] = keep


class _Styles:
    """The body font size and the heading levels of a document."""

    def __init__(self, lines: list[_Line]) -> None:
        sizes: Counter[float] = Counter()
        for ln in lines:
            sizes[round(ln.size, 1)] += len(ln.text)
        self.body = sizes.most_common(1)[0][0] if sizes else 10.0
        bigger = sorted({s for s in sizes if s >= self.body * 1.15}, reverse=True)
        self.levels = {s: min(i + 1, 5) for i, s in enumerate(bigger)}
        self.minor = min(len(bigger) + 1, 6)  # level of bold or numbered body-size headings

    def heading_level(self, ln: _Line) -> int | None:
        text = ln.text
        if len(text) > 150 or _BULLET.match(text) or _PAGE_NUMBER.match(text):
            return None
        size = round(ln.size, 1)
        if size in self.levels and any(c.isalnum() for c in text):
            return self.levels[size]  # "2020-2023" on its own line under a big title
        letters = [c for c in text if c.isalpha()]
        if len(letters) < 2:
            return None
        if size in self.levels:
            return self.levels[size]
        if text.endswith((".", ",", ";")) or len(text) > 90 or len(ln.cells) >= 2:
            return None
        if ln.bold and size >= self.body * 0.95 and not text.endswith(":"):
            return self.minor
        if _SUB_NUMBERED.match(text) and len(text) <= 70:
            return self.minor
        if len(letters) >= 4 and text.upper() == text and len(text) <= 60 and not _ENUM.match(text):
            return self.minor
        return None


def _is_item_start(text: str) -> bool:
    return bool(_BULLET.match(text) or _ENUM.match(text))


def _item_text(text: str) -> str:
    return _ENUM.sub("", _BULLET.sub("", text, count=1), count=1).strip()


def _join(a: str, b: str) -> str:
    if a.endswith("-") and b[:1].islower():
        return a + b  # keep the hyphen: "anti-" + "social" is "anti-social"
    return f"{a} {b}"


class _Builder:
    def __init__(self) -> None:
        self.sections: list[Section] = [Section(None, 0, page=1)]
        self.para: list[str] = []
        self.items: list[str] = []
        self.ordered = False
        self.rows: list[list[str]] = []

    @property
    def current(self) -> Section:
        return self.sections[-1]

    def flush(self) -> None:
        if self.para:
            text = self.para[0]
            for nxt in self.para[1:]:
                text = _join(text, nxt)
            self.current.add_paragraph(text)
            self.para = []
        if self.items:
            self.current.add_list(self.items, ordered=self.ordered)
            self.items = []
        if self.rows:
            if len(self.rows) >= 2:
                self.current.add_table(self.rows)
            else:
                self.current.add_paragraph(" ".join(self.rows[0]))
            self.rows = []

    def heading(self, text: str, level: int, page: int) -> None:
        self.flush()
        cur = self.current
        # a heading wrapped onto two lines in the same style
        if cur.heading and not cur.blocks and cur.level == level and cur.page == page:
            if not _NUMBERED_HEADING.match(text):
                cur.heading = _join(cur.heading, text)
                return
        self.sections.append(Section(text, level, page=page))


def _build(pages: list[list[_Line]], styles: _Styles) -> list[Section]:
    out = _Builder()
    pitch = _line_pitch(pages, styles.body)
    prev: _Line | None = None
    item_x: float | None = None
    typical_len = _typical_length(pages)
    for lines in pages:
        for ln in lines:
            gap = (
                prev is not None
                and prev.page == ln.page
                and prev.y is not None
                and ln.y is not None
                and (prev.y - ln.y) > pitch * 1.45
            )
            level = styles.heading_level(ln)
            numbered = _NUMBERED_HEADING.match(ln.text)
            if level is None and numbered and (ln.bold or ln.size > styles.body * 1.05):
                level = styles.minor
            if level is not None:
                out.heading(ln.text, level, ln.page)
                item_x = None
            elif _is_item_start(ln.text):
                if out.para or out.rows:
                    out.flush()
                ordered = not _BULLET.match(ln.text)
                if out.items and ordered != out.ordered:
                    out.flush()
                out.ordered = ordered
                out.items.append(_item_text(ln.text))
                item_x = ln.x
            elif len(ln.cells) >= 2 and not out.items:
                if out.para:
                    out.flush()
                out.rows.append(ln.cells)
            elif out.items and not gap and _continues_item(ln, item_x, out.items[-1]):
                out.items[-1] = _join(out.items[-1], ln.text)
            else:
                if out.items or out.rows:
                    out.flush()
                if out.para and (gap or _ends_paragraph(out.para[-1], typical_len)):
                    out.flush()
                elif out.para and prev is not None and prev.page != ln.page:
                    if out.para[-1].endswith(_TERMINAL) and not ln.text[:1].islower():
                        out.flush()
                out.para.append(ln.text)
            prev = ln
    out.flush()
    return [s for s in out.sections if s.heading or s.blocks]


def _continues_item(ln: _Line, item_x: float | None, last: str) -> bool:
    if ln.x is not None and item_x is not None:
        if ln.x > item_x + 1:
            return True  # hanging indent under the bullet
        if ln.x < item_x - 1:
            return False  # back at the margin: a new paragraph
    return ln.text[:1].islower() or not last.endswith(_TERMINAL)


def _ends_paragraph(last: str, typical_len: int) -> bool:
    return last.endswith((".", "!", "?", ":")) and len(last) < typical_len * 0.8


def _typical_length(pages: list[list[_Line]]) -> int:
    lengths = sorted(len(ln.text) for lines in pages for ln in lines)
    return lengths[int(len(lengths) * 0.9)] if lengths else 80


def _line_pitch(pages: list[list[_Line]], body: float) -> float:
    gaps = []
    for lines in pages:
        for a, b in zip(lines, lines[1:], strict=False):
            if a.y is not None and b.y is not None and 0 < a.y - b.y < body * 3:
                gaps.append(a.y - b.y)
    return statistics.median(gaps) if gaps else body * 1.3


def _pdf_date(value: Any) -> str | None:
    text = str(value or "")
    m = re.match(r"^(?:D:)?(\d{4})(\d{2})(\d{2})", text)
    if m:
        return parse_date(f"{m[1]}-{m[2]}-{m[3]}")
    return parse_date(text)


def _meaningful_title(title: str, author: str) -> bool:
    title = title.strip()
    return (
        len(title) >= 4
        and sum(c.isalpha() for c in title) >= 4
        and not _JUNK_TITLE.search(title)
        and title.lower() != author.strip().lower()
    )


def _annotation_links(reader: PdfReader) -> list[Link]:
    links: list[Link] = []
    for page in reader.pages:
        annots = page.get("/Annots")
        try:
            annots = annots.get_object() if annots is not None else None
            if not isinstance(annots, ArrayObject):
                continue
            for ref in annots:
                annot = ref.get_object()
                action = annot.get("/A") if isinstance(annot, DictionaryObject) else None
                action = action.get_object() if action is not None else None
                if isinstance(action, DictionaryObject) and action.get("/URI"):
                    links.append(Link(str(action["/URI"]).strip()))
        except PYPDF_ERRORS:
            continue  # a broken annotation loses its link, not the document
    return links


def _open(body: bytes, url: str) -> PdfReader:
    if not body.lstrip()[:5] == b"%PDF-":
        raise BrokenPdf(f"{url}: not a PDF (no %PDF- header)")
    if b"%%EOF" not in body[-2048:]:
        raise BrokenPdf(f"{url}: truncated PDF (no end-of-file marker)")
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except DependencyError as e:
                raise BrokenPdf(f"{url}: encrypted PDF, cannot decrypt: {e}") from e
            if not decrypted:
                raise BrokenPdf(f"{url}: encrypted PDF (a password is needed to read it)")
        len(reader.pages)  # reads the page tree: fails here on a broken one
    except FileNotDecryptedError as e:
        raise BrokenPdf(f"{url}: encrypted PDF (a password is needed to read it)") from e
    except PYPDF_ERRORS as e:
        raise BrokenPdf(f"{url}: corrupt PDF: {e}") from e
    return reader


def extract_pdf(
    body: bytes,
    url: str,
    *,
    partner: str = "",
    fetched_at: str = "",
) -> Document:
    """Extract a PDF; raises BrokenPdf when it is encrypted, corrupt or has no text layer."""
    with warnings.catch_warnings():
        # pypdf warns about every recoverable oddity; the result says what was read
        warnings.simplefilter("ignore", PdfReadWarning)
        reader = _open(body, url)
        pages: list[list[_Line]] = []
        failures: list[str] = []
        for number, page in enumerate(reader.pages, 1):
            try:
                pages.append(_page_lines(page, number))
            except PYPDF_ERRORS as e:
                failures.append(f"page {number}: {e}")
                pages.append([])
        try:
            meta: dict[str, Any] = dict(reader.metadata or {})
        except PYPDF_ERRORS:
            meta = {}
        links = _annotation_links(reader)

    chars = sum(len(ln.text.replace(" ", "")) for lines in pages for ln in lines)
    if chars < MIN_TEXT_CHARS:
        if failures:
            raise BrokenPdf(f"{url}: corrupt PDF: {failures[0]}")
        raise BrokenPdf(f"{url}: no text layer (a scanned or image-only PDF)")

    first_page = [ln.text for ln in pages[0][:25]] if pages else []
    _drop_running_lines(pages)
    styles = _Styles([ln for lines in pages for ln in lines])
    sections = _build(pages, styles)

    raw_title = str(meta.get("/Title") or "")
    author = str(meta.get("/Author") or "")
    headings = [s.heading for s in sections if s.heading]
    if _meaningful_title(raw_title, author):
        title = " ".join(raw_title.split())
    else:
        top = [s for s in sections if s.heading and s.page == 1]
        best = min(top, key=lambda s: s.level) if top else None
        title = best.heading if best and best.heading else (headings[0] if headings else "")
        if not title:
            title = first_page[0] if first_page else url.rstrip("/").rsplit("/", 1)[-1]

    updated = _pdf_date(meta.get("/ModDate")) or _pdf_date(meta.get("/CreationDate"))
    published = next(iter(find_dates("\n".join(first_page))), None)

    seen = {link.url for link in links}
    for lines in pages:
        for ln in lines:
            for m in _URL.finditer(ln.text):
                if m.group(0) not in seen:
                    seen.add(m.group(0))
                    links.append(Link(m.group(0)))
    unique: dict[str, Link] = {}
    for link in links:
        if link.url.startswith(("http://", "https://")):
            unique.setdefault(link.url, link)

    return dated_document(
        "pdf",
        url,
        title,
        (published, updated),
        sections,
        list(unique.values()),
        partner=partner,
        fetched_at=fetched_at,
        pages=len(pages),
    )
