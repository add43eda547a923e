"""Fetchers against a real loopback server and a mirror on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sites import (
    Page,
    Site,
    refused_port,
    site_fixture,  # noqa: F401  (fixtures)
)

from ingest.errors import (
    ConnectFailed,
    FetchTimeout,
    HttpStatusError,
    NotArchived,
    TooLarge,
    TooManyRedirects,
)
from ingest.fetch import HttpFetcher, MirrorFetcher
from ingest.mirror import url_to_path
from ingest.robots import Politeness
from saferkg import __version__
from saferkg.settings import Settings


@pytest.fixture
def fetcher() -> Iterator[HttpFetcher]:
    settings = Settings(read_timeout=0.5, connect_timeout=2.0, max_bytes=100_000)
    f = HttpFetcher.from_settings(settings)
    yield f
    f.close()


def test_page_is_fetched_with_an_honest_user_agent(site: Site, fetcher: HttpFetcher) -> None:
    resp = fetcher.fetch(site.url("/csp/plan.html"))
    assert resp.status == 200 and resp.content_type == "text/html"
    assert b"Community Safety Plan" in resp.body
    assert site.gets("/csp/plan.html")[0].headers["User-Agent"].startswith(f"saferkg/{__version__}")


def test_redirect_is_followed_and_reported(site: Site, fetcher: HttpFetcher) -> None:
    resp = fetcher.fetch(site.url("/csp/moved"))
    assert resp.final_url == site.url("/csp/current.html")
    assert resp.redirects == [site.url("/csp/current.html")]
    assert b"Moved here" in resp.body


def test_redirect_loop_is_an_error(site: Site, fetcher: HttpFetcher) -> None:
    with pytest.raises(TooManyRedirects, match="loop"):
        fetcher.fetch(site.url("/csp/loop-a"))


def test_redirect_chain_is_bounded(site: Site) -> None:
    for i in range(4):
        site.pages[f"/r{i}"] = Page(status=302, headers={"Location": f"/r{i + 1}"})
    site.pages["/r4"] = Page(b"<html>end</html>")
    with httpx.Client() as client:
        short = HttpFetcher(client, user_agent="saferkg-test", max_redirects=2)
        with pytest.raises(TooManyRedirects, match="more than 2"):
            short.fetch(site.url("/r0"))
        assert short.fetch(site.url("/r2")).final_url == site.url("/r4")


@pytest.mark.parametrize("path,status", [("/csp/gone", 410), ("/csp/missing.html", 404)])
def test_error_status_raises_with_status(
    site: Site, fetcher: HttpFetcher, path: str, status: int
) -> None:
    with pytest.raises(HttpStatusError) as info:
        fetcher.fetch(site.url(path))
    assert info.value.status == status


def test_slow_page_times_out(site: Site, fetcher: HttpFetcher) -> None:
    with pytest.raises(FetchTimeout, match="limit 0.5s"):
        fetcher.fetch(site.url("/csp/slow.html"))


def test_oversized_body_is_refused_by_length_and_by_counting(
    site: Site, fetcher: HttpFetcher
) -> None:
    with pytest.raises(TooLarge, match="over the 100,000 byte limit"):
        fetcher.fetch(site.url("/csp/big.html"))
    site.pages["/csp/big-chunked.html"] = Page(b"<html>" + b"y" * 300_000, send_length=False)
    with pytest.raises(TooLarge, match="more than the 100,000 byte limit"):
        fetcher.fetch(site.url("/csp/big-chunked.html"))


def test_refused_port_and_unknown_host_are_connect_failures(fetcher: HttpFetcher) -> None:
    with pytest.raises(ConnectFailed, match="refused"):
        fetcher.fetch(f"http://127.0.0.1:{refused_port()}/")
    with pytest.raises(ConnectFailed, match="cannot connect"):
        fetcher.fetch("http://nonexistent.invalid/plan.html")


def test_conditional_request_gives_not_modified(site: Site, fetcher: HttpFetcher) -> None:
    first = fetcher.fetch(site.url("/csp/etag.html"))
    assert first.etag == '"v1"' and first.last_modified
    again = fetcher.fetch(site.url("/csp/etag.html"), etag=first.etag)
    assert again.not_modified and again.status == 304 and again.body == b""
    site.pages["/csp/etag.html"] = Page(b"<html>two</html>", etag='"v2"')
    changed = fetcher.fetch(site.url("/csp/etag.html"), etag=first.etag)
    assert not changed.not_modified and changed.body == b"<html>two</html>"


def test_pdf_type_is_sniffed_from_the_bytes(site: Site, fetcher: HttpFetcher) -> None:
    site.pages["/download/4294"] = Page(
        site.pages["/csp/strategy.pdf"].body, content_type="application/octet-stream"
    )
    assert fetcher.fetch(site.url("/download/4294")).content_type == "application/pdf"


def test_head_returns_status_and_probe_get_reads_only_the_start(
    site: Site, fetcher: HttpFetcher
) -> None:
    assert fetcher.head(site.url("/csp/noheadplease.html")).status == 405
    assert fetcher.head(site.url("/csp/noheadplease.html"), method="GET").status == 200
    assert fetcher.head(site.url("/csp/gone")).status == 410
    probe = fetcher.head(site.url("/csp/big.html"), method="GET")  # no TooLarge for a probe
    assert probe.status == 200 and len(probe.body) <= 65536


def test_robots_rules_and_failures(site: Site, fetcher: HttpFetcher) -> None:
    polite = Politeness(fetcher, user_agent="saferkg/0.1", delay=0)
    assert polite.allowed(site.url("/csp/plan.html"))[0]
    ok, reason = polite.allowed(site.url("/csp/private/secret.html"))
    assert not ok and "disallows" in reason
    polite.allowed(site.url("/csp/other.html"))
    assert len(site.gets("/robots.txt")) == 1  # cached for the run

    for status, allowed in ((404, True), (403, False), (503, False)):
        site.pages["/robots.txt"] = Page(b"", status=status)
        ok, reason = Politeness(fetcher, user_agent="saferkg/0.1", delay=0).allowed(
            site.url("/csp/plan.html")
        )
        assert ok is allowed, (status, reason)
        if not allowed:
            assert str(status) in reason


def test_crawl_delay_raises_the_host_delay(site: Site, fetcher: HttpFetcher) -> None:
    site.pages["/robots.txt"] = Page(b"User-agent: *\nCrawl-delay: 7\n", content_type="text/plain")
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    polite = Politeness(
        fetcher, user_agent="saferkg/0.1", delay=2, clock=lambda: now[0], sleep=sleep
    )
    url = site.url("/csp/plan.html")
    polite.check(url)
    polite.wait(url)
    polite.wait(url)
    assert slept[-1] == pytest.approx(7.0)
    assert polite.host_delay(site.url("/x")) == 7.0


def test_mirror_fetcher_reads_the_mirror(tmp_path: Path) -> None:
    url = "https://www.example.gov.uk/downloads/file/42/plan"
    path = tmp_path / url_to_path(url)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-1.4 fake")
    mirror = MirrorFetcher(tmp_path)
    resp = mirror.fetch(url)
    assert resp.content_type == "application/pdf" and resp.status == 200
    assert mirror.head(url).status == 200
    with pytest.raises(NotArchived):
        mirror.fetch("https://www.example.gov.uk/not/here.html")
    with pytest.raises(NotArchived):
        mirror.head("https://www.example.gov.uk/not/here.html")
