"""The real app in headless Chromium: journeys a user takes, accessibility (axe-core), screenshots.

Debian's /usr/bin/chromium driven by Playwright; the app runs as ``saferkg serve``
against a data directory crawled and built from the bundled corpus.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import ROOT, build_corpus, serving

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
# Screenshots go to tests/artifacts/ (ignored); UPDATE_SCREENSHOTS=1 refreshes the README's.
SHOTS = ROOT / (
    "docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else "tests/artifacts"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and shutil.which("chromium") is None,
        reason="Debian's chromium is not installed (scripts/test installs it)",
    ),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = build_corpus(tmp_path_factory.mktemp("browser") / "data")
    with serving(data) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            headless=True,
            args=ARGS,
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp lets the test inject axe-core; the app itself never allows inline scripts.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, bypass_csp=True, accept_downloads=True
    )
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def shot(page: Any, name: str, *, top: int = 0, height: int = 1100) -> None:
    """A screenshot for the README: 1280 px wide, ``height`` px of the page from ``top``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    full = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": top, "width": 1280, "height": max(200, min(height, full - top))}
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, clip=clip)


def test_search_then_narrow_by_a_facet(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Search for a topic, priority or phrase").fill("domestic abuse")
    page.get_by_role("button", name="Search").click()
    heading = page.locator("#results-heading")
    assert re.search(r"\d+ results? for", heading.inner_text())
    assert page.locator(".app-passage mark").count() >= 1
    shot(page, "search")
    facet = page.locator(".app-facets a[href*='kind=']").first
    facet_text = facet.inner_text()
    facet.click()
    assert "kind=" in page.url
    assert page.get_by_text("Remove filter:").count() == 1
    expected = int(re.search(r"\((\d+)\)", facet_text).group(1))  # type: ignore[union-attr]
    assert page.locator(".app-result").count() == min(expected, 10)


def test_matrix_cell_leads_to_the_priority_and_its_source(page: Any, base_url: str) -> None:
    page.goto(base_url + "/priorities")
    assert page.locator("table.app-matrix th[scope=col]").count() > 2
    top = page.locator("#matrix-caption").bounding_box()["y"] - 20
    shot(page, "matrix", top=int(top), height=700)
    cell = page.locator("td.app-cell--held a").first
    hidden = cell.locator(".govuk-visually-hidden").inner_text()  # ": partner, theme"
    theme = hidden.rsplit(", ", 1)[-1].strip()
    cell.click()
    assert "/documents/one" in page.url
    found = page.locator("#priorities ~ ul").first.inner_text()
    assert theme in found  # the priority on that theme, with its passage


def test_escalation_route_from_jag_to_spb(page: Any, base_url: str) -> None:
    page.goto(base_url + "/routes")
    page.get_by_label("From").select_option("jag")
    page.get_by_label("To").select_option("spb")
    page.get_by_role("button", name="Show the route").click()
    chain = page.locator("ol.app-chain").first
    abbrs = [t.strip().upper() for t in chain.locator(".app-chain__abbr").all_inner_texts()]
    assert abbrs[0] == "JAG" and abbrs[-1] == "SPB" and "LSCSB" in abbrs
    top = chain.bounding_box()["y"] - 80
    shot(page, "route", top=int(top), height=1300)


def test_review_pack_lists_what_the_annual_review_needs(page: Any, base_url: str) -> None:
    page.goto(base_url + "/review")
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1
    link = summary.locator("a[href='#mismatches']")
    assert link.count() == 1
    link.click()
    assert page.url.endswith("#mismatches")
    assert page.locator("#mismatches + table tbody tr").count() >= 1
    shot(page, "review")


def test_download_the_csa_as_csv(page: Any, base_url: str) -> None:
    page.goto(base_url + "/csa")
    shot(page, "csa")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download as CSV").click()
    path = info.value.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert rows[0][:2] == ["Partner", "Strategy"]
    assert len(rows) > 3


def test_theme_page_shows_who_holds_it_and_partner_page_its_strategies(
    page: Any, base_url: str
) -> None:
    page.goto(base_url + "/themes")
    page.get_by_role("link", name="domestic abuse", exact=True).first.click()
    assert page.locator("h1").inner_text().strip().lower().endswith("domestic abuse")
    holders = page.get_by_text("Safer Leicester Partnership", exact=True)
    assert holders.count() >= 1
    assert page.locator("blockquote, .govuk-inset-text").count() >= 2  # the passages
    shot(page, "theme", height=1200)
    holders.first.click()
    assert "/partners/" in page.url
    assert page.get_by_role("heading", name="Strategies").count() == 1
    assert page.get_by_text("2021 – 2024").count() >= 1
    shot(page, "partner", height=1200)


MAIN_PAGES = [
    "/",
    "/?q=county+lines",
    "/priorities",
    "/themes",
    "/themes/domestic-abuse",
    "/partners",
    "/partners/safer-leicester",
    "/routes?from=jag&to=spb",
    "/review",
    "/csa",
    "/links",
    "/documents",
    "/about",
]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (scripts/test installs it)")
def test_main_pages_have_no_serious_accessibility_violations(page: Any, base_url: str) -> None:
    found: dict[str, list[str]] = {}
    for path in MAIN_PAGES:
        response = page.goto(base_url + path)
        assert response.status == 200, path
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values:
                    ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
                return r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
            }"""
        )
        if violations:
            found[path] = violations
    assert found == {}


def test_pages_work_with_javascript_off(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(base_url + "/")
    pg.get_by_label("Search for a topic, priority or phrase").fill("county lines")
    pg.get_by_role("button", name="Search").click()
    assert "q=county+lines" in pg.url
    assert pg.locator(".app-result").count() >= 1
    context.close()
