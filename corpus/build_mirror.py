"""Regenerate the offline mirror ``corpus/sites`` from the text sources in ``corpus/text``.

    python corpus/build_mirror.py            # rewrite corpus/sites
    python corpus/build_mirror.py --out DIR  # write the mirror somewhere else

Each source file is a small header (``key: value`` lines between ``---``
markers: ``url``, ``format`` html or pdf, ``title``, ``published``, ...)
followed by a light markdown body:

- ``#``, ``##``, ``###``, ``####`` headings;
- ``- item`` bullets, ``1. item`` numbered items, ``a) item`` lettered items,
  indented by two spaces per nesting level; a following line that starts no
  new block continues the item;
- ``| a | b |`` table rows (the first row is the header; ``|---|`` rows are skipped);
- ``[text](url)`` links (rendered as anchors in HTML, as text in PDF);
- ``::: pagebreak`` starts a new PDF page; ``::: note text`` is a small print line;
- anything else is a paragraph; blank lines separate blocks.

The output is deterministic: the same sources give the same bytes (PDF dates
and IDs are fixed from the ``published`` date). Files go where
``ingest.mirror.url_to_path`` says, so the fetcher that reads the mirror and
this writer never disagree.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project packages importable
    sys.path.insert(0, str(ROOT))

from ingest.mirror import url_to_path  # noqa: E402

CORPUS = Path(__file__).resolve().parent
TEXT_DIR = CORPUS / "text"
SITES_DIR = CORPUS / "sites"

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OGL_LINE = "Contains public sector information licensed under the Open Government Licence v3.0."

# --------------------------------------------------------------------------- parsing

_LIST_RE = re.compile(
    r"^(?P<indent> *)(?P<marker>- |\d+\. |[a-z]\) |\([a-z]\) |\([ivx]+\) |[ivx]+\. |[a-z]\. )(?P<text>.*)$"
)
_LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]+(?: [^)]+)*)\)")


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
    return _LINK_RE.sub(lambda m: m.group(1), text)


# --------------------------------------------------------------------------- HTML


@dataclass(frozen=True)
class Site:
    """The chrome of one publisher's web site."""

    name: str
    home: str
    nav: tuple[tuple[str, str], ...]
    footer: tuple[tuple[str, str], ...]
    publisher: str


SITES: dict[str, Site] = {
    "www.leicester.gov.uk": Site(
        "Leicester City Council",
        "https://www.leicester.gov.uk/",
        (
            ("Bins and recycling", "https://www.leicester.gov.uk/bins-rubbish-and-recycling/"),
            ("Council tax", "https://www.leicester.gov.uk/council-tax/"),
            ("Housing", "https://www.leicester.gov.uk/housing/"),
            ("Health and social care", "https://www.leicester.gov.uk/health-and-social-care/"),
            ("Your council", "https://www.leicester.gov.uk/your-council/"),
        ),
        (
            ("Accessibility", "https://www.leicester.gov.uk/accessibility/"),
            ("Cookies", "https://www.leicester.gov.uk/cookies/"),
            ("Privacy", "https://www.leicester.gov.uk/privacy/"),
            ("Contact us", "https://www.leicester.gov.uk/contact-us/"),
        ),
        "Leicester City Council",
    ),
    "www.leicestershire.gov.uk": Site(
        "Leicestershire County Council",
        "https://www.leicestershire.gov.uk/",
        (
            ("Roads and travel", "https://www.leicestershire.gov.uk/roads-and-travel"),
            ("Education and children", "https://www.leicestershire.gov.uk/education-and-children"),
            ("Adult social care", "https://www.leicestershire.gov.uk/adult-social-care-and-health"),
            ("Leisure and community", "https://www.leicestershire.gov.uk/leisure-and-community"),
            ("About the council", "https://www.leicestershire.gov.uk/about-the-council"),
        ),
        (
            ("Accessibility", "https://www.leicestershire.gov.uk/accessibility"),
            ("Cookies", "https://www.leicestershire.gov.uk/cookies"),
            ("Privacy", "https://www.leicestershire.gov.uk/privacy-notice"),
            ("Contact us", "https://www.leicestershire.gov.uk/contact-us"),
        ),
        "Leicestershire County Council",
    ),
    "resources.leicestershire.gov.uk": Site(
        "Leicestershire County Council",
        "https://www.leicestershire.gov.uk/",
        (
            (
                "Community safety",
                "https://www.leicestershire.gov.uk/leisure-and-community/community-safety",
            ),
            ("Leisure and community", "https://www.leicestershire.gov.uk/leisure-and-community"),
            ("About the council", "https://www.leicestershire.gov.uk/about-the-council"),
        ),
        (
            ("Accessibility", "https://www.leicestershire.gov.uk/accessibility"),
            ("Cookies", "https://www.leicestershire.gov.uk/cookies"),
            ("Contact us", "https://www.leicestershire.gov.uk/contact-us"),
        ),
        "Leicestershire County Council",
    ),
    "politics.leics.gov.uk": Site(
        "Leicestershire County Council - Democracy",
        "http://politics.leics.gov.uk/",
        (
            ("Councillors", "http://politics.leics.gov.uk/mgMemberIndex.aspx"),
            ("Committees", "http://politics.leics.gov.uk/mgListCommittees.aspx"),
            ("Meetings", "http://politics.leics.gov.uk/ieDocHome.aspx"),
            ("Decisions", "http://politics.leics.gov.uk/mgDelegatedDecisions.aspx"),
        ),
        (
            ("Accessibility", "https://www.leicestershire.gov.uk/accessibility"),
            ("Contact democratic services", "http://politics.leics.gov.uk/mgContactUs.aspx"),
        ),
        "Leicestershire County Council",
    ),
    "www.charnwood.gov.uk": Site(
        "Charnwood Borough Council",
        "https://www.charnwood.gov.uk/",
        (
            ("Bins and recycling", "https://www.charnwood.gov.uk/pages/bins"),
            ("Housing", "https://www.charnwood.gov.uk/pages/housing"),
            ("Community safety", "https://www.charnwood.gov.uk/pages/safety"),
            ("Your council", "https://www.charnwood.gov.uk/pages/council"),
        ),
        (
            ("Accessibility", "https://www.charnwood.gov.uk/pages/accessibility"),
            ("Cookies", "https://www.charnwood.gov.uk/pages/cookies"),
            ("Contact us", "https://www.charnwood.gov.uk/contacts"),
        ),
        "Charnwood Borough Council",
    ),
    "www.rutland.gov.uk": Site(
        "Rutland County Council",
        "https://www.rutland.gov.uk/",
        (
            ("My council", "https://www.rutland.gov.uk/my-council/"),
            ("My community", "https://www.rutland.gov.uk/my-community/"),
            ("My services", "https://www.rutland.gov.uk/my-services/"),
        ),
        (
            ("Accessibility", "https://www.rutland.gov.uk/accessibility/"),
            ("Cookies", "https://www.rutland.gov.uk/cookies/"),
            ("Contact us", "https://www.rutland.gov.uk/contact-us/"),
        ),
        "Rutland County Council",
    ),
}


def _site_for(url: str) -> Site:
    host = re.sub(r"^https?://", "", url).split("/", 1)[0].lower()
    try:
        return SITES[host]
    except KeyError as e:
        raise ValueError(f"no site chrome for host {host!r}") from e


def inline_html(text: str) -> str:
    """Escape text and turn ``[text](url)`` into anchors."""
    out: list[str] = []
    pos = 0
    for m in _LINK_RE.finditer(text):
        out.append(html.escape(text[pos : m.start()], quote=False))
        out.append(
            f'<a href="{html.escape(m.group(2))}">{html.escape(m.group(1), quote=False)}</a>'
        )
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _list_tag(marker: str) -> str:
    if marker == "-":
        return "ul"
    if marker[0].isdigit():
        return "ol"
    return "ol-a"


def body_html(blocks: list[Block]) -> str:
    """The blocks as HTML, h2 sections wrapped in <section>, lists nested by level."""
    out: list[str] = []
    open_lists: list[str] = []  # tags of the lists now open, outermost first
    in_section = False

    def close_lists(to_level: int) -> None:
        while len(open_lists) > to_level:
            tag = open_lists.pop()
            out.append(f"</li></{'ol' if tag == 'ol-a' else tag}>")

    for block in blocks:
        if block.kind != "li":
            close_lists(0)
        if block.kind == "h2":
            if in_section:
                out.append("</section>")
            out.append("<section>")
            in_section = True
        if block.kind in ("h1", "h2", "h3", "h4"):
            out.append(f"<{block.kind}>{inline_html(block.text)}</{block.kind}>")
        elif block.kind == "p":
            out.append(f"<p>{inline_html(block.text)}</p>")
        elif block.kind == "note":
            out.append(f'<p class="note"><small>{inline_html(block.text)}</small></p>')
        elif block.kind == "table":
            head, *rows = block.rows
            out.append("<table>")
            out.append(
                "<thead><tr>"
                + "".join(f'<th scope="col">{inline_html(c)}</th>' for c in head)
                + "</tr></thead>"
            )
            out.append("<tbody>")
            for row in rows:
                out.append("<tr>" + "".join(f"<td>{inline_html(c)}</td>" for c in row) + "</tr>")
            out.append("</tbody></table>")
        elif block.kind == "li":
            tag = _list_tag(block.marker)
            depth = block.level + 1
            if len(open_lists) > depth:
                close_lists(depth)
            if len(open_lists) == depth and open_lists[-1] != tag:
                close_lists(depth - 1)
            if len(open_lists) == depth:
                out.append("</li>")
            while len(open_lists) < depth:
                attrs = ""
                if tag == "ol-a":
                    attrs = ' type="a"'
                elif tag == "ol" and block.marker.rstrip(".") != "1":
                    attrs = f' start="{block.marker.rstrip(".")}"'
                out.append(f"<{'ol' if tag == 'ol-a' else tag}{attrs}>")
                open_lists.append(tag)
            out.append(f"<li>{inline_html(block.text)}")
    close_lists(0)
    if in_section:
        out.append("</section>")
    return "\n".join(out)


def render_html(src: Source) -> bytes:
    """A full page: head with meta tags, site chrome, the body in <main>, OGL footer."""
    meta = src.meta
    site = _site_for(src.url)
    title = meta["title"]
    published = src.published.isoformat()
    updated = meta.get("updated", published)
    updated_label = date.fromisoformat(updated).strftime("%-d %B %Y")
    description = meta.get("description", title)
    crumbs = [c.strip() for c in meta.get("breadcrumb", "Home").split("|")]
    crumb_html = "".join(
        f'<li><a href="{html.escape(site.home)}">{html.escape(c)}</a></li>'
        if i == 0
        else f"<li>{html.escape(c)}</li>"
        for i, c in enumerate(crumbs)
    )
    nav = "".join(f'<li><a href="{html.escape(u)}">{html.escape(t)}</a></li>' for t, u in site.nav)
    foot = "".join(
        f'<li><a href="{html.escape(u)}">{html.escape(t)}</a></li>' for t, u in site.footer
    )
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} | {html.escape(site.name)}</title>
<meta name="description" content="{html.escape(description)}">
<meta name="author" content="{html.escape(meta.get("author", site.publisher))}">
<meta name="DC.title" content="{html.escape(title)}">
<meta name="DC.publisher" content="{html.escape(site.publisher)}">
<meta name="DC.date.issued" content="{published}">
<meta name="DC.date.modified" content="{updated}">
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:type" content="website">
<meta property="og:url" content="{html.escape(src.url)}">
<meta property="article:published_time" content="{published}">
<meta property="article:modified_time" content="{updated}">
<link rel="canonical" href="{html.escape(src.url)}">
<link rel="stylesheet" href="/assets/css/site.css">
<script src="/assets/js/site.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main-content">Skip to main content</a>
<div class="cookie-banner" role="region" aria-label="Cookies on this site">
<p>We use some essential cookies to make this website work. We would also like to set analytics cookies to understand how you use the site.</p>
<button type="button">Accept analytics cookies</button> <button type="button">Reject analytics cookies</button> <a href="{html.escape(site.home)}cookies">View cookies</a>
</div>
<header class="site-header">
<a class="logo" href="{html.escape(site.home)}"><span class="logo-text">{html.escape(site.name)}</span></a>
<form class="site-search" action="{html.escape(site.home)}search" method="get"><label for="q">Search</label> <input id="q" name="q" type="search"> <button type="submit">Search</button></form>
<nav class="main-nav" aria-label="Main menu"><ul>{nav}</ul></nav>
</header>
<nav class="breadcrumb" aria-label="Breadcrumb"><ol>{crumb_html}</ol></nav>
<main id="main-content">
<article>
{body_html(src.blocks)}
</article>
<p class="last-updated">Last updated: <time datetime="{updated}">{updated_label}</time></p>
</main>
<footer class="site-footer">
<nav aria-label="Footer"><ul>{foot}</ul></nav>
<p class="licence">All content is available under the <a rel="license" href="{OGL_URL}">Open Government Licence v3.0</a>, except where otherwise stated. {OGL_LINE}</p>
<p>&copy; {html.escape(site.publisher)}</p>
</footer>
</body>
</html>
"""
    return page.encode("utf-8")


# --------------------------------------------------------------------------- PDF


def render_pdf(src: Source) -> bytes:
    """A PDF with headings, lists and tables in reading order, fixed dates and OGL footer."""
    from fpdf import FPDF  # imported here so the parser can be used without fpdf2

    meta = src.meta
    footer_left = meta.get("footer", meta["title"])

    class Doc(FPDF):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-16)
            self.set_font("helvetica", size=7.5)
            self.set_text_color(90, 90, 90)
            self.cell(
                0,
                4,
                f"{footer_left}   -   Page {self.page_no()}",
                align="C",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            self.cell(0, 4, OGL_LINE, align="C")
            self.set_text_color(0, 0, 0)

    pdf = Doc(format="A4")
    # cp1252 covers the curly quotes, dashes and bullets of the sources with the core fonts
    pdf.core_fonts_encoding = "windows-1252"
    stamp = datetime.combine(src.published, datetime.min.time(), tzinfo=UTC).replace(hour=9)
    pdf.set_creation_date(stamp)
    pdf.set_title(meta["title"])
    pdf.set_author(meta.get("author", "Leicestershire County Council"))
    pdf.set_subject(meta.get("description", meta["title"]))
    pdf.set_keywords(meta.get("keywords", "community safety"))
    pdf.set_creator(meta.get("author", "Leicestershire County Council"))
    # a fixed producer string: the fpdf2 default carries its version, which would change the bytes
    pdf.set_producer("saferkg corpus builder (fpdf2)")
    pdf.set_lang("en-GB")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    sizes = {"h1": 15.0, "h2": 12.5, "h3": 11.0, "h4": 10.5}
    for block in src.blocks:
        if block.kind in sizes:
            pdf.ln(3 if block.kind != "h1" else 0)
            pdf.set_font("helvetica", "B", sizes[block.kind])
            pdf.multi_cell(
                width, sizes[block.kind] * 0.5, plain(block.text), new_x="LMARGIN", new_y="NEXT"
            )
            pdf.ln(1.5)
        elif block.kind == "p":
            pdf.set_font("helvetica", size=10.5)
            pdf.multi_cell(width, 5.2, plain(block.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.2)
        elif block.kind == "note":
            pdf.set_font("helvetica", "I", 8.5)
            pdf.multi_cell(width, 4.4, plain(block.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif block.kind == "li":
            pdf.set_font("helvetica", size=10.5)
            indent = 6.0 * block.level
            marker = "\u2022" if block.marker == "-" else block.marker
            mark_w = 6.0 if block.marker == "-" else 9.0
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(mark_w, 5.2, marker)
            pdf.multi_cell(
                width - indent - mark_w, 5.2, plain(block.text), new_x="LMARGIN", new_y="NEXT"
            )
            pdf.ln(1.2)
        elif block.kind == "table":
            pdf.set_font("helvetica", size=9)
            with pdf.table(width=width, line_height=4.6, first_row_as_headings=True) as table:
                for row in block.rows:
                    r = table.row()
                    for cell in row:
                        r.cell(plain(cell))
            pdf.ln(3)
        elif block.kind == "pagebreak":
            pdf.add_page()
    return bytes(pdf.output())


# --------------------------------------------------------------------------- build


def load_sources(text_dir: Path = TEXT_DIR) -> list[Source]:
    """Every text source, sorted by file name."""
    return [parse_source(p) for p in sorted(text_dir.glob("*.md"))]


def render(src: Source) -> bytes:
    """The bytes of one source as published."""
    fmt = src.meta["format"]
    if fmt == "html":
        return render_html(src)
    if fmt == "pdf":
        return render_pdf(src)
    if fmt == "text":  # robots.txt and other plain files: the body verbatim
        return (src.path.read_text(encoding="utf-8").split("\n---\n", 1)[1].lstrip("\n")).encode(
            "utf-8"
        )
    raise ValueError(f"{src.path}: unknown format {fmt!r}")


def build(out_dir: Path = SITES_DIR, text_dir: Path = TEXT_DIR) -> dict[str, Path]:
    """Write the whole mirror into ``out_dir`` (emptied first); returns url -> file."""
    sources = load_sources(text_dir)
    written: dict[str, Path] = {}
    targets: dict[str, str] = {}
    for src in sources:
        rel = url_to_path(src.url)
        if rel in targets:
            raise ValueError(f"{src.path}: {src.url} maps to {rel}, as {targets[rel]} does")
        targets[rel] = src.path.name
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for src in sources:
        target = out_dir / url_to_path(src.url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render(src))
        written[src.url] = target
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: rebuild the mirror."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=SITES_DIR, help="output directory (default: corpus/sites)"
    )
    parser.add_argument(
        "--text", type=Path, default=TEXT_DIR, help="text sources (default: corpus/text)"
    )
    args: Any = parser.parse_args(argv)
    written = build(args.out, args.text)
    total = sum(p.stat().st_size for p in written.values())
    print(f"wrote {len(written)} files ({total / 1024:.0f} KiB) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
