"""HTML pages into :class:`~ingest.model.Document`.

The page is decoded (HTTP charset, ``<meta charset>``, BOM, then UTF-8 or
windows-1252), parsed with lxml's forgiving HTML parser (used directly: the
same parse through BeautifulSoup was 5-10 times slower on menu-heavy council
pages, below the 100 documents/s aim of bench/extract.py), and read twice:

- the whole page, site chrome included, for links and dates (partner links
  often sit in footers and side panels, "Page last updated" in the footer);
- the main content only, chrome removed, for the title and the sections.

Sections follow the headings h1-h6. A short bold-only line, or a line such as
"Priority 1: Safer streets", acts as a heading one level below the last real
heading. Nested lists are flattened: a parent item is followed by its
children as items of the same list, written "parent: child" so that each
item still reads on its own. Definition lists become list items
"term: definition". Tables become rows of cell texts, except layout tables
(holding headings or other tables), whose cells are read as ordinary content.

    >>> doc = extract_html(b"<title>Plan - Some Council</title><main><h2>Aims</h2><ul><li>ASB</li></ul></main>",
    ...                    "https://example.org/plan")
    >>> doc.title, doc.sections[0].heading, doc.sections[0].items
    ('Plan', 'Aims', ['ASB'])
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import html as lxml_html

from .dates import dated_document, parse_date
from .errors import ExtractError
from .htmlclean import (
    BLOCK_TAGS,
    DROP_TAGS,
    HEADINGS,
    VISIBLE_TEXT,
    decode_html,
    flat_text,
    main_content,
    norm,
    own_text,
    parse_html,
    strip_chrome,
)
from .htmllinks import page_links
from .model import Document, Section

__all__ = ["decode_html", "extract_html", "norm"]

BOLD_TAGS = {"b", "strong"}
_TITLE_SEP = re.compile(r"\s+(?:\||-|–|—|::|»|·)\s+")
_PSEUDO_HEADING = re.compile(
    r"^(?:strategic\s+)?(?:priority|objective|theme|outcome|aim|goal|workstream|strand)\s+"
    r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|[a-h])\s*[:.)–—-]\s*\S",
    re.IGNORECASE,
)
_BULLET_LINE = re.compile(r"^[•·▪◦●■‣\u2043\u25e6]\s*")


def _labelled(labels: str) -> re.Pattern[str]:
    """A date label ("last updated", "published") and the 40 characters after it, where its date is."""
    return re.compile(rf"(?:{labels})(?:\s+on)?\s*[:\-–]?\s*(.{{0,40}})", re.IGNORECASE)


_UPDATED_TEXT = _labelled(r"last\s+(?:updated|modified|reviewed|revised)|\bupdated|\breviewed")
_PUBLISHED_TEXT = _labelled(r"date\s+published|first\s+published|\bpublished|\bposted|\bissued")
META_PUBLISHED = tuple(
    "article:published_time og:published_time dc.date.issued dcterms.issued "
    "dc.date.created dcterms.created dc.date dcterms.date citation_publication_date "
    "pubdate publish-date date".split()
)
META_UPDATED = tuple(
    "article:modified_time og:updated_time dcterms.modified dc.date.modified "
    "last-modified modified revised".split()
)


# ---------------------------------------------------------------- meta tags and dates


def _meta(root: lxml_html.HtmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("http-equiv") or "").strip().lower()
        value = (m.get("content") or "").strip()
        if key and value and key not in out:
            out[key] = value
    return out


def _labelled_date(label: re.Pattern[str], text: str) -> str | None:
    """The first date written after a label in the page text."""
    return next((d for m in label.finditer(text) if (d := parse_date(m.group(1)))), None)


def _dates(
    root: lxml_html.HtmlElement, meta: dict[str, str], page_text: str
) -> tuple[str | None, str | None]:
    published = next((d for k in META_PUBLISHED if (d := parse_date(meta.get(k)))), None)
    updated = next((d for k in META_UPDATED if (d := parse_date(meta.get(k)))), None)
    for t in root.iter("time"):
        value = parse_date(t.get("datetime")) or parse_date(flat_text(t))
        if not value:
            continue
        parent = t.getparent()
        context = flat_text(parent if parent is not None else t).lower()
        if any(w in context for w in ("updated", "modified", "reviewed")):
            updated = updated or value
        else:
            published = published or value
    if updated is None:
        updated = _labelled_date(_UPDATED_TEXT, page_text)
    if published is None:
        published = _labelled_date(_PUBLISHED_TEXT, page_text)
    return published, updated


# ---------------------------------------------------------------- sections


class _Builder:
    """Collects sections in reading order."""

    def __init__(self) -> None:
        self.sections: list[Section] = [Section(None, 0)]
        self.last_level = 1

    @property
    def current(self) -> Section:
        return self.sections[-1]

    def heading(self, text: str, level: int, *, pseudo: bool = False) -> None:
        if not text:
            return
        if not pseudo:
            self.last_level = level
        elif self.current.heading and not self.current.blocks and self.current.level < level:
            level = self.current.level + 1
        self.sections.append(Section(text, level))

    def paragraph(self, text: str) -> None:
        if text:
            self.current.add_paragraph(text)

    def items(self, items: list[str], ordered: bool) -> None:
        items = [i for i in items if i]
        if items:
            self.current.add_list(items, ordered=ordered)

    def table(self, rows: list[list[str]]) -> None:
        rows = [r for r in rows if any(r)]
        if rows:
            self.current.add_table(rows)

    def result(self) -> list[Section]:
        return [s for s in self.sections if s.heading or s.blocks]


def _is_pseudo_heading(text: str, bold: bool) -> bool:
    if not text or len(text) > 120:
        return False
    if _PSEUDO_HEADING.match(text) and text.count(". ") == 0:
        return True
    return bold and len(text) <= 90 and not text.endswith((".", ",", ";")) and text.count(". ") == 0


def _inline_lines(el: lxml_html.HtmlElement, start: str | None) -> Iterator[tuple[str, bool]]:
    """Lines of inline content split at <br>, each with "every word is bold"."""
    pieces: list[tuple[str, bool]] = []
    if start:
        pieces.append((start, False))

    def walk(node: lxml_html.HtmlElement, bold: bool) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "br":
            pieces.append(("\n", bold))
        elif tag and tag not in DROP_TAGS:
            bold = bold or tag in BOLD_TAGS
            if node.text:
                pieces.append((node.text, bold))
            for c in node:
                walk(c, bold)
                if c.tail:
                    pieces.append((c.tail, bold))

    for child in el:
        walk(child, False)
        if child.tail:
            pieces.append((child.tail, False))
    yield from _split_lines(pieces)


def _split_lines(pieces: list[tuple[str, bool]]) -> Iterator[tuple[str, bool]]:
    line: list[str] = []
    all_bold = True
    for text, bold in pieces:
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i:
                yield norm("".join(line)), all_bold
                line, all_bold = [], True
            line.append(part)
            if part.strip() and not bold:
                all_bold = False
    yield norm("".join(line)), all_bold


def _emit_lines(lines: Iterator[tuple[str, bool]], out: _Builder) -> None:
    para: list[str] = []
    bullets: list[str] = []

    def flush() -> None:
        if para:
            out.paragraph(" ".join(para))
            para.clear()
        if bullets:
            out.items(list(bullets), False)
            bullets.clear()

    for text, bold in lines:
        if not text:
            continue
        if _BULLET_LINE.match(text):
            if para:
                out.paragraph(" ".join(para))
                para.clear()
            bullets.append(_BULLET_LINE.sub("", text))
        elif _is_pseudo_heading(text, bold):
            flush()
            out.heading(text.rstrip(":").strip(), min(6, out.last_level + 1), pseudo=True)
        else:
            if bullets:
                flush()
            para.append(text)
    flush()


def _list_items(el: lxml_html.HtmlElement, items: list[str]) -> None:
    for li in el:
        if not isinstance(li.tag, str):
            continue
        if li.tag in ("ul", "ol"):  # a list directly inside a list (invalid, common)
            _list_items(li, items)
            continue
        nested = [c for c in li.iter("ul", "ol") if c is not li]
        if not nested:
            items.append(flat_text(li))
            continue
        # the item's own text without its sub-lists, then the sub-items
        own = [li.text or ""]
        for c in li:
            if isinstance(c.tag, str) and c.tag not in ("ul", "ol"):
                own.append(own_text(c))
            own.append(c.tail or "")
        parent = norm(" ".join(own))
        items.append(parent)
        children: list[str] = []
        for c in li:
            if isinstance(c.tag, str) and c.tag in ("ul", "ol"):
                _list_items(c, children)
        items.extend(f"{parent.rstrip(':')}: {child}" if parent else child for child in children)


def _rows(table: lxml_html.HtmlElement) -> list[list[str]]:
    rows = []
    for tr in table.iter("tr"):
        rows.append([flat_text(c) for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")])
    return rows


def _is_layout_table(table: lxml_html.HtmlElement) -> bool:
    for d in table.iterdescendants():
        if isinstance(d.tag, str) and (d.tag == "table" or d.tag in HEADINGS):
            return True
    return False


def _walk(el: lxml_html.HtmlElement, out: _Builder) -> None:
    pieces: list[tuple[str, bool]] = []
    if el.text:
        pieces.append((el.text, False))

    def flush() -> None:
        if pieces:
            _emit_lines(_split_lines(pieces), out)
            pieces.clear()

    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag or tag in DROP_TAGS:
            pass
        elif tag in HEADINGS:
            flush()
            out.heading(flat_text(child), HEADINGS[tag])
        elif tag == "p":
            flush()
            _emit_lines(_inline_lines(child, child.text), out)
        elif tag in ("ul", "ol"):
            flush()
            items: list[str] = []
            _list_items(child, items)
            out.items(items, tag == "ol")
        elif tag == "dl":
            flush()
            out.items(_definitions(child), False)
        elif tag == "table":
            flush()
            if _is_layout_table(child):
                for cell in child.iter("td", "th"):
                    _walk(cell, out)
            else:
                caption = child.find("caption")
                if caption is not None:
                    out.paragraph(flat_text(caption))
                out.table(_rows(child))
        elif tag == "br":
            pieces.append(("\n", False))
        elif tag in BLOCK_TAGS:
            flush()
            _walk(child, out)
        elif tag == "img":
            pass
        else:
            bold = tag in BOLD_TAGS
            inline = list(_inline_lines(child, child.text))
            for i, (text, line_bold) in enumerate(inline):
                if i:
                    pieces.append(("\n", False))
                pieces.append((text, bold or line_bold))
        if child.tail:
            pieces.append((child.tail, False))
    flush()


def _definitions(dl: lxml_html.HtmlElement) -> list[str]:
    items: list[str] = []
    term = ""
    for c in dl.iter("dt", "dd"):
        text = flat_text(c)
        if c.tag == "dt":
            if term:
                items.append(term)
            term = text
        else:
            items.append(f"{term}: {text}" if term else text)
            term = ""
    if term:
        items.append(term)
    return items


# ---------------------------------------------------------------- title


def _title(root: lxml_html.HtmlElement, meta: dict[str, str], h1: str) -> str:
    site = norm(meta.get("og:site_name", ""))
    raw = norm(meta.get("og:title", ""))
    if not raw:
        t = root.find(".//title")
        raw = norm(t.text_content()) if t is not None else ""
    if h1 and raw:
        # the segment of "Site - Page" or "Page | Site" that the page's own h1 repeats
        for part in _TITLE_SEP.split(raw):
            if part.lower() == h1.lower():
                return part
    title = _strip_site(raw, site)
    if not title or (site and title.lower() == site.lower()) or (h1 and _is_generic(title)):
        return h1 or title
    return title


def _is_generic(title: str) -> bool:
    return title.lower() in {"home", "homepage", "index", "untitled", "page", "document", "welcome"}


def _strip_site(title: str, site: str) -> str:
    """Drop a " - Site Name" suffix (or prefix) from a page title."""
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    if site:
        if parts[-1].lower() == site.lower():
            return title[: title.rfind(parts[-1])].rstrip(" |-–—:»·")
        if parts[0].lower() == site.lower():
            return title[len(parts[0]) :].lstrip(" |-–—:»·")
    last = parts[-1]
    # "Plan 2021 - 2024" is not a site suffix
    if last[:1].isdigit() or len(parts[0]) < 3:
        return title
    return title[: title.rfind(last)].rstrip(" |-–—:»·").strip()


def _fallback_title(url: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    last = re.sub(r"\.[a-z0-9]{2,5}$", "", last, flags=re.IGNORECASE)
    return norm(re.sub(r"[-_+]+", " ", last)) or urlsplit(url).netloc


# ---------------------------------------------------------------- entry point


def extract_html(
    body: bytes | str,
    url: str,
    *,
    content_type: str = "",
    partner: str = "",
    fetched_at: str = "",
) -> Document:
    """Extract an HTML page; raises ExtractError only when there is nothing to read."""
    text = decode_html(body, content_type) if isinstance(body, bytes) else body
    root = parse_html(text)
    if root is None:
        raise ExtractError(f"{url}: empty HTML document")
    meta = _meta(root)
    links = page_links(root, url)
    # pieces joined with a space: "2019</p><p>Last" must not read as "2019Last"
    page_text = norm(" ".join(root.xpath(VISIBLE_TEXT)))
    published, updated = _dates(root, meta, page_text)

    # the whole tree, not <body>: libxml2 leaves HTML5 elements met before any
    # body content (a <main> right after <title>) inside <head>
    body_el = root
    h1_el = next(iter(body_el.iter("h1")), None)
    h1 = flat_text(h1_el) if h1_el is not None else ""
    title = _title(root, meta, h1)

    strip_chrome(body_el)
    builder = _Builder()
    _walk(main_content(body_el), builder)
    sections = builder.result()
    if not title:
        title = next((s.heading for s in sections if s.heading), "") or _fallback_title(url)
    if not sections and not links and not page_text:
        raise ExtractError(f"{url}: no text in HTML document")

    return dated_document(
        "html",
        url,
        title,
        (published, updated),
        sections,
        links,
        partner=partner,
        fetched_at=fetched_at,
    )
