"""Politeness: robots.txt per host (protego) and the delay between two requests to a host.

One robots.txt is fetched per host and cached for the run. What its answer
means:

- 2xx: the rules apply (Crawl-delay raises the per-host delay, never lowers it);
- 404 (or any other 4xx but 401/403), or not in the mirror: everything allowed;
- 401/403: everything disallowed;
- 5xx, timeout or connection failure: temporarily disallowed for this run,
  with the reason recorded, so a site in trouble is not hammered.

    >>> polite = Politeness(fetcher, user_agent="saferkg/0.1", delay=1.0)  # doctest: +SKIP
    >>> polite.check("https://www.example.gov.uk/private/x")               # doctest: +SKIP
    Traceback (most recent call last):
    RobotsDisallowed: robots.txt of www.example.gov.uk disallows ...
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from .errors import FetchError, HttpStatusError, NotArchived, RobotsDisallowed
from .fetch import Fetcher


@dataclass
class HostRules:
    """What one host's robots.txt says, once parsed."""

    host: str
    parser: Protego | None = None  # None: no rules, see ``allow_all``
    allow_all: bool = True
    reason: str = ""  # why everything is disallowed, when it is
    crawl_delay: float | None = None
    failure: FetchError | None = None  # why robots.txt could not be read, when it could not


def host_key(url: str) -> str:
    """scheme://host[:port] of a URL: robots.txt and the delay are per origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


class Politeness:
    """robots.txt rules and per-host delays, shared by the crawler and the link checker."""

    def __init__(
        self,
        fetcher: Fetcher,
        *,
        user_agent: str,
        delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.fetcher = fetcher
        self.user_agent = user_agent
        # robots.txt matches on the product token, not the whole header.
        self.agent_token = user_agent.split("/", 1)[0].split()[0] if user_agent else "*"
        self.delay = delay
        self.clock = clock
        self.sleep = sleep
        self._rules: dict[str, HostRules] = {}
        self._next: dict[str, float] = {}

    def rules(self, url: str) -> HostRules:
        """The cached rules of the URL's host, fetching robots.txt the first time."""
        key = host_key(url)
        rules = self._rules.get(key)
        if rules is None:
            rules = self._rules[key] = self._load(key)
        return rules

    def _load(self, key: str) -> HostRules:
        robots_url = key + "/robots.txt"
        self.wait(robots_url)
        try:
            resp = self.fetcher.fetch(robots_url)
        except NotArchived:
            return HostRules(key)
        except HttpStatusError as e:
            status = e.status or 0
            if status in (401, 403):
                return HostRules(key, allow_all=False, reason=f"robots.txt answered HTTP {status}")
            if status >= 500:
                return HostRules(
                    key,
                    allow_all=False,
                    reason=f"robots.txt answered HTTP {status}; host skipped for this run",
                )
            return HostRules(key)
        except FetchError as e:
            return HostRules(
                key,
                allow_all=False,
                reason=f"robots.txt unavailable ({e}); host skipped this run",
                failure=e,
            )
        text = resp.body.decode("utf-8", errors="replace")
        parser = Protego.parse(text)
        delay = parser.crawl_delay(self.agent_token)
        return HostRules(
            key, parser=parser, crawl_delay=float(delay) if delay is not None else None
        )

    def allowed(self, url: str) -> tuple[bool, str]:
        """(allowed, reason when not)."""
        rules = self.rules(url)
        if rules.parser is None:
            return rules.allow_all, rules.reason
        if rules.parser.can_fetch(url, self.agent_token):
            return True, ""
        return False, f"robots.txt of {urlsplit(url).netloc} disallows it"

    def check(self, url: str) -> None:
        """Raise RobotsDisallowed when robots.txt forbids the URL."""
        ok, reason = self.allowed(url)
        if not ok:
            raise RobotsDisallowed(f"{url}: {reason}", url=url)

    def host_delay(self, url: str) -> float:
        """Seconds between two requests to the URL's host: our delay or Crawl-delay, the larger."""
        rules = self._rules.get(host_key(url))
        crawl_delay = rules.crawl_delay if rules and rules.crawl_delay else 0.0
        return max(self.delay, crawl_delay)

    def wait(self, url: str) -> None:
        """Sleep until the host may be asked again, then book the next slot."""
        key = host_key(url)
        now = self.clock()
        ready = self._next.get(key, now)
        if ready > now:
            self.sleep(ready - now)
            now = ready
        self._next[key] = now + self.host_delay(url)
