"""The bundled corpus: the offline mirror is current, complete and carries what the seeds say."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import deque
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pypdf
import pytest
from protego import Protego

from ingest.mirror import url_to_path
from ingest.sources import load_sources

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SITES = CORPUS / "sites"
SOURCES = CORPUS / "sources.toml"

SLP = "https://www.leicester.gov.uk/your-council/policies-plans-and-strategies/public-safety/safer-leicester-partnership/"
CSA = "https://resources.leicestershire.gov.uk/community-safety/leicestershire-county-community-safety-agreement"
LCC_PAGE = "https://www.leicestershire.gov.uk/leisure-and-community/community-safety"
LCC_STRATEGY = "https://www.leicestershire.gov.uk/sites/default/files/field/pdf/2020/2/20/Community-Safety-Strategy-2019-2021.pdf"
MEETINGS = "http://politics.leics.gov.uk/ieListMeetings.aspx?CommitteeId=1032"
HINCKLEY_2014 = (
    "https://www.hinckley-bosworth.gov.uk/downloads/file/4294/community_safety_strategy_2014-2017"
)

OGL = "Open Government Licence v3.0"

# The partners named in the domain description, as a user would look them up.
DOMAIN_PARTNERS = [
    "Leicestershire County Council",
    "Blaby District Council",
    "Charnwood Borough Council",
    "Harborough District Council",
    "Hinckley and Bosworth Borough Council",
    "Melton Borough Council",
    "North West Leicestershire District Council",
    "Oadby and Wigston Borough Council",
    "Safer Leicester Partnership",
    "Leicester City Council",
    "Rutland County Council",
    "Leicestershire Police",
    "Leicestershire Fire and Rescue Service",
    "National Probation Service",
    "Derbyshire, Leicestershire, Nottinghamshire and Rutland Community Rehabilitation Company",
    "East Leicestershire and Rutland Clinical Commissioning Group",
    "West Leicestershire Clinical Commissioning Group",
    "Leicestershire County Council Public Health",
    "Office of the Police and Crime Commissioner for Leicestershire",
    "Leicestershire Safer Communities Strategy Board",
]


class _Page(HTMLParser):
    """Collects anchors, the tags seen in order, and text per tag, enough for these checks."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.events: list[tuple[str, str]] = []  # ("start", tag) / ("text", data) / ("end", tag)
        self.attrs: list[tuple[str, dict[str, str]]] = []
        self._href: str | None = None
        self._anchor: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.events.append(("start", tag))
        self.attrs.append((tag, a))
        if tag == "a" and "href" in a:
            self._href, self._anchor = a["href"], []

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._anchor).split()), self._href))
            self._href = None

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.events.append(("text", data.strip()))
        if self._href is not None:
            self._anchor.append(data)


def mirror_file(url: str) -> Path:
    return SITES / url_to_path(url)


def parse_page(url: str) -> _Page:
    page = _Page()
    page.feed(mirror_file(url).read_text(encoding="utf-8"))
    return page


def pdf_text(url: str) -> str:
    reader = pypdf.PdfReader(mirror_file(url))
    return "\n".join(p.extract_text() for p in reader.pages)


def squash(text: str) -> str:
    return " ".join(text.split())


def items_of(page: _Page, list_tag: str, after_text: str) -> list[str]:
    """Texts of the <li>s of the first list_tag that follows a text containing after_text."""
    events = page.events
    start = next(i for i, (k, v) in enumerate(events) if k == "text" and after_text in v)
    begin = next(i for i in range(start, len(events)) if events[i] == ("start", list_tag))
    items: list[str] = []
    depth = 0
    for kind, value in events[begin:]:
        if kind == "start" and value == list_tag:
            depth += 1
        elif kind == "end" and value == list_tag:
            depth -= 1
            if depth == 0:
                break
        elif kind == "start" and value == "li" and depth == 1:
            items.append("")
        elif kind == "text" and items:
            items[-1] = (items[-1] + " " + value).strip()
    return items


# ----------------------------------------------------------------------------- the mirror


def test_the_committed_mirror_is_what_the_builder_makes(tmp_path: Path) -> None:
    out = tmp_path / "sites"
    run = subprocess.run(
        [sys.executable, str(CORPUS / "build_mirror.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(SITES).as_posix(): p.read_bytes() for p in SITES.rglob("*") if p.is_file()
    }
    assert sorted(built) == sorted(committed), "run python corpus/build_mirror.py"
    stale = [name for name in built if built[name] != committed[name]]
    assert not stale, f"out of date (run python corpus/build_mirror.py): {stale}"


def test_the_mirror_stays_small() -> None:
    total = sum(p.stat().st_size for p in SITES.rglob("*") if p.is_file())
    assert total < 3 * 1024 * 1024


def test_every_partner_of_the_domain_is_in_the_registry() -> None:
    partners = load_sources(SOURCES)
    names = {p.name for p in partners}
    missing = [n for n in DOMAIN_PARTNERS if n not in names]
    assert not missing
    ids = [p.id for p in partners]
    assert len(ids) == len(set(ids))
    assert {"safer-leicester", "lscsb", "lcc"} <= set(ids)


def test_six_county_csps_cover_the_seven_districts() -> None:
    partners = load_sources(SOURCES)
    county_csps = [p for p in partners if p.type == "CSP" and p.area != "Leicester"]
    assert len(county_csps) == 6
    covered = [c for p in county_csps for c in p.extra["covers"]]
    districts = [n for n in DOMAIN_PARTNERS if n.endswith(("District Council", "Borough Council"))]
    assert sorted(covered) == sorted(districts)
    shared = next(p for p in county_csps if len(p.extra["covers"]) == 2)
    assert set(shared.extra["covers"]) == {
        "Blaby District Council",
        "Hinckley and Bosworth Borough Council",
    }


def test_the_registry_documents_every_key() -> None:
    header = SOURCES.read_text(encoding="utf-8").split("\n[[partner]]", 1)[0]
    for key in ("id", "name", "type", "area", "homepage", "start", "scope", "max_depth"):
        assert f"#   {key} " in header, key
    used = {
        k for entry in tomllib.loads(SOURCES.read_text(encoding="utf-8"))["partner"] for k in entry
    }
    for key in used:
        assert f"#   {key} " in header, f"key {key!r} is used but not documented"


@pytest.mark.parametrize("url", [SLP, CSA, LCC_PAGE, LCC_STRATEGY, MEETINGS])
def test_the_key_start_urls_are_archived(url: str) -> None:
    starts = {u for p in load_sources(SOURCES) for u in p.start}
    assert url in starts
    assert mirror_file(url).is_file()


def _crawl(start: list[str], in_scope: Callable[[str], bool], max_depth: int) -> dict[str, int]:
    """Breadth-first over the mirror as the offline crawler would see it: url -> depth."""
    seen = {u: 0 for u in start}
    queue = deque(start)
    while queue:
        url = queue.popleft()
        path = mirror_file(url)
        if seen[url] >= max_depth or not path.is_file() or path.suffix == ".pdf":
            continue
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        for _, href in page.links:
            target = urljoin(url, href).split("#", 1)[0]
            if (
                urlsplit(target).scheme in ("http", "https")
                and in_scope(target)
                and target not in seen
            ):
                seen[target] = seen[url] + 1
                queue.append(target)
    return seen


def test_every_archived_document_is_reachable_offline_from_a_partner() -> None:
    reached: dict[str, set[str]] = {}
    for partner in load_sources(SOURCES):
        depth = 2 if partner.max_depth is None else partner.max_depth
        for url in _crawl(list(partner.start), partner.in_scope, depth):
            if mirror_file(url).is_file():
                reached.setdefault(url_to_path(url), set()).add(partner.id)
    documents = [
        p.relative_to(SITES).as_posix()
        for p in SITES.rglob("*")
        if p.is_file() and p.name != "robots.txt"
    ]
    unreached = [d for d in documents if d not in reached]
    assert not unreached
    lscsb_papers = [d for d in documents if d.startswith("politics.leics.gov.uk/documents/")]
    assert len(lscsb_papers) >= 11
    assert all("lscsb" in reached[d] or "lcc" in reached[d] for d in lscsb_papers)


def test_robots_txt_is_there_to_be_obeyed() -> None:
    robots = Protego.parse(mirror_file("http://politics.leics.gov.uk/robots.txt").read_text())
    assert not robots.can_fetch("http://politics.leics.gov.uk/mgWebService.asmx", "saferkg")
    assert not robots.can_fetch(MEETINGS + "&PR=1", "saferkg")
    assert robots.can_fetch(MEETINGS, "saferkg")
    meetings = parse_page(MEETINGS)
    assert any(href.endswith("&PR=1") for _, href in meetings.links)


# ----------------------------------------------------------------------------- HTML pages


def test_slp_page_has_its_four_priorities_in_an_ordered_list() -> None:
    page = parse_page(SLP)
    assert items_of(page, "ol", "The 4 strategic priorities for Leicester are") == [
        "People experiencing multiple disadvantage",
        "Serious violence and exploitation",
        "Localities",
        "Community cohesion",
    ]


def test_slp_page_has_delivery_and_cross_cutting_themes_and_a_date() -> None:
    page = parse_page(SLP)
    h3s = [
        page.events[i + 1][1]
        for i, e in enumerate(page.events)
        if e == ("start", "h3") and page.events[i + 1][0] == "text"
    ]
    for theme in ("Domestic and sexual violence", "Serious organised crime", "Hate crime"):
        assert theme in h3s
    assert "Child Criminal Exploitation (County Lines)" in items_of(
        page, "ul", "Serious organised crime"
    )
    assert items_of(page, "ul", "Cross cutting themes") == [
        "Prevention and early intervention",
        "Reducing re-offending",
        "Mental health",
        "Substance misuse",
    ]
    times = [a for tag, a in page.attrs if tag == "time"]
    assert times and times[0]["datetime"].startswith("2021-06")


@pytest.mark.parametrize("url", [SLP, CSA, LCC_PAGE, MEETINGS])
def test_pages_have_site_chrome_and_the_licence(url: str) -> None:
    text = mirror_file(url).read_text(encoding="utf-8")
    for marker in ("<main", "<header", "<footer", 'aria-label="Breadcrumb"', "cookie", "Skip to"):
        assert marker in text, marker
    assert OGL in text
    main = text.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Cookies" not in main  # the chrome stays outside the content


def test_csa_keeps_the_hinckley_label_on_the_2014_2017_document() -> None:
    links = dict(parse_page(CSA).links)
    assert links["Hinckley and Bosworth 2017-20"] == HINCKLEY_2014
    assert links["Charnwood - 2017-20"].endswith(
        "CSP Partnership Plan 2017 2020 %282%29 %282%29.pdf"
    )
    assert links["LSCSB Board Documents"] == MEETINGS
    assert links["Leicester City Council 2016-17"] == SLP


def test_csa_lists_the_seven_shared_priorities_and_its_sections() -> None:
    page = parse_page(CSA)
    priorities = items_of(page, "ul", "The county-wide priorities agreed")
    assert len(priorities) == 7
    assert "Reduce incidence and impact of ASB" in priorities
    headings = [page.events[i + 1][1] for i, e in enumerate(page.events) if e == ("start", "h2")]
    for section in (
        "District Partners and Their Strategies",
        "Responsible Agencies and Their Strategies",
        "Common Themes & Shared Priorities",
        "Key Strategic Documents and Toolkits",
        "Contact your partenrship:",
    ):
        assert section in headings


def test_meetings_index_links_every_lscsb_paper_with_its_title() -> None:
    links = parse_page(MEETINGS).links
    papers = [(text, href) for text, href in links if "/documents/" in href]
    archived = [(t, h) for t, h in papers if mirror_file(urljoin(MEETINGS, h)).is_file()]
    assert len(archived) >= 11
    assert any("Tackling Hate" in t for t, _ in archived)
    assert any("Hope Project" in t for t, _ in archived)
    # two older performance papers are linked but were never archived
    assert len(papers) - len(archived) == 2


# ----------------------------------------------------------------------------- PDFs


def _all_pdfs() -> list[Path]:
    return sorted(SITES.rglob("*.pdf"))


@pytest.mark.parametrize("path", _all_pdfs(), ids=lambda p: p.name[:40])
def test_every_pdf_opens_with_a_title_and_the_licence_on_its_last_page(path: Path) -> None:
    reader = pypdf.PdfReader(path)
    assert reader.metadata is not None and reader.metadata.title
    assert OGL in squash(reader.pages[-1].extract_text())


def test_lcc_strategy_has_the_seven_county_wide_priorities_in_order() -> None:
    text = squash(pdf_text(LCC_STRATEGY))
    priorities = [
        "Identify and protect the most vulnerable;",
        "Reduce crime and fear of crime;",
        "Reduce incidence and impact of ASB;",
        "Reduce harm from alcohol and substance misuse;",
        "Reduce risk of harm to young people from cyber crime and bullying;",
        "Increase reporting of domestic abuse and protect the most vulnerable; and",
        "Increase confidence in reporting of hate incidents.",
    ]
    positions = [text.index("• " + p) for p in priorities]
    assert positions == sorted(positions)
    assert "Keeping People Safe: People in Leicestershire are safe and protected from harm" in text
    assert "significant risk of duplication or a failure to develop collective strategies" in text
    # the five workstreams, each a heading followed by its bullets
    for workstream in ("ASB", "Prevent & Hate crime", "Domestic abuse & vulnerability"):
        assert f"\n{workstream}\n•" in pdf_text(LCC_STRATEGY)


def test_lscsb_papers_carry_what_the_seeds_say() -> None:
    docs = "http://politics.leics.gov.uk/documents/"
    hate = squash(
        pdf_text(docs + "s142106/Appendix A - LLR Strategy Statement for Tackling Hate.pdf")
    )
    assert "• Raising awareness" in hate
    assert "• Re-assuring, strengthening and educating communities" in hate
    roles = pdf_text(docs + "s142108/Appendix 1 - Outputs of September 2018 workshop.pdf")
    for body in ("SPB", "SPB Exec", "LSCSB", "SOG", "CSP", "JAG"):
        assert f"\n{body}\n" in roles, body
    assert "Turns the plans of CSPs into operational activities" in squash(roles)
    opcc = squash(pdf_text(docs + "s142107/OPCC update report.pdf"))
    assert (
        "escalate issues up through Community Safety Partnerships (CSPs), ultimately to the SPB"
        in opcc
    )
    hwb = squash(pdf_text(docs + "s142101/Strengthening links between LSCSB and HWB.pdf"))
    assert "drug misuse, alcohol misuse, mental health, domestic abuse and sexual violence" in hwb
    review = squash(pdf_text(docs + "s149873/LSCSB CSA Update Dec 2019.pdf"))
    assert "test document links on a regular basis" in review


def test_seed_spelling_quirks_are_kept() -> None:
    csa = mirror_file(CSA).read_text(encoding="utf-8")
    for quirk in ("Harbourough", "Stategy", "partenrship", "Effcetive"):
        assert quirk in csa, quirk
    assert "The is strategy document" in squash(pdf_text(LCC_STRATEGY))
