"""Priority extraction: which documents are plans, their periods, and their priority statements."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph.priorities import StrategyInfo, analyse, classify, status_of
from graph.themes import Thesaurus
from ingest.extract import extract
from ingest.mirror import url_to_path
from ingest.model import Document, Section

TODAY = date(2022, 6, 1)


@pytest.fixture(scope="module")
def th() -> Thesaurus:
    return Thesaurus.load()


def doc(title: str, *sections: Section, kind: str = "html", **fields: object) -> Document:
    d = Document(url="https://council.example/csp", partner="example", title=title, kind=kind)
    d.sections.extend(sections)
    for k, v in fields.items():
        setattr(d, k, v)
    return d


def texts(info: StrategyInfo) -> list[str]:
    return [p.text for p in info.priorities]


def web_plan() -> Document:
    intro = Section("Oakham Vale Community Safety Partnership", 1)
    intro.add_paragraph(
        "Our Community Safety Plan 2022-2025 sets out our priorities for keeping the district safe."
    )
    duties = Section("About the partnership", 2)
    duties.add_paragraph("The partnership has a statutory requirement to:")
    duties.add_list(["Prepare a strategic assessment", "Agree a partnership plan"], ordered=True)
    duties.add_paragraph("Members of the partnership:")
    duties.add_list(["District council", "Police", "Fire and rescue service"])
    prio = Section("What matters most", 2)
    prio.add_paragraph(
        "We consulted residents in the autumn. Following that consultation our priorities are:"
    )
    prio.add_list(
        [
            "Tackling anti-social behaviour in town centres;",
            "Protecting people from domestic abuse;",
            "Keeping our high streets vibrant; and",
        ],
        ordered=True,
    )
    contact = Section("Contact us", 2)
    contact.add_list(["community.safety@council.example", "Telephone 01234 567890"])
    return doc("Community safety partnership - Oakham Vale", intro, duties, prio, contact)


def test_a_plan_page_lists_its_priorities_with_their_lead_in(th: Thesaurus) -> None:
    info = analyse(web_plan(), th, today=TODAY)
    assert info.is_plan and info.doc_type == "plan"
    assert texts(info) == [
        "Tackling anti-social behaviour in town centres",
        "Protecting people from domestic abuse",
        "Keeping our high streets vibrant",
    ]
    first = info.priorities[0]
    assert first.order == 1 and first.level == "strategic"
    assert first.group == "Following that consultation our priorities"
    assert first.passage == (
        "Following that consultation our priorities are:\nTackling anti-social behaviour in town centres;"
    )
    assert first.section == "What matters most"
    assert first.theme_ids == ["asb"] and first.themes_from == "item"
    assert first.themes[0].matched_text == "anti-social behaviour"
    assert info.priorities[1].theme_ids == ["domestic-abuse"]


def test_a_priority_with_no_theme_is_kept(th: Thesaurus) -> None:
    info = analyse(web_plan(), th, today=TODAY)
    high_streets = info.priorities[2]
    assert high_streets.text == "Keeping our high streets vibrant"
    assert high_streets.themes == [] and high_streets.themes_from is None


def test_period_from_the_title_gives_the_status(th: Thesaurus) -> None:
    page = web_plan()
    page.title = "Community Safety Plan 2017-20"
    assert analyse(page, th, today=date(2020, 12, 31)).status == "current"
    info = analyse(page, th, today=date(2021, 1, 1))
    assert (info.period_start, info.period_end, info.status) == (2017, 2020, "ended")
    assert analyse(page, th, today=date(2016, 5, 1)).status == "future"
    # the extractor's period wins over the title
    page.period, page.period_start, page.period_end = "2022-2025", 2022, 2025
    assert analyse(page, th, today=TODAY).status == "current"


def test_status_rule() -> None:
    assert status_of(None, None, TODAY) == "unknown"
    assert status_of(2017, 2020, date(2021, 1, 1)) == "ended"
    assert status_of(2021, 2024, date(2021, 1, 1)) == "current"
    assert status_of(2023, 2026, TODAY) == "future"


def test_numbered_priority_headings(th: Thesaurus) -> None:
    sections = [Section("Safer Brookfield Strategy 2023-2026", 1)]
    sections[0].add_paragraph("This strategy sets out how partners will work together.")
    for n, (head, body) in enumerate(
        [
            ("Safer streets", "We will reduce knife crime and violence in public places."),
            ("", "Reduce harm caused by drugs and alcohol."),
            ("Stronger neighbourhoods", "Residents feel they belong."),
        ],
        start=1,
    ):
        s = Section(f"Priority {n}: {head}" if head else f"Priority {n}", 2)
        s.add_paragraph(body)
        s.add_list(["Work with schools", "Patrol hot spots"])
        sections.append(s)
    info = analyse(doc("Safer Brookfield Strategy 2023-2026", *sections), th, today=TODAY)
    assert info.doc_type == "strategy" and info.status == "future"
    assert texts(info) == [
        "Safer streets",
        "Reduce harm caused by drugs and alcohol.",
        "Stronger neighbourhoods",
    ]
    assert [p.order for p in info.priorities] == [1, 2, 3]
    assert info.priorities[0].passage == "Priority 1: Safer streets"
    assert info.priorities[1].passage == "Priority 2\nReduce harm caused by drugs and alcohol."
    assert set(info.priorities[1].theme_ids) >= {"drugs", "alcohol"}
    assert info.priorities[0].themes == []  # "safer streets" names no theme


def test_a_table_of_objectives(th: Thesaurus) -> None:
    s = Section("Our objectives", 2, page=4)
    s.add_table(
        [
            ["Objective", "Lead", "Measure"],
            ["Reduce reoffending by prolific offenders", "Probation", "IOM cohort"],
            ["Cut rough sleeping in the town centre", "Housing", "Street count"],
            ["Improve our website", "Comms", ""],
        ]
    )
    info = analyse(doc("Community Safety Partnership Plan", s, kind="pdf"), th, today=TODAY)
    assert texts(info) == [
        "Reduce reoffending by prolific offenders",
        "Cut rough sleeping in the town centre",
        "Improve our website",
    ]
    first = info.priorities[0]
    assert first.level == "objective" and first.page == 4
    assert (
        first.passage
        == "Our objectives\nReduce reoffending by prolific offenders | Probation | IOM cohort"
    )
    assert info.priorities[0].theme_ids == ["reoffending"]
    assert info.priorities[1].theme_ids == ["street-lifestyle"]
    assert info.priorities[2].themes == []


def test_theme_headings_with_sub_themes(th: Thesaurus) -> None:
    top = Section("Delivery themes", 2)
    a = Section("Violence against women and girls", 3, items=["Stalking", "Night safety walks"])
    b = Section("Youth diversion", 3, items=["Detached youth work"])
    cross = Section("Cross-cutting themes", 2)
    cross.add_paragraph("Every theme lead reports on these.")
    cross.add_list(["Mental health", "Tackling inequality"])
    after = Section("Governance", 2, items=["Board meets quarterly"])
    info = analyse(doc("Partnership plan 2022-25", top, a, b, cross, after), th, today=TODAY)
    by_text = {p.text: p for p in info.priorities}
    assert list(by_text) == [
        "Violence against women and girls",
        "Stalking",
        "Night safety walks",
        "Youth diversion",
        "Detached youth work",
        "Mental health",
        "Tackling inequality",
    ]
    assert by_text["Youth diversion"].level == "theme"
    assert by_text["Youth diversion"].group == "Delivery themes"
    walks = by_text["Night safety walks"]
    assert walks.level == "sub-theme" and walks.parent == "Violence against women and girls"
    assert walks.group == "Delivery themes > Violence against women and girls"
    # no theme in the item itself: taken from the theme it sits under, and said so
    assert walks.theme_ids == ["vawg"] and walks.themes_from == "item+group"
    assert by_text["Stalking"].themes_from == "item"
    assert by_text["Mental health"].level == "cross-cutting"
    assert by_text["Tackling inequality"].themes == []
    assert "Board meets quarterly" not in by_text


def test_pdf_bullets_after_a_lead_in(th: Thesaurus) -> None:
    s = Section("Priorities", 2, page=3)
    s.add_paragraph("The county wide priorities are as follows:")
    s.add_paragraph("\uf0b7 Reduce incidence and impact of ASB;")
    s.add_paragraph("\uf0b7 Increase confidence in reporting of hate incidents.")
    s.add_paragraph("These will be reviewed every year.")
    info = analyse(
        doc("County Community Safety Strategy 2019-2021", s, kind="pdf"), th, today=TODAY
    )
    assert texts(info) == [
        "Reduce incidence and impact of ASB",
        "Increase confidence in reporting of hate incidents.",
    ]
    assert info.priorities[0].page == 3 and info.priorities[0].theme_ids == ["asb"]
    assert "hate-crime" in info.priorities[1].theme_ids
    assert info.status == "ended"


def test_minutes_have_no_priorities(th: Thesaurus) -> None:
    s = Section("Minutes of a meeting of the Safer Communities Board held on 1 October 2018", 1)
    s.add_paragraph("The Board discussed the draft plan. The proposed priorities are:")
    s.add_list(["Reduce ASB", "Domestic abuse"])
    info = analyse(doc("Safer Communities Board - 1 October 2018", s), th, today=TODAY)
    assert info.doc_type == "minutes" and not info.is_plan
    assert info.priorities == []


def test_a_report_presenting_a_strategy_is_a_report(th: Thesaurus) -> None:
    s = Section("Purpose of the Report", 2)
    s.add_paragraph(
        "The purpose of this report is to seek approval of the Community Safety Strategy."
    )
    p = Section("The Community Safety Strategy", 2)
    p.add_paragraph("The Strategy includes the following priorities:")
    p.add_list(["Reduce crime and fear of crime", "Reduce incidence and impact of ASB"])
    title = (
        "Cabinet - 17 December 2019. Community Safety Strategy 2019-2021. Report of the Director"
    )
    info = analyse(doc(title, s, p, kind="pdf"), th, today=TODAY)
    assert info.doc_type == "report" and info.priorities == []
    # the appendix that is the strategy itself is a plan
    appendix = doc("Appendix A - Community Safety Strategy 2019-2021", p, kind="pdf")
    assert analyse(appendix, th, today=TODAY).doc_type == "strategy"
    assert texts(analyse(appendix, th, today=TODAY)) == [
        "Reduce crime and fear of crime",
        "Reduce incidence and impact of ASB",
    ]


@pytest.mark.parametrize(
    ("title", "first", "expected"),
    [
        ("Safer Communities Performance 2018/19 Q2", "", "performance"),
        ("Agenda for the Board", "", "agenda"),
        ("Your council", "Dear Chief Executive, thank you for your letter.", "letter"),
        ("LSCSB update: Community Safety Agreement", "", "report"),
        ("Community Safety Agreement", "", "agreement"),
        ("Strategy Statement for Tackling Hate 2018-21", "", "statement"),
        ("Parking permits", "Apply for a permit online.", "page"),
    ],
)
def test_classify(title: str, first: str, expected: str) -> None:
    s = Section(None, 0)
    if first:
        s.add_paragraph(first)
    assert classify(doc(title, s)) == expected


def test_result_is_json_ready(th: Thesaurus) -> None:
    d = analyse(web_plan(), th, today=TODAY).to_dict()
    assert d["priorities"][0]["theme_ids"] == ["asb"]
    assert d["priorities"][0]["themes"][0]["matched_text"] == "anti-social behaviour"
    assert d["status"] == "unknown" and d["is_plan"] is True


# -- the bundled corpus -------------------------------------------------------

SITES = Path(__file__).resolve().parents[1] / "corpus" / "sites"
SLP_URL = (
    "https://www.leicester.gov.uk/your-council/policies-plans-and-strategies/public-safety/"
    "safer-leicester-partnership/"
)
LCC_URL = (
    "https://www.leicestershire.gov.uk/sites/default/files/field/pdf/2020/2/20/"
    "Community-Safety-Strategy-2019-2021.pdf"
)
MINUTES_URL = (
    "http://politics.leics.gov.uk/documents/g5461/Printed minutes 01st-Oct-2018 10.00 "
    "Leicestershire Safer Communities Strategy Board.pdf"
)
CABINET_URL = (
    "http://politics.leics.gov.uk/documents/s150201/Community Safety Strategy 2019-2021.pdf"
)


def bundled(url: str, th: Thesaurus, today: date = date(2021, 9, 1)) -> StrategyInfo:
    path = SITES / url_to_path(url)
    if not path.is_file():
        pytest.skip(f"bundled corpus has no {url}")
    return analyse(extract(path.read_bytes(), url, partner="bundled"), th, today=today)


def test_safer_leicester_partnership_page(th: Thesaurus) -> None:
    info = bundled(SLP_URL, th)
    assert info.is_plan and (info.period_start, info.period_end) == (2021, 2024)
    assert info.status == "current"
    strategic = [p for p in info.priorities if p.level == "strategic"]
    assert [p.text for p in strategic] == [
        "People experiencing multiple disadvantage",
        "Serious violence and exploitation",
        "Localities",
        "Community cohesion",
    ]
    assert strategic[1].theme_ids == ["serious-violence", "exploitation"]
    assert "The 4 strategic priorities for Leicester are:" in strategic[0].passage
    themes = [p for p in info.priorities if p.level == "theme"]
    assert len(themes) == 9
    assert themes[0].text == "Domestic and sexual violence"
    assert set(themes[0].theme_ids) == {"domestic-abuse", "sexual-violence"}
    subs = {p.text: p for p in info.priorities if p.level == "sub-theme"}
    cce = subs["Child Criminal Exploitation (County Lines)"]
    assert cce.parent == "Serious organised crime"
    assert set(cce.theme_ids) == {"child-criminal-exploitation", "county-lines"}
    assert subs["Community Safety Tactical Group"].themes_from == "item+group"
    cross = [p.text for p in info.priorities if p.level == "cross-cutting"]
    assert cross == [
        "Prevention and early intervention",
        "Reducing re-offending",
        "Mental health",
        "Substance misuse",
    ]
    every = {p.text for p in info.priorities}
    # members, statutory duties and the foreword's achievements are not priorities
    assert not every & {"Leicestershire Police", "Produce an annual assessment", "Turning Point"}


def test_county_strategy_pdf(th: Thesaurus) -> None:
    info = bundled(LCC_URL, th)
    assert info.doc_type == "strategy" and (info.period_start, info.period_end) == (2019, 2021)
    county = [p for p in info.priorities if p.group.startswith("The county wide priorities")]
    assert len(county) == 7
    assert [p.order for p in county] == list(range(1, 8))
    expected = [
        {"vulnerability"},
        {"crime-reduction"},
        {"asb"},
        {"substance-misuse"},
        {"cyber-crime", "bullying"},
        {"domestic-abuse"},
        {"hate-crime"},
    ]
    for p, want in zip(county, expected, strict=True):
        assert want <= set(p.theme_ids), p.text
        assert p.page is not None
    plan = [p for p in info.priorities if "strategic plan priorities" in p.group]
    assert [p.text.split(":")[0] for p in plan] == [
        "Wellbeing and Opportunity",
        "Keeping People Safe",
        "Great Communities",
    ]


def test_meeting_minutes_have_no_priorities(th: Thesaurus) -> None:
    minutes = bundled(MINUTES_URL, th)
    assert minutes.doc_type == "minutes" and minutes.priorities == []


def test_cover_report_presenting_the_strategy_has_no_priorities(th: Thesaurus) -> None:
    cover = bundled(CABINET_URL, th)
    assert cover.doc_type == "report" and cover.priorities == []
