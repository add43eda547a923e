"""PDFs into documents: headings, lists, tables, pages, and the PDFs that cannot be read.

The fixtures are made by tests/data/make_pdfs.py with fpdf2.
"""

from __future__ import annotations

import pytest
from conftest import data_file
from data.make_pdfs import PRIORITIES
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.errors import BrokenPdf
from ingest.model import Document
from ingest.pdf import extract_pdf

URL = "https://www.greenfield.example/downloads/strategy.pdf"


@pytest.fixture(scope="module")
def strategy() -> Document:
    return extract_pdf(data_file("strategy.pdf").read_bytes(), URL, partner="greenfield")


def _section(doc: Document, heading: str):  # type: ignore[no-untyped-def]
    return next(s for s in doc.sections if s.heading == heading)


def test_title_period_pages_and_dates(strategy: Document) -> None:
    assert strategy.title == "Greenfield Community Safety Strategy 2020-2023"
    assert (strategy.period_start, strategy.period_end) == (2020, 2023)
    assert strategy.pages == 2
    assert strategy.kind == "pdf" and strategy.partner == "greenfield"
    # the date printed near the top is the publication date; the file's own
    # creation date only says when it was last written
    assert strategy.published == "2019-12-17"
    assert strategy.updated == "2020-01-15"


def test_headings_from_font_size_and_numbering(strategy: Document) -> None:
    headings = [(s.heading, s.level, s.page) for s in strategy.sections]
    assert headings == [
        ("Greenfield Community Safety Strategy 2020-2023", 1, 1),  # wrapped title joined
        ("1. Introduction", 2, 1),
        ("2. Our priorities", 2, 1),
        ("Workstreams", 3, 1),
        ("3. GOVERNANCE", 2, 2),
    ]


def test_paragraphs_are_joined_across_lines_keeping_hyphens(strategy: Document) -> None:
    (para,) = _section(strategy, "1. Introduction").paragraphs
    assert para.startswith("This strategy sets out how the partnership will reduce crime")
    assert "across the district over the next three years." in para
    assert "tackle anti-social behaviour together with the police," in para
    assert para.endswith("local landlords.")


def test_bullets_become_list_items_joined_across_wrapped_lines(strategy: Document) -> None:
    section = _section(strategy, "2. Our priorities")
    assert section.paragraphs == ["The partnership has agreed five priorities for 2020-2023:"]
    assert section.items == PRIORITIES  # each written as one bullet, wrapped over lines
    assert section.blocks[1]["ordered"] is False


def test_numbered_items_are_an_ordered_list(strategy: Document) -> None:
    section = _section(strategy, "Workstreams")
    assert section.blocks == [
        {
            "type": "list",
            "ordered": True,
            "items": ["Hate crime", "Prevent", "Fraud and scams affecting older residents"],
        }
    ]


def test_two_column_table_keeps_its_rows(strategy: Document) -> None:
    section = _section(strategy, "3. GOVERNANCE")
    assert section.page == 2
    assert section.rows == [
        ["Priority", "Lead agency"],
        ["Anti-social behaviour", "District council"],
        ["Domestic abuse", "County council"],
        ["County lines", "Police"],
    ]


def test_links_from_annotations(strategy: Document) -> None:
    assert [link.url for link in strategy.links] == ["https://www.greenfield.example/safety"]


def test_owner_password_only_is_readable() -> None:
    doc = extract_pdf(data_file("owner_only.pdf").read_bytes(), URL)
    assert doc.title == "Owner Locked Plan 2019-2022"
    assert "can be read by anyone" in doc.text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("encrypted.pdf", "encrypted"),
        ("truncated.pdf", "truncated"),
        ("textless.pdf", "no text layer"),
    ],
)
def test_unreadable_pdfs_raise_broken_pdf_with_the_reason(name: str, reason: str) -> None:
    with pytest.raises(BrokenPdf, match=reason):
        extract_pdf(data_file(name).read_bytes(), URL)


def test_garbage_after_the_header_is_corrupt() -> None:
    body = b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
    with pytest.raises(BrokenPdf, match="corrupt|no text"):
        extract_pdf(body, URL)


def test_damaged_object_stream_is_reported_not_crashed() -> None:
    good = data_file("strategy.pdf").read_bytes()
    # overwrite the middle of the file (page content streams) with noise
    mid = len(good) // 2
    body = good[:mid] + b"\x00garbage\xff" * 40 + good[mid + 400 :]
    try:
        doc = extract_pdf(body, URL)
    except BrokenPdf:
        return
    assert doc.pages == 2


def test_not_a_pdf() -> None:
    with pytest.raises(BrokenPdf, match="not a PDF"):
        extract_pdf(b"<html>oops</html>", URL)


def test_byte_7f_bullets_are_list_items() -> None:
    doc = extract_pdf(data_file("bullets_7f.pdf").read_bytes(), URL)
    assert doc.sections[0].heading == "Cross-cutting themes"
    assert doc.sections[0].items == ["Mental health", "Substance misuse", "Reducing re-offending"]
    assert "\x7f" not in doc.text


_STRATEGY = data_file("strategy.pdf").read_bytes()
_edits = st.lists(
    st.tuples(st.integers(0, len(_STRATEGY) - 1), st.integers(0, 40), st.binary(max_size=12)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=80, deadline=None)
@given(_edits)
def test_a_damaged_pdf_gives_a_document_or_broken_pdf_never_another_error(
    edits: list[tuple[int, int, bytes]],
) -> None:
    body = bytearray(_STRATEGY)
    for pos, cut, insert in edits:
        body[pos : pos + cut] = insert
    try:
        doc = extract_pdf(bytes(body), URL)
    except BrokenPdf as e:
        assert str(e)  # the crawl records the reason
        return
    assert doc.pages and doc.pages >= 1
