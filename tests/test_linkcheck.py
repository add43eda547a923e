"""Link health against a real loopback server: broken is kept apart from blocked/unsure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sites import Page, Site, partner_site, refused_port, serve, site_fixture, store_fixture  # noqa: F401  (fixtures)

from ingest.fetch import HttpFetcher, MirrorFetcher, Response
from ingest.linkcheck import LinkChecker, classify_response, is_bot_wall
from ingest.mirror import url_to_path
from ingest.robots import Politeness
from ingest.store import Store
from saferkg.settings import Settings


@pytest.fixture
def checker(store: Store) -> Iterator[LinkChecker]:
    fetcher = HttpFetcher.from_settings(Settings(read_timeout=0.5, connect_timeout=2.0))
    polite = Politeness(fetcher, user_agent="saferkg/0.1", delay=0)
    yield LinkChecker(store, fetcher, polite, ttl_hours=24)
    fetcher.close()


@pytest.mark.parametrize(
    ("path", "category", "ok", "status"),
    [
        ("/csp/plan.html", "ok", True, 200),
        ("/csp/moved", "redirect", True, 200),
        ("/csp/gone", "broken", False, 410),
        ("/csp/missing.html", "broken", False, 404),
        ("/csp/forbidden.html", "blocked", None, 403),
        ("/csp/ratelimited.html", "blocked", None, 429),
        ("/csp/error.html", "unsure", None, 500),
        ("/csp/noheadplease.html", "ok", True, 200),
        ("/csp/private/secret.html", "unsure", None, None),
    ],
)
def test_categories(
    site: Site, checker: LinkChecker, path: str, category: str, ok: bool | None, status: int | None
) -> None:
    result = checker.check(site.url(path))
    assert (result.category, result.ok, result.status) == (category, ok, status)


def test_redirect_records_where_it_ends(site: Site, checker: LinkChecker) -> None:
    result = checker.check(site.url("/csp/moved"))
    assert result.final_url == site.url("/csp/current.html")


def test_unreachable_hosts_are_broken_and_timeouts_unsure(site: Site, checker: LinkChecker) -> None:
    refused = checker.check(f"http://127.0.0.1:{refused_port()}/plan.html")
    assert refused.category == "broken" and "refused" in (refused.error or "")
    dns = checker.check("http://nonexistent.invalid/plan.html")
    assert dns.category == "broken" and dns.ok is False
    assert checker.check(site.url("/csp/slow.html")).category == "unsure"
    assert checker.check(site.url("/csp/loop-a")).category == "broken"


def test_bot_walls_are_blocked_not_ok_or_broken(site: Site, checker: LinkChecker) -> None:
    # A wall that refuses HEAD and answers GET with a 200 challenge page.
    site.pages["/challenge"] = Page(
        b"<html><title>Just a moment...</title><div id='challenge-platform'></div></html>",
        head_status=405,
    )
    site.pages["/cf503"] = Page(
        b"<html>busy</html>", status=503, headers={"Server": "cloudflare", "CF-RAY": "8a1"}
    )
    assert checker.check(site.url("/challenge")).category == "blocked"
    assert checker.check(site.url("/cf503")).category == "blocked"
    wall = Response(url="u", final_url="u", status=403, headers={"cf-mitigated": "challenge"})
    assert is_bot_wall(wall) and classify_response(wall).category == "blocked"


def test_results_are_cached_for_the_ttl(site: Site, store: Store, checker: LinkChecker) -> None:
    url = site.url("/csp/plan.html")
    checker.check(url)
    checker.check(url)
    heads = [h for h in site.hits if h.path == "/csp/plan.html"]
    assert len(heads) == 1
    later = LinkChecker(
        store,
        checker.fetcher,
        checker.politeness,
        ttl_hours=24,
        now=lambda: datetime.now(UTC) + timedelta(hours=25),
    )
    later.check(url)
    assert len([h for h in site.hits if h.path == "/csp/plan.html"]) == 2


def test_check_all_covers_the_store_links(site: Site, store: Store, checker: LinkChecker) -> None:
    page = site.url("/csp/")
    store.replace_links(
        page,
        "p",
        [
            (site.url("/csp/plan.html"), "Plan", True),
            (site.url("/csp/gone"), "Gone", True),
            (site.url("/csp/forbidden.html"), "Forbidden", True),
        ],
    )
    counts = checker.check_all()
    assert counts["ok"] == 1 and counts["broken"] == 1 and counts["blocked"] == 1
    problems = {r["url"]: r for r in store.links_report(only_problems=True)}
    assert problems[site.url("/csp/gone")]["found_on"] == [page]
    assert problems[site.url("/csp/gone")]["anchor"] == "Gone"


def test_offline_links_are_ok_or_not_archived(tmp_path: Path, store: Store) -> None:
    have = "https://www.example.gov.uk/csp/plan.html"
    (tmp_path / "sites" / url_to_path(have)).parent.mkdir(parents=True)
    (tmp_path / "sites" / url_to_path(have)).write_text("<html>plan</html>")
    mirror = MirrorFetcher(tmp_path / "sites")
    checker = LinkChecker(store, mirror, Politeness(mirror, user_agent="saferkg", delay=0))
    assert checker.check(have).category == "ok"
    missing = checker.check("https://www.example.gov.uk/csp/old.pdf")
    assert (missing.category, missing.ok) == ("not_archived", None)
