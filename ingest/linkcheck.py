"""Link health: is each link target ok, moved, broken, or can we not tell?

A link checker that cries wolf is ignored, so "broken" is kept for answers
that really mean the page is gone (404, 410, a host that does not exist, a
refused connection, a redirect loop). Anything a server may say to a robot
and not to a person (401, 403, 429, 5xx, timeouts, bot walls, robots.txt) is
"blocked" or "unsure".

| category | ok | when |
|---|---|---|
| ok | True | 2xx |
| redirect | True | 3xx ending at a 2xx elsewhere (``final_url``) |
| broken | False | 404, 410, DNS failure, connection refused, redirect loop |
| blocked | None | 401, 403, 429, a bot wall (challenge page, Cloudflare 503) |
| unsure | None | other 4xx/5xx, timeouts, robots.txt disallows checking |
| not_archived | None | offline: the mirror has no copy |

Results are cached in the store and reused for ``link_check_ttl`` hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .errors import (
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    NotArchived,
    RobotsDisallowed,
    TooManyRedirects,
)
from .fetch import Fetcher, Response
from .robots import Politeness
from .store import Store

if TYPE_CHECKING:
    from saferkg.settings import Settings

CATEGORIES = ("ok", "redirect", "broken", "blocked", "unsure", "not_archived")

#: Text of well-known bot-challenge pages (matched in the first bytes of the body).
CHALLENGE_MARKERS = (
    b"cf-browser-verification",
    b"challenge-platform",
    b"cf_chl_",
    b"just a moment...",
    b"attention required! | cloudflare",
    b"g-recaptcha",
    b"h-captcha",
    b"hcaptcha.com",
    b"captcha-delivery.com",
    b"please verify you are a human",
    b"_incapsula_resource",
    b"are you a robot",
)

#: A HEAD answer that may only mean "HEAD is not welcome": try a GET before judging.
_HEAD_REFUSED = frozenset({400, 403, 404, 405, 406, 410, 500, 501, 502, 503})


@dataclass(frozen=True)
class LinkResult:
    """The health of one link target."""

    url: str
    category: str
    ok: bool | None
    status: int | None = None
    error: str | None = None
    final_url: str | None = None


def is_bot_wall(resp: Response) -> bool:
    """Whether a response looks like a bot challenge rather than the page."""
    headers = resp.headers
    cloudflare = headers.get("server", "").lower() == "cloudflare" or "cf-ray" in headers
    if resp.status in (403, 429, 503) and (cloudflare or "cf-mitigated" in headers):
        return True
    if headers.get("cf-mitigated") == "challenge":
        return True
    head = resp.body[:65536].lower()
    return any(marker in head for marker in CHALLENGE_MARKERS)


def classify_response(resp: Response) -> LinkResult:
    """The category of an answered request (redirects already followed)."""
    status = resp.status
    final = resp.final_url if resp.final_url != resp.url else None
    if is_bot_wall(resp):
        return LinkResult(resp.url, "blocked", None, status, "bot challenge page", final)
    if 200 <= status < 300:
        if final:
            return LinkResult(resp.url, "redirect", True, status, None, final)
        return LinkResult(resp.url, "ok", True, status)
    if status in (404, 410):
        return LinkResult(resp.url, "broken", False, status, f"HTTP {status}", final)
    if status in (401, 403, 429):
        return LinkResult(resp.url, "blocked", None, status, f"HTTP {status}", final)
    return LinkResult(resp.url, "unsure", None, status, f"HTTP {status}", final)


def classify_error(url: str, error: FetchError) -> LinkResult:
    """The category of a request that failed."""
    status = error.status
    if isinstance(error, NotArchived):
        return LinkResult(url, "not_archived", None, None, "not in the offline mirror")
    if isinstance(error, HttpStatusError) and status is not None:
        return classify_response(Response(url=url, final_url=url, status=status))
    if isinstance(error, ConnectFailed | TooManyRedirects):
        return LinkResult(url, "broken", False, status, str(error))
    if isinstance(error, RobotsDisallowed):
        return LinkResult(url, "unsure", None, None, "not checked: " + str(error))
    if isinstance(error, FetchTimeout):
        return LinkResult(url, "unsure", None, None, str(error))
    return LinkResult(url, "unsure", None, status, str(error))


def _skip(url: str) -> bool:
    return not url.lower().startswith(("http://", "https://"))


class LinkChecker:
    """Checks link targets politely and caches the answers in the store.

    >>> checker = LinkChecker(store, fetcher, politeness, ttl_hours=24)  # doctest: +SKIP
    >>> checker.check("https://www.example.gov.uk/gone").category       # doctest: +SKIP
    'broken'
    """

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        politeness: Politeness,
        *,
        ttl_hours: float = 24.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.politeness = politeness
        self.ttl = timedelta(hours=ttl_hours)
        self.now = now

    @classmethod
    def from_settings(
        cls, settings: Settings, store: Store, fetcher: Fetcher, politeness: Politeness
    ) -> LinkChecker:
        """A checker with the TTL from the settings."""
        return cls(store, fetcher, politeness, ttl_hours=settings.link_check_ttl)

    def fresh(self, url: str) -> bool:
        """Whether the cached result is recent enough to reuse."""
        row = self.store.link_status(url)
        if row is None:
            return False
        try:
            checked = datetime.fromisoformat(row["checked_at"])
        except (TypeError, ValueError):
            return False
        if checked.tzinfo is None:
            checked = checked.replace(tzinfo=UTC)
        return self.now() - checked < self.ttl

    def record(self, result: LinkResult) -> None:
        """Store a result (also used by the crawler for pages it fetched anyway)."""
        self.store.set_link_status(
            result.url,
            category=result.category,
            ok=result.ok,
            status=result.status,
            error=result.error,
            final_url=result.final_url,
        )

    def probe(self, url: str) -> LinkResult:
        """Check one URL now: robots, delay, HEAD, then GET when HEAD was refused."""
        if not self.fetcher.live:
            try:
                self.fetcher.head(url)
            except FetchError as e:
                return classify_error(url, e)
            return LinkResult(url, "ok", True, 200)
        failure = self.politeness.rules(url).failure
        if isinstance(failure, ConnectFailed):
            # The host cannot be reached at all (no DNS entry, refused): the link is broken.
            reason = str(failure).split(": ", 1)[-1]  # drop the robots.txt URL
            return classify_error(url, ConnectFailed(f"{url}: {reason}", url=url))
        try:
            self.politeness.check(url)
            self.politeness.wait(url)
            resp = self.fetcher.head(url)
            if resp.status in _HEAD_REFUSED or is_bot_wall(resp):
                # Many servers refuse or mishandle HEAD; a GET tells what a reader would see.
                self.politeness.wait(url)
                resp = self.fetcher.head(url, method="GET")
        except FetchError as e:
            return classify_error(url, e)
        return classify_response(resp)

    def check(self, url: str, *, force: bool = False) -> LinkResult:
        """The cached result when fresh, else a new check (stored)."""
        if not force and self.fresh(url):
            row = self.store.link_status(url) or {}
            ok = row.get("ok")
            return LinkResult(
                url,
                row.get("category", "unsure"),
                None if ok is None else bool(ok),
                row.get("status"),
                row.get("error"),
                row.get("final_url"),
            )
        result = self.probe(url)
        self.record(result)
        return result

    def check_all(
        self,
        urls: Iterable[str] | None = None,
        *,
        progress: Callable[[LinkResult], None] | None = None,
    ) -> dict[str, int]:
        """Check every link target (default: all in the store); counts per category."""
        counts = dict.fromkeys(CATEGORIES, 0)
        counts["skipped"] = 0
        for url in self.store.link_targets() if urls is None else urls:
            if _skip(url):
                counts["skipped"] += 1
                continue
            result = self.check(url)
            counts[result.category] = counts.get(result.category, 0) + 1
            if progress is not None:
                progress(result)
        return counts
