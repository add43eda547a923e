"""The crawler over a real loopback site: scope, depth, robots, failures, changes, resume."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sites import Page, Site, html, partner_site, refused_port, serve, site_fixture, store_fixture  # noqa: F401  (fixtures)

from ingest.crawl import Crawler, CrawlResult, PartnerSummary
from ingest.fetch import HttpFetcher
from ingest.sources import Partner
from ingest.store import Store
from saferkg.settings import Settings

SETTINGS = Settings(delay=0, read_timeout=0.5, connect_timeout=2.0, max_bytes=100_000)


@pytest.fixture
def fetcher() -> Iterator[HttpFetcher]:
    f = HttpFetcher.from_settings(SETTINGS)
    yield f
    f.close()


def partner(site: Site, max_depth: int = 2) -> Partner:
    return Partner(
        id="safer-example",
        name="Safer Example Partnership",
        type="CSP",
        start=(site.url("/csp/"),),
        max_depth=max_depth,
    )


def crawl(site: Site, store: Store, fetcher: HttpFetcher, **kw: object) -> PartnerSummary:
    result = Crawler.from_settings(SETTINGS, store, fetcher, **kw).crawl([partner(site)])
    assert not result.interrupted
    return result.partners[0]


def reasons(summary: PartnerSummary) -> dict[str, str]:
    return {url.rsplit("/", 1)[-1]: reason for url, reason in summary.failures}


def test_first_crawl(site: Site, store: Store, fetcher: HttpFetcher) -> None:
    s = crawl(site, store, fetcher)
    urls = {d["url"] for d in store.document_summaries()}
    # Pages, the PDF, the redirect's target and the windows-1252 page are stored.
    for path in ("/csp/", "/csp/plan.html", "/csp/deeper.html", "/csp/current.html"):
        assert site.url(path) in urls
    pdf = store.document(site.url("/csp/strategy.pdf"))
    assert pdf is not None and pdf.kind == "pdf" and "serious violence" in pdf.text
    cp = store.document(site.url("/csp/cp1252.html"))
    assert cp is not None and cp.title.startswith("Caf\u00e9 culture")
    assert "\u00a3250,000 for \u201csafer streets\u201d" in cp.text
    # Depth 2 stops before the deepest page; the redirect source is not a document.
    assert site.url("/csp/deepest.html") not in urls and site.url("/csp/moved") not in urls
    assert not site.gets("/csp/deepest.html")
    # robots.txt honoured; out of scope and non-page files not fetched.
    assert not site.gets("/csp/private/secret.html") and s.robots == 1
    assert not [h for h in site.hits if h.path == "/elsewhere/news.html" and h.method == "GET"]
    assert not site.gets("/csp/minutes.docx")
    assert s.out_of_scope == 3  # elsewhere, refused port, unknown host
    # The fragment link is the same page: fetched once.
    assert len(site.gets("/csp/plan.html")) == 1
    # Failures are recorded with their reasons and the crawl went on.
    why = reasons(s)
    assert "410" in why["gone"] and "404" in why["missing.html"] and "500" in why["error.html"]
    assert "timed out" in why["slow.html"] and "byte limit" in why["big.html"]
    assert "loop" in why["loop-a"] and "403" in why["forbidden.html"]
    assert s.fetched == len(urls) and s.unchanged == 0


def test_link_health_after_a_live_crawl(site: Site, store: Store, fetcher: HttpFetcher) -> None:
    crawl(site, store, fetcher)

    def category(path_or_url: str) -> str:
        url = path_or_url if "://" in path_or_url else site.url(path_or_url)
        row = store.link_status(url)
        assert row is not None, url
        return str(row["category"])

    assert category("/csp/gone") == "broken" and category("/csp/missing.html") == "broken"
    assert category("/csp/forbidden.html") == "blocked"
    assert category("/csp/ratelimited.html") == "blocked"
    assert category("/csp/moved") == "redirect"
    assert category("/elsewhere/news.html") == "ok"
    assert category("http://nonexistent.invalid/plan.html") == "broken"
    assert category(site.refused_url) == "broken"
    assert category("/csp/plan.html") == "ok"
    assert category("/csp/private/secret.html") == "unsure"
    gone = next(r for r in store.links_report() if r["url"] == site.url("/csp/gone"))
    assert gone["found_on"] == [site.url("/csp/")] and gone["anchor"] == "Gone"


def test_second_crawl_reprocesses_nothing(site: Site, store: Store, fetcher: HttpFetcher) -> None:
    first = crawl(site, store, fetcher)
    calls: list[str] = []

    def spy(body: bytes, url: str, **kw: str):  # type: ignore[no-untyped-def]
        calls.append(url)
        from ingest.extract import extract

        return extract(body, url, **kw)

    second = crawl(site, store, fetcher, extract=spy)
    assert second.fetched == 0 and second.unchanged == first.fetched
    assert calls == []  # an unchanged body is never re-extracted
    assert store.counts()["versions"] == 0
    conditional = site.gets("/csp/etag.html")[-1]
    assert conditional.headers.get("If-None-Match") == '"v1"' and conditional.status == 304
    # Unchanged pages still lead to their links: the deeper page was checked again.
    assert len(site.gets("/csp/deeper.html")) == 2


def test_a_changed_page_keeps_its_previous_version(
    site: Site, store: Store, fetcher: HttpFetcher
) -> None:
    crawl(site, store, fetcher)
    site.pages["/csp/plan.html"] = Page(html("Community Safety Plan 2024-2027", "<p>New.</p>"))
    s = crawl(site, store, fetcher)
    assert s.changed == 1 and s.new == 0
    doc = store.document(site.url("/csp/plan.html"))
    assert doc is not None and doc.title.startswith("Community Safety Plan 2024-2027")
    [old] = store.versions(site.url("/csp/plan.html"))
    assert old["version"] == 1


def test_failures_never_lose_the_stored_version(
    site: Site, store: Store, fetcher: HttpFetcher
) -> None:
    crawl(site, store, fetcher)
    before = store.document(site.url("/csp/strategy.pdf"))
    site.pages["/csp/strategy.pdf"] = Page(b"%PDF-1.4 truncated", content_type="application/pdf")
    site.pages["/csp/plan.html"] = Page(b"", status=503)
    s = crawl(site, store, fetcher)
    why = reasons(s)
    assert "cannot extract" in why["strategy.pdf"] and "503" in why["plan.html"]
    assert store.document(site.url("/csp/strategy.pdf")) == before
    assert store.document(site.url("/csp/plan.html")) is not None


def test_max_pages_per_partner(site: Site, store: Store, fetcher: HttpFetcher) -> None:
    s = crawl(site, store, fetcher, max_pages=3, check_links=False)
    assert s.fetched + s.failed + s.unchanged == 3


def test_interrupted_crawl_resumes_without_refetching(
    site: Site, store: Store, fetcher: HttpFetcher
) -> None:
    seen: list[str] = []

    def stop_after_four(partner: str, url: str, outcome: str, detail: str) -> None:
        seen.append(url)
        if len(seen) == 4:
            raise KeyboardInterrupt

    first = Crawler.from_settings(SETTINGS, store, fetcher, on_page=stop_after_four).crawl(
        [partner(site)]
    )
    assert first.interrupted and store.last_run()["status"] == "interrupted"  # type: ignore[index]
    done_paths = [u.replace(site.base, "") for u in seen[:3]]
    second: CrawlResult = Crawler.from_settings(SETTINGS, store, fetcher).crawl([partner(site)])
    assert second.resumed and second.run_id == first.run_id and not second.interrupted
    for path in done_paths:
        assert len(site.gets(path)) == 1, path  # done before Ctrl-C: not fetched again
    assert store.document(site.url("/csp/deeper.html")) is not None
    assert store.last_run()["status"] == "finished"  # type: ignore[index]
    # The summary counts the whole run, before and after the interruption.
    assert second.partners[0].fetched == len(store.document_summaries())


def test_per_host_delay_between_requests(site: Site, store: Store, fetcher: HttpFetcher) -> None:
    # An injected clock: the crawler sleeps the delay between two requests to the host.
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    crawler = Crawler.from_settings(
        SETTINGS,
        store,
        fetcher,
        delay=2.0,
        max_pages=4,
        check_links=False,
        clock=lambda: now[0],
        sleep=sleep,
    )
    crawler.crawl([partner(site)])
    # robots.txt, then 4 pages: every request after the first waited 2 s.
    assert slept == [2.0] * 4


def test_offline_crawl_reads_the_mirror_and_honours_its_robots(
    tmp_path: Path, store: Store
) -> None:
    from ingest.fetch import MirrorFetcher
    from ingest.mirror import url_to_path

    base = "https://www.example.gov.uk"
    files = {
        "/robots.txt": "User-agent: *\nDisallow: /csp/private/\n",
        "/csp/": "<html><head><title>CSP</title></head><body><h1>CSP</h1>"
        "<a href='plan.html'>Plan</a><a href='private/x.html'>X</a>"
        "<a href='gone.pdf'>Old</a></body></html>",
        "/csp/plan.html": "<html><head><title>Plan</title></head><body><h1>Plan</h1>"
        "<p>Priorities.</p></body></html>",
        "/csp/private/x.html": "<html><body><h1>X</h1><p>x</p></body></html>",
    }
    for path, text in files.items():
        target = tmp_path / "sites" / url_to_path(base + path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    p = Partner(id="ex", name="Ex", start=(base + "/csp/",))
    result = Crawler.from_settings(SETTINGS, store, MirrorFetcher(tmp_path / "sites")).crawl([p])
    s = result.partners[0]
    assert (s.fetched, s.robots, s.not_archived) == (2, 1, 1)
    assert s.not_archived_urls == [base + "/csp/gone.pdf"]
    assert store.link_status(base + "/csp/gone.pdf")["category"] == "not_archived"  # type: ignore[index]
    assert result.links["ok"] >= 1
