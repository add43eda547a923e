"""The crawler: breadth-first per partner, within scope and depth, resumable.

For each partner the start URLs are queued at depth 0; every HTML page that
is fetched queues its in-scope links (HTML and PDF targets) one level deeper,
up to the partner's ``max_depth``. The queue lives in the store, so a crawl
that was interrupted (Ctrl-C, a kill) is resumed by the next crawl with the
same options, skipping what was already done.

Nothing is reprocessed needlessly: stored validators make the request
conditional (304: unchanged), and a body whose hash equals the stored one is
"unchanged" before any extraction. A failure (fetch or extraction) is
logged with its reason and counted; the crawl goes on and the stored version
of the document stays as it was.

    >>> crawler = Crawler.from_settings(settings, store, MirrorFetcher(root))  # doctest: +SKIP
    >>> result = crawler.crawl(load_sources("corpus/sources.toml"))           # doctest: +SKIP
    >>> result.partners[0].fetched                                            # doctest: +SKIP
    12
"""

from __future__ import annotations

import json
import posixpath
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin, urlsplit

from .errors import ExtractError, FetchError, NotArchived
from .fetch import Fetcher, Response
from .linkcheck import LinkChecker, LinkResult, classify_error, classify_response
from .model import Document, content_hash
from .robots import Politeness
from .sources import Partner, normalize_url
from .store import Store, utcnow

if TYPE_CHECKING:
    from saferkg.settings import Settings

#: Link targets worth fetching: pages and PDFs. Other files are recorded, not fetched.
_SKIP_EXTENSIONS = frozenset(
    ".doc .docx .xls .xlsx .xlsm .ppt .pptx .odt .ods .odp .rtf .csv .zip .gz .tar .7z "
    ".jpg .jpeg .png .gif .svg .webp .bmp .ico .tif .tiff .mp3 .mp4 .m4a .wav .avi .mov "
    ".wmv .webm .css .js .json .xml .rss .ics .exe .dmg .msi .eps .kml .kmz".split()
)


class Extractor(Protocol):
    """The signature of ``ingest.extract.extract``."""

    def __call__(
        self,
        body: bytes,
        url: str,
        *,
        content_type: str = "",
        partner: str = "",
        fetched_at: str = "",
    ) -> Document: ...


def _default_extract(
    body: bytes, url: str, *, content_type: str = "", partner: str = "", fetched_at: str = ""
) -> Document:
    # Imported late: the extractors pull in lxml and pypdf, not needed to list documents.
    from .extract import extract

    return extract(body, url, content_type=content_type, partner=partner, fetched_at=fetched_at)


def is_fetchable(url: str) -> bool:
    """Whether a link target is a page or PDF worth fetching (judged by its extension)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    ext = posixpath.splitext(parts.path.lower())[1]
    return ext not in _SKIP_EXTENSIONS


@dataclass
class PartnerSummary:
    """What a crawl did for one partner."""

    partner: str
    name: str = ""
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    robots: int = 0
    out_of_scope: int = 0
    not_archived: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    not_archived_urls: list[str] = field(default_factory=list)
    robots_urls: list[str] = field(default_factory=list)

    @property
    def fetched(self) -> int:
        """New and changed documents."""
        return self.new + self.changed

    def to_dict(self) -> dict[str, object]:
        return {
            "partner": self.partner,
            "name": self.name,
            "fetched": self.fetched,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "failures": [{"url": u, "reason": r} for u, r in self.failures],
            "blocked_by_robots": self.robots,
            "out_of_scope": self.out_of_scope,
            "not_archived": self.not_archived,
            "not_archived_urls": self.not_archived_urls,
        }


@dataclass
class CrawlResult:
    """The outcome of one crawl (or of the resumed part and what came before it)."""

    run_id: int
    mode: str
    resumed: bool = False
    resumed_done: int = 0  # URLs already done when the run was resumed
    interrupted: bool = False
    partners: list[PartnerSummary] = field(default_factory=list)
    links: dict[str, int] = field(default_factory=dict)  # link check counts per category

    def to_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "mode": self.mode,
            "resumed": self.resumed,
            "interrupted": self.interrupted,
            "partners": [p.to_dict() for p in self.partners],
            "links": self.links,
        }


#: progress(partner, url, outcome, detail)
Progress = Callable[[str, str, str, str], None]


class Crawler:
    """Crawls partners' sites (live or mirror) into the store.

    ``clock``/``sleep`` are injectable so tests run with no delay;
    ``on_page`` is called after every URL (the CLI's progress line; a test
    may raise KeyboardInterrupt from it to simulate Ctrl-C).
    """

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        *,
        user_agent: str,
        delay: float = 1.0,
        max_pages: int = 200,
        max_depth: int = 2,
        link_check_ttl: float = 24.0,
        check_links: bool = True,
        extract: Extractor | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_page: Progress | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.mode = "live" if fetcher.live else "mirror"
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.check_links = check_links
        self.extract: Extractor = extract or _default_extract
        self.on_page = on_page
        # Reading the bundled mirror needs no politeness delay.
        self.politeness = Politeness(
            fetcher,
            user_agent=user_agent,
            delay=delay if fetcher.live else 0.0,
            clock=clock,
            sleep=sleep,
        )
        self.checker = LinkChecker(store, fetcher, self.politeness, ttl_hours=link_check_ttl)

    @classmethod
    def from_settings(
        cls, settings: Settings, store: Store, fetcher: Fetcher, **overrides: object
    ) -> Crawler:
        """A crawler configured from the settings; keyword overrides win."""
        kwargs: dict[str, object] = {
            "user_agent": settings.user_agent,
            "delay": settings.delay,
            "max_pages": settings.max_pages,
            "max_depth": settings.max_depth,
            "link_check_ttl": settings.link_check_ttl,
        }
        kwargs.update(overrides)
        return cls(store, fetcher, **kwargs)  # type: ignore[arg-type]

    def options_key(self, partners: Sequence[Partner]) -> str:
        """What identifies "the same crawl" for resuming."""
        return json.dumps(
            {
                "partners": sorted(p.id for p in partners),
                "max_pages": self.max_pages,
                "max_depth": self.max_depth,
            },
            sort_keys=True,
        )

    # -- the run ---------------------------------------------------------------

    def crawl(self, partners: Sequence[Partner]) -> CrawlResult:
        """Crawl every partner, resuming an unfinished identical run; never raises on Ctrl-C."""
        options = self.options_key(partners)
        run_id = self.store.unfinished_run(self.mode, options)
        result = CrawlResult(run_id=0, mode=self.mode)
        if run_id is not None:
            result.resumed = True
            result.resumed_done = sum(self.store.done_count(run_id, p.id) for p in partners)
            self.store.resume_run(run_id)
        else:
            run_id = self.store.begin_run(self.mode, options)
        result.run_id = run_id
        try:
            # Idempotent: on a resume, start URLs already queued (or done) stay as they are.
            for p in partners:
                for url in p.start:
                    self.store.enqueue(run_id, p.id, url, 0)
            for p in partners:
                self._crawl_partner(run_id, p)
            if self.check_links:
                result.links = self.checker.check_all(progress=self._link_progress)
        except KeyboardInterrupt:
            self.store.finish_run(run_id, "interrupted")
            result.interrupted = True
        else:
            self.store.finish_run(run_id, "finished")
        result.partners = [self.summary(run_id, p) for p in partners]
        return result

    def _link_progress(self, r: LinkResult) -> None:
        if self.on_page is not None:
            self.on_page("", r.url, "link:" + r.category, r.error or "")

    def _crawl_partner(self, run_id: int, partner: Partner) -> None:
        max_depth = partner.max_depth if partner.max_depth is not None else self.max_depth
        done = self._attempts(run_id, partner.id)
        out_of_scope_seen = self._logged(run_id, partner.id, "out_of_scope")
        while done < self.max_pages:
            queue = self.store.pending(run_id, partner.id)
            if not queue:
                break
            _, url, depth = queue[0]
            outcome, links = self._process(run_id, partner, url)
            if outcome not in ("robots", "skipped"):
                done += 1
            for target, _anchor, in_scope in links:
                if not in_scope:
                    if target not in out_of_scope_seen:
                        out_of_scope_seen.add(target)
                        self.store.log_fetch(run_id, target, partner.id, "out_of_scope")
                elif depth < max_depth and is_fetchable(target):
                    self.store.enqueue(run_id, partner.id, target, depth + 1)
            self.store.mark_done(run_id, url)

    def _attempts(self, run_id: int, partner: str) -> int:
        """URLs of the partner already tried in this run (robots-blocked ones do not count)."""
        tried = ("fetched", "changed", "unchanged", "failed", "not_archived")
        return sum(1 for r in self.store.run_outcomes(run_id, partner) if r["outcome"] in tried)

    def _logged(self, run_id: int, partner: str, outcome: str) -> set[str]:
        rows = self.store.run_outcomes(run_id, partner)
        return {r["url"] for r in rows if r["outcome"] == outcome}

    def _report(self, partner: str, url: str, outcome: str, detail: str = "") -> None:
        if self.on_page is not None:
            self.on_page(partner, url, outcome, detail)

    def _process(
        self, run_id: int, partner: Partner, url: str
    ) -> tuple[str, list[tuple[str, str, bool]]]:
        """Fetch, compare and extract one URL; returns the outcome and the links to follow."""
        pid = partner.id
        ok, reason = self.politeness.allowed(url)
        if not ok:
            self.store.log_fetch(run_id, url, pid, "robots", error=reason)
            self._report(pid, url, "robots", reason)
            return "robots", []
        stored = self.store.validators(url)
        self.politeness.wait(url)
        try:
            resp = self.fetcher.fetch(
                url,
                etag=stored.get("etag") if stored else None,
                last_modified=stored.get("last_modified") if stored else None,
            )
        except NotArchived as e:
            self.store.log_fetch(run_id, url, pid, "not_archived", error=str(e))
            self.checker.record(classify_error(url, e))
            self._report(pid, url, "not_archived")
            return "not_archived", []
        except FetchError as e:
            self.store.log_fetch(run_id, url, pid, "failed", status=e.status, error=str(e))
            if self.fetcher.live:
                self.checker.record(classify_error(url, e))
            self._report(pid, url, "failed", str(e))
            return "failed", []
        if self.fetcher.live:
            self.checker.record(classify_response(resp))
        return self._handle(run_id, partner, url, resp, stored)

    def _handle(
        self,
        run_id: int,
        partner: Partner,
        url: str,
        resp: Response,
        stored: dict[str, object] | None,
    ) -> tuple[str, list[tuple[str, str, bool]]]:
        pid = partner.id
        final = normalize_url(resp.final_url)
        if final != url:
            # Reached through a redirect: the document lives at its final URL; don't fetch twice.
            self.store.enqueue(run_id, pid, final, 0)
            self.store.mark_done(run_id, final)
            stored = self.store.validators(final)
        if resp.not_modified:
            return self._unchanged(run_id, partner, url, final, resp, "304 not modified")
        digest = content_hash(resp.body)
        if stored and stored.get("content_hash") == digest:
            return self._unchanged(run_id, partner, url, final, resp, "same content")
        fetched_at = utcnow()
        try:
            doc = self.extract(
                resp.body,
                final,
                content_type=_content_type(resp),
                partner=pid,
                fetched_at=fetched_at,
            )
        except ExtractError as e:
            reason = f"cannot extract: {e}"
            self.store.log_fetch(
                run_id, url, pid, "failed", status=resp.status, error=reason,
                duration_ms=resp.elapsed_ms,
            )  # fmt: skip
            self._report(pid, url, "failed", reason)
            return "failed", []
        doc.url = final
        doc.partner = pid
        doc.content_hash = digest
        doc.fetched_at = doc.fetched_at or fetched_at
        doc.content_type = doc.content_type or resp.content_type
        state = self.store.save_document(
            doc, body=resp.body, etag=resp.etag, last_modified=resp.last_modified
        )
        outcome = {"new": "fetched", "changed": "changed"}.get(state, "unchanged")
        self.store.log_fetch(
            run_id, url, pid, outcome, status=resp.status, duration_ms=resp.elapsed_ms
        )
        links = self._links(partner, final, [(lk.url, lk.anchor) for lk in doc.links])
        self.store.replace_links(final, pid, links)
        self._report(pid, url, outcome, doc.title)
        # Only HTML pages lead further: a PDF's links are recorded and checked, not crawled.
        return outcome, links if doc.kind == "html" else []

    def _unchanged(
        self, run_id: int, partner: Partner, url: str, final: str, resp: Response, why: str
    ) -> tuple[str, list[tuple[str, str, bool]]]:
        pid = partner.id
        doc = self.store.document(final)
        if doc is not None and (resp.etag or resp.last_modified):
            self.store.save_document(doc, etag=resp.etag, last_modified=resp.last_modified)
        self.store.log_fetch(
            run_id, url, pid, "unchanged", status=resp.status, error=None,
            duration_ms=resp.elapsed_ms,
        )  # fmt: skip
        self._report(pid, url, "unchanged", why)
        if doc is None or doc.kind != "html":
            return "unchanged", []
        # Follow the stored document's links again; record them if an interruption lost them.
        links = self._links(partner, final, [(lk.url, lk.anchor) for lk in doc.links])
        if links and not self.store.links_from(final):
            self.store.replace_links(final, pid, links)
        return "unchanged", links

    def _links(
        self, partner: Partner, base: str, raw: list[tuple[str, str]]
    ) -> list[tuple[str, str, bool]]:
        """Absolute, normalised http(s) links with their anchors and scope; mailto/tel dropped."""
        out: dict[tuple[str, str], tuple[str, str, bool]] = {}
        for href, anchor in raw:
            try:
                absolute = urljoin(base, href.strip())
                if urlsplit(absolute).scheme not in ("http", "https"):
                    continue
                target = normalize_url(absolute)
            except ValueError:
                continue  # e.g. "http://[broken": nobody can follow it
            if target == base:
                continue
            out.setdefault((target, anchor), (target, anchor, partner.in_scope(target)))
        return list(out.values())

    # -- the summary -----------------------------------------------------------

    def summary(self, run_id: int, partner: Partner) -> PartnerSummary:
        """Counts for one partner from the run's fetch log (so a resumed run counts all of it)."""
        s = PartnerSummary(partner=partner.id, name=partner.name)
        for row in self.store.run_outcomes(run_id, partner.id):
            url, outcome, error = row["url"], row["outcome"], row["error"]
            if outcome == "fetched":
                s.new += 1
            elif outcome == "changed":
                s.changed += 1
            elif outcome == "unchanged":
                s.unchanged += 1
            elif outcome == "failed":
                s.failed += 1
                s.failures.append((url, error or "unknown"))
            elif outcome == "robots":
                s.robots += 1
                s.robots_urls.append(url)
            elif outcome == "out_of_scope":
                s.out_of_scope += 1
            elif outcome == "not_archived":
                s.not_archived += 1
                s.not_archived_urls.append(url)
        return s


def _content_type(resp: Response) -> str:
    """The declared type (with its charset) when it agrees with the bytes, else the sniffed one."""
    declared = resp.declared_type
    if declared and declared.split(";")[0].strip().lower() == resp.content_type:
        return declared
    return resp.content_type
