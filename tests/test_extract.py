"""extract(): dispatch on the sniffed type, hashes, and the bundled corpus read end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, data_file

from ingest.errors import BrokenPdf, ExtractError, UnsupportedContent
from ingest.extract import extract
from ingest.mirror import url_to_path
from ingest.model import Document, content_hash
from ingest.sources import load_sources

SITES = ROOT / "corpus" / "sites"
SOURCES = ROOT / "corpus" / "sources.toml"
CHROME_WORDS = ("cookies", "Skip to main content", "Accept analytics", "Breadcrumb", "Search")


def test_html_and_pdf_are_told_apart_by_their_bytes() -> None:
    page = data_file("council_chrome.html").read_bytes()
    pdf = data_file("strategy.pdf").read_bytes()
    # a PDF served from an extension-less URL as octet-stream, and an HTML page named .pdf
    doc = extract(
        pdf, "https://x.example/downloads/file/12/plan", content_type="application/octet-stream"
    )
    assert (doc.kind, doc.content_type, doc.pages) == ("pdf", "application/pdf", 2)
    doc = extract(page, "https://x.example/plan.pdf", content_type="text/html; charset=utf-8")
    assert (doc.kind, doc.content_type) == ("html", "text/html")


def test_hash_partner_and_fetch_time_are_recorded() -> None:
    body = data_file("pseudo_headings.html").read_bytes()
    doc = extract(body, "https://x.example/", partner="oakvale", fetched_at="2024-01-02T03:04:05Z")
    assert doc.content_hash == content_hash(body)
    assert (doc.partner, doc.fetched_at) == ("oakvale", "2024-01-02T03:04:05Z")
    assert Document.from_json(doc.to_json()) == doc  # what is stored reads back the same


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (
            b"PK\x03\x04 spreadsheet",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (b"just words", "text/plain"),
    ],
)
def test_other_types_are_unsupported(body: bytes, content_type: str) -> None:
    with pytest.raises(UnsupportedContent):
        extract(body, "https://x.example/file", content_type=content_type)


def test_broken_pdf_is_an_extract_error() -> None:
    with pytest.raises(ExtractError) as info:
        extract(data_file("encrypted.pdf").read_bytes(), "https://x.example/a.pdf")
    assert isinstance(info.value, BrokenPdf)


# ------------------------------------------------------------------ the bundled corpus


def _corpus_doc(partner_id: str, predicate) -> Document:  # type: ignore[no-untyped-def]
    """The document behind a partner's start URL, read from the mirror like a crawl would."""
    if not SITES.is_dir():
        pytest.skip("corpus/sites is not built")
    partner = next(p for p in load_sources(SOURCES) if p.id == partner_id)
    url = next(u for u in partner.start if predicate(u))
    path: Path = SITES / url_to_path(url)
    return extract(path.read_bytes(), url, partner=partner_id)


def test_safer_leicester_page_gives_its_four_priorities() -> None:
    doc = _corpus_doc("safer-leicester", lambda u: True)
    assert doc.kind == "html"
    assert (doc.period_start, doc.period_end) == (2021, 2024)
    priorities = None
    for section in doc.sections:
        lead = " ".join([section.heading or "", *section.paragraphs]).lower()
        for block in section.blocks:
            if (
                block["type"] == "list"
                and "strategic priorities" in lead
                and len(block["items"]) == 4
            ):
                priorities = block["items"]
    assert priorities == [
        "People experiencing multiple disadvantage",
        "Serious violence and exploitation",
        "Localities",
        "Community cohesion",
    ]
    text = "\n".join(s.text + "\n" + (s.heading or "") for s in doc.sections)
    for chrome in CHROME_WORDS:
        assert chrome not in text, chrome
    nav_anchors = {link.anchor for link in doc.links}
    assert any("Open Government Licence" in a for a in nav_anchors)  # footer links kept


def test_lcc_strategy_pdf_gives_the_seven_county_wide_priorities() -> None:
    doc = _corpus_doc("lcc", lambda u: u.endswith(".pdf"))
    assert doc.kind == "pdf" and doc.pages and doc.pages > 1
    assert doc.title == "Leicestershire County Council Community Safety Strategy 2019-2021"
    assert (doc.period_start, doc.period_end) == (2019, 2021)
    section = next(s for s in doc.sections if s.heading == "Priorities")
    first = section.lists[0]
    assert len(first) == 7
    assert first[0].startswith("Identify and protect the most vulnerable")
    assert first[-1].startswith("Increase confidence in reporting of hate incidents")
    assert all("Page" not in item for item in first)  # no running footer inside items


def test_every_bundled_page_and_pdf_extracts() -> None:
    if not SITES.is_dir():
        pytest.skip("corpus/sites is not built")
    count = 0
    for path in sorted(SITES.rglob("*")):
        if not path.is_file() or path.name == "robots.txt":
            continue
        url = "https://" + path.relative_to(SITES).as_posix()
        doc = extract(path.read_bytes(), url)
        assert doc.title, path
        assert doc.sections, path
        count += 1
    assert count >= 5
