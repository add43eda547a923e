"""HTML pages into documents: main content without chrome, structure, links, dates."""

from __future__ import annotations

import pytest
from conftest import data_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import ExtractError
from ingest.html import decode_html, extract_html
from ingest.model import Document

BASE = "https://www.example.gov.uk/community/safety/"


def _page(name: str, url: str = BASE, **kw: str) -> Document:
    return extract_html(data_file(name).read_bytes(), url, **kw)


def _section(doc: Document, heading: str):  # type: ignore[no-untyped-def]
    return next(s for s in doc.sections if s.heading == heading)


# ------------------------------------------------------------------ chrome and content


def test_council_page_keeps_content_and_drops_chrome() -> None:
    doc = _page("council_chrome.html")
    text = doc.text
    assert "brings together the council, the police" in text
    for chrome in (
        "cookies",  # the cookie banner
        "Skip to content",
        "Bins and recycling",  # main menu
        "Community and living",  # breadcrumb
        "In this section",  # side navigation
        "Latest news",  # right-hand promo column
        "hidden from readers",
        "nobody sees",
        "Share on Twitter",
        "Page last updated",
        "window.dataLayer",
    ):
        assert chrome not in text, chrome


def test_title_drops_the_site_name_suffix() -> None:
    assert _page("council_chrome.html").title == "Community safety partnership"
    assert _page("truncated.html").title == "Safer Streets Plan"
    assert _page("pseudo_headings.html").title == "Safer Oakvale Partnership Plan 2022 to 2025"


def test_title_falls_back_to_the_first_heading() -> None:
    doc = extract_html(b"<body><h1>Hate crime strategy</h1><p>Text.</p></body>", BASE)
    assert doc.title == "Hate crime strategy"


def test_title_ignores_a_generic_page_title() -> None:
    html = b"<title>Home</title><body><h1>Safer Communities</h1><p>Text.</p></body>"
    assert extract_html(html, BASE).title == "Safer Communities"


def test_priorities_are_list_items_under_their_heading() -> None:
    doc = _page("council_chrome.html")
    section = _section(doc, "Our priorities")
    assert section.level == 2
    assert section.paragraphs == ["The partnership will focus on three priorities:"]
    assert section.blocks[1]["ordered"] is True
    assert section.items == [
        "Reducing anti-social behaviour",
        "Protecting vulnerable people from domestic abuse",
        "Tackling drug-related crime and county lines",
    ]
    assert [s.heading for s in doc.sections] == [
        "Community safety partnership",
        "Our priorities",
        "Documents",
    ]
    assert doc.sections[0].level == 1


def test_period_comes_from_the_page() -> None:
    doc = _page("council_chrome.html")
    assert (doc.period, doc.period_start, doc.period_end) == ("2020-2023", 2020, 2023)
    doc = _page("priorities_table.html")
    assert (doc.period_start, doc.period_end) == (2021, 2024)


# ------------------------------------------------------------------ structure


def test_priority_lines_and_bold_lines_act_as_headings() -> None:
    doc = _page("pseudo_headings.html")
    headings = [(s.heading, s.level) for s in doc.sections]
    assert headings == [
        ("Safer Oakvale Partnership Plan 2022 to 2025", 1),
        ("Priority 1: Reducing anti-social behaviour", 2),
        ("Priority 2: Domestic abuse", 2),
        ("Priority 3 - Serious violence", 2),
        ("Priority 4: Hate crime", 2),
    ]
    assert _section(doc, "Priority 3 - Serious violence").paragraphs == [
        "We will tackle knife crime with schools and youth services."
    ]
    # a long bold sentence is still a paragraph
    assert any("important warning" in p for p in doc.sections[-1].paragraphs)


def test_table_rows_and_definition_lists() -> None:
    doc = _page("priorities_table.html")
    section = doc.sections[0]
    assert section.rows == [
        ["Priority", "Lead agency", "Delivery group"],
        ["Anti-social behaviour", "District council", "ASB delivery group"],
        ["Domestic abuse", "County council", "DA & SV board"],
        ["Serious violence", "Police", "Violence reduction network"],
    ]
    assert "Priorities and leads" in section.paragraphs  # the caption
    assert section.items == ["JAG: Joint Action Group", "CSP: Community Safety Partnership"]


def test_nested_lists_are_flattened_as_parent_child() -> None:
    html = b"""<main><h2>Aims</h2><ul><li>Domestic abuse<ul><li>Repeat victims</li>
    <li>DHRs</li></ul></li><li>Hate crime</li></ul></main>"""
    doc = extract_html(html, BASE)
    assert doc.sections[0].items == [
        "Domestic abuse",
        "Domestic abuse: Repeat victims",
        "Domestic abuse: DHRs",
        "Hate crime",
    ]


def test_layout_tables_are_read_as_content() -> None:
    html = b"""<body><table><tr><td><h2>Our aims</h2><p>Reduce harm.</p></td>
    <td><table><tr><td>x</td></tr></table></td></tr></table></body>"""
    doc = extract_html(html, BASE)
    assert doc.sections[0].heading == "Our aims"
    assert doc.sections[0].paragraphs[0] == "Reduce harm."
    assert not doc.sections[0].rows[:1] == [["Our aims Reduce harm.", "x"]]


def test_whitespace_is_normalised() -> None:
    html = "<main><p>  Safer\n\t streets&nbsp;&nbsp;for\u00a0all  </p></main>".encode()
    assert extract_html(html, BASE).sections[0].paragraphs == ["Safer streets for all"]


def test_truncated_page_still_gives_what_is_there() -> None:
    doc = _page("truncated.html")
    section = _section(doc, "What we will do")
    assert section.items == [
        "More patrols in the town centre",
        "Better lighting in parks",
        "Support for rough sl",
    ]


# ------------------------------------------------------------------ decoding


def test_windows_1252_page_declared_as_latin1() -> None:
    doc = _page("cp1252.html")
    text = doc.text
    assert "partnership’s budget" in text
    assert "£45,000" in text
    assert "“what works”" in text
    assert "Café owners" in text and "— everyone" in text
    assert doc.title == "Community Safety"


def test_windows_1252_page_without_any_declaration() -> None:
    body = data_file("cp1252.html").read_bytes().replace(b"; charset=iso-8859-1", b"")
    assert "£45,000" in extract_html(body, BASE).text


def test_http_charset_wins_over_a_wrong_meta() -> None:
    body = '<meta charset="utf-8"><p>Cost £5 – “quoted”</p>'.encode("cp1252")
    assert (
        "£5 – “quoted”"
        in extract_html(body, BASE, content_type="text/html; charset=windows-1252").text
    )


def test_utf8_page_served_as_latin1_is_still_utf8() -> None:
    body = "<p>Leicester’s plan costs £10</p>".encode()
    assert "Leicester’s plan costs £10" in decode_html(body, "text/html; charset=ISO-8859-1")


def test_byte_order_mark() -> None:
    body = "\ufeff<p>Safety – first</p>".encode("utf-16")
    assert "Safety – first" in extract_html(body, BASE).text


# ------------------------------------------------------------------ links


def test_links_come_from_the_whole_page_resolved_and_deduplicated() -> None:
    doc = _page("council_chrome.html", "https://www.brookfield.example/community/csp")
    links = {link.url: link.anchor for link in doc.links}
    # chrome links are kept: partner links often live in footers and side panels
    assert links["https://www.brookfield.example/bins-and-recycling"] == "Bins and recycling"
    assert links["https://www.brookfield.example/accessibility"] == "Accessibility"
    # relative links resolved against the page
    assert (
        links["https://www.brookfield.example/downloads/file/1234/csp-plan-2020-2023"]
        == "Community Safety Partnership Plan 2020-2023 (PDF, 1.2MB)"
    )
    # an image link takes the image alt, then the title attribute
    assert links["https://www.brookfield.example/"] == "Brookfield District Council home"
    assert links["https://www.police.example/plan"] == "Police and Crime Plan"
    assert not any(u.startswith(("mailto:", "tel:", "javascript:")) for u in links)
    assert not any("#" in u for u in links)
    assert len(doc.links) == len(links)


def test_base_href_is_honoured() -> None:
    html = b'<head><base href="https://files.example.org/docs/"></head><a href="plan.pdf">Plan</a>'
    doc = extract_html(html, BASE)
    assert [(link.url, link.anchor) for link in doc.links] == [
        ("https://files.example.org/docs/plan.pdf", "Plan")
    ]


def test_first_anchor_is_kept_unless_it_was_empty() -> None:
    html = b"""<a href="/p"><img src="x.png"></a><a href="/p">Plan</a><a href="/p">Other</a>
    <a href="/q#part">Q</a><a href="/q">Q again</a>"""
    doc = extract_html(html, "https://x.example/")
    assert [(link.url, link.anchor) for link in doc.links] == [
        ("https://x.example/p", "Plan"),
        ("https://x.example/q", "Q"),
    ]


# ------------------------------------------------------------------ dates


def test_dates_from_meta() -> None:
    doc = _page("council_chrome.html")
    assert doc.updated == "2022-04-05"
    assert _page("pseudo_headings.html").published == "2022-05-10"


def test_dates_from_time_element_and_text() -> None:
    assert _page("priorities_table.html").updated == "2023-01-16"
    html = b"<main><p>Our plan.</p></main><footer>Page last updated 3 June 2021</footer>"
    assert extract_html(html, BASE).updated == "2021-06-03"
    html = b"<p>Published: 17th December 2019</p><p>Last updated: 12 March 2021</p>"
    doc = extract_html(html, BASE)
    assert (doc.published, doc.updated) == ("2019-12-17", "2021-03-12")


# ------------------------------------------------------------------ never raises


def test_empty_body_is_a_typed_error() -> None:
    with pytest.raises(ExtractError):
        extract_html(b"", BASE)
    with pytest.raises(ExtractError):
        extract_html(b"   \n ", BASE)


def _check(body: bytes | str) -> None:
    try:
        doc = extract_html(body, BASE)
    except ExtractError:
        return
    assert isinstance(doc.title, str)
    doc.to_json()  # whatever was read can be stored


TAGS = [
    "html",
    "head",
    "body",
    "main",
    "div",
    "p",
    "h1",
    "h3",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "a",
    "b",
    "br",
    "nav",
    "script",
    "dl",
    "dt",
    "dd",
    "base",
    "meta",
    "time",
    "title",
]
ATTRS = [
    "",
    ' href="/x"',
    ' href="javascript:x"',
    ' href="http://[bad"',
    ' class="cookie"',
    " hidden",
    ' role="main"',
    ' charset="utf-16"',
    ' datetime="2021-02-30"',
    ' href="#"',
]
soup = st.lists(
    st.one_of(
        st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(TAGS), st.sampled_from(ATTRS)),
        st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
        st.text(max_size=30),
        st.sampled_from(
            ["&amp;", "&#0;", "&#xD800;", "<!--", "-->", "<![CDATA[", "<?xml ?>", "\x00"]
        ),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_never_raises_on_arbitrary_bytes(body: bytes) -> None:
    _check(body)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=500))
def test_never_raises_on_arbitrary_text(body: str) -> None:
    _check(body)
    _check(body.encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(soup)
def test_never_raises_on_tag_soup(body: str) -> None:
    _check(body)
    _check(body.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize(
    "title",
    [
        "Ashby Council - Community safety",
        "Community safety | Ashby Council",
        "Community safety",
    ],
)
def test_title_takes_the_part_the_h1_repeats(title: str) -> None:
    html = f"<title>{title}</title><body><h1>Community safety</h1><p>Text.</p></body>"
    assert extract_html(html.encode(), BASE).title == "Community safety"


def test_title_keeps_a_period_written_with_a_spaced_dash() -> None:
    html = b"<title>Community Safety Plan 2021 - 2024 | City Council</title><p>Text.</p>"
    doc = extract_html(html, BASE)
    assert doc.title == "Community Safety Plan 2021 - 2024"
    assert (doc.period_start, doc.period_end) == (2021, 2024)
