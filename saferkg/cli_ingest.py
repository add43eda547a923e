"""CLI commands for ingest (registered by saferkg.cli): crawl, docs, links."""

from __future__ import annotations

import difflib
import shutil
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from ingest.crawl import Crawler, CrawlResult
from ingest.errors import IngestError, SourcesError
from ingest.fetch import Fetcher, HttpFetcher, MirrorFetcher
from ingest.sources import Partner, load_sources
from ingest.store import Store

from .cli import UsageProblem, emit, json_option, pass_settings
from .settings import Settings

#: Categories ``saferkg links`` shows unless ``--all`` is given.
PROBLEM_CATEGORIES = ("broken", "redirect", "not_archived")


class BadSources(click.ClickException):
    """A malformed sources file: one line, exit code 2 (bad input, not a failure)."""

    exit_code = 2


def _open_store(settings: Settings) -> Store:
    try:
        return Store.open(settings.data_dir)
    except (IngestError, OSError) as e:
        raise click.ClickException(f"cannot open the store in {settings.data_dir}: {e}") from e


def _pick_partners(partners: list[Partner], wanted: tuple[str, ...]) -> list[Partner]:
    if not wanted:
        return partners
    by_id = {p.id: p for p in partners}
    for pid in wanted:
        if pid not in by_id:
            close = difflib.get_close_matches(pid, list(by_id), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageProblem(f"unknown partner {pid!r}{hint}")
    return [by_id[pid] for pid in wanted]


def _registry_ids(settings: Settings) -> set[str]:
    """Partner ids of the sources file, or none when it cannot be read (listing still works)."""
    try:
        return {p.id for p in load_sources(settings.sources)}
    except SourcesError:
        return set()


class _Progress:
    """Crawl progress on stderr: a status line with a bar on a terminal, else one line per URL.

    The status line counts partners done of the total, pages visited and links
    checked; a log (not a terminal) gets the numbered per-URL lines it can grep.
    """

    BAR = 20

    def __init__(self, partners: Sequence[Partner], *, tty: bool | None = None) -> None:
        self.order = {p.id: i for i, p in enumerate(partners)}
        self.total = len(partners)
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.count = 0  # every URL reported: the plain log numbers them
        self.pages = 0
        self.links = 0
        self.done_partners = 0

    def __call__(self, partner: str, url: str, outcome: str, detail: str) -> None:
        self.count += 1
        if partner:
            # partners are crawled in order, so those before this one are done
            self.done_partners = self.order.get(partner, self.done_partners)
            self.pages += outcome != "robots"
        else:  # the link check runs once every partner is crawled
            self.done_partners = self.total
            self.links += 1
        if self.tty:
            self._status(f"{partner}: {url}" if partner else f"checking {url}")
        else:
            label = f"[{partner}] " if partner else ""
            click.echo(f"{self.count:>5} {label}{outcome:<12} {url}", err=True)

    def _status(self, current: str) -> None:
        filled = self.BAR * self.done_partners // self.total if self.total else self.BAR
        text = (
            f"[{'#' * filled}{'.' * (self.BAR - filled)}] "
            f"{self.done_partners}/{self.total} partners  {self.pages} pages"
        )
        if self.links:
            text += f"  {self.links} links"
        text = f"{text}  {current}" if current else text
        width = max(40, shutil.get_terminal_size().columns - 1)
        click.echo("\r" + text[:width].ljust(width), nl=False, err=True)

    def done(self, *, complete: bool) -> None:
        """End the status line: every partner done unless the crawl was cut short."""
        if self.tty and self.count:
            if complete:
                self.done_partners = self.total
            self._status("")
            click.echo("", err=True)


def _render_summary(result: CrawlResult, *, verbose: bool = False) -> None:
    header = ("partner", "fetched", "unchanged", "failed", "robots", "out of scope", "not archived")
    rows = [
        (
            p.partner,
            str(p.fetched),
            str(p.unchanged),
            str(p.failed),
            str(p.robots),
            str(p.out_of_scope),
            str(p.not_archived),
        )
        for p in result.partners
    ]
    totals = tuple(str(sum(int(r[i]) for r in rows)) if i else "total" for i in range(len(header)))
    widths = [max(len(str(r[i])) for r in [header, *rows, totals]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    click.echo(line(header))
    for r in rows:
        click.echo(line(r))
    click.echo(line(totals))
    for p in result.partners:
        for url, reason in p.failures:
            click.echo(f"failed [{p.partner}] {url}: {reason}")
    missing = [p for p in result.partners if p.not_archived_urls]
    if verbose:
        for p in missing:
            for url in p.not_archived_urls:
                click.echo(f"not archived [{p.partner}] {url}")
    elif missing:
        # Offline, most partner sites are not in the mirror: a count per partner
        # keeps the failures above readable (`-v` or `saferkg links` lists them).
        counts = ", ".join(f"{p.partner} {len(p.not_archived_urls)}" for p in missing)
        click.echo(
            textwrap.fill(
                f"not archived (crawl -v lists them): {counts}",
                width=100,
                subsequent_indent="    ",
                break_on_hyphens=False,
            )
        )
    if result.links:
        shown = ", ".join(f"{k} {v}" for k, v in result.links.items() if v)
        click.echo(f"links checked: {shown or 'none'}")


@click.command("crawl")
@click.option(
    "--sources",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Sources file (TOML) listing the partners (default corpus/sources.toml).",
)
@click.option("--live", is_flag=True, help="Crawl the partners' live sites, not the mirror.")
@click.option("--partner", "partner_ids", multiple=True, help="Only this partner id (repeatable).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Pages per partner.")
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds between requests to a host.",
)
@click.option("--no-links", is_flag=True, help="Do not check the health of the links found.")
@click.option("-v", "--verbose", is_flag=True, help="List every URL not in the offline mirror.")
@json_option
@pass_settings
def crawl(
    settings: Settings,
    sources: Path | None = None,
    live: bool = False,
    partner_ids: tuple[str, ...] = (),
    max_pages: int | None = None,
    delay: float | None = None,
    no_links: bool = False,
    verbose: bool = False,
    as_json: bool = False,
) -> None:
    """Fetch the partners' strategies (offline mirror by default) into the store."""
    settings = replace(
        settings,
        sources=sources or settings.sources,
        max_pages=max_pages or settings.max_pages,
        delay=settings.delay if delay is None else delay,
    )
    try:
        partners = _pick_partners(load_sources(settings.sources), partner_ids)
    except SourcesError as e:
        raise BadSources(str(e)) from e
    fetcher: Fetcher
    if live:
        fetcher = HttpFetcher.from_settings(settings)
    else:
        if not settings.mirror_dir.is_dir():
            raise click.ClickException(f"no offline mirror at {settings.mirror_dir}")
        fetcher = MirrorFetcher(settings.mirror_dir)
    progress = _Progress(partners)
    result: CrawlResult | None = None
    store = _open_store(settings)
    try:
        crawler = Crawler.from_settings(
            settings, store, fetcher, on_page=progress, check_links=not no_links
        )
        options = crawler.options_key(partners)
        resuming = store.unfinished_run(crawler.mode, options)
        if resuming is not None:
            done = sum(store.done_count(resuming, p.id) for p in partners)
            click.echo(
                f"Resuming interrupted crawl run {resuming} ({done} URLs already done).", err=True
            )
        result = crawler.crawl(partners)
    except IngestError as e:
        raise click.ClickException(str(e)) from e
    finally:
        progress.done(complete=result is not None and not result.interrupted)
        store.close()
        if isinstance(fetcher, HttpFetcher):
            fetcher.close()
    emit(result.to_dict(), as_json, lambda _: _render_summary(result, verbose=verbose))
    if result.interrupted:
        click.echo(f"Interrupted: run {result.run_id} will resume on the next crawl.", err=True)
        sys.exit(130)


@click.command("docs")
@click.option("--partner", "partner_id", default=None, help="Only this partner's documents.")
@json_option
@pass_settings
def docs(settings: Settings, partner_id: str | None, as_json: bool) -> None:
    """List the documents in the store."""
    store = _open_store(settings)
    try:
        rows = store.document_summaries(partner_id)
        if partner_id is not None and not rows:
            known = sorted(
                {r["partner"] for r in store.document_summaries()} | _registry_ids(settings)
            )
            if partner_id not in known:
                close = difflib.get_close_matches(partner_id, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise UsageProblem(f"no documents for partner {partner_id!r}{hint}")
    finally:
        store.close()
    keys = ("url", "partner", "title", "kind", "period", "fetched_at")
    data = {"documents": [{k: r.get(k) for k in keys} | {"version": r["version"]} for r in rows]}

    def render(d: dict[str, Any]) -> None:
        for doc in d["documents"]:
            period = doc["period"] or "-"
            click.echo(f"{doc['partner']:<22} {doc['kind']:<4} {period:<10} {doc['title']}")
            click.echo(f"{'':<22} {doc['url']}")
        click.echo(f"{len(d['documents'])} documents")

    emit(data, as_json, render)


@click.command("links")
@click.option("--all", "show_all", is_flag=True, help="Every link, not only the problems.")
@json_option
@pass_settings
def links(settings: Settings, show_all: bool, as_json: bool) -> None:
    """Link health: broken links, redirects and links not in the offline mirror."""
    store = _open_store(settings)
    try:
        rows = store.links_report()
    finally:
        store.close()
    if not show_all:
        rows = [r for r in rows if r["category"] in PROBLEM_CATEGORIES]
    keys = ("url", "ok", "status", "error", "found_on", "anchor", "category", "final_url")
    data = {"links": [{k: r.get(k) for k in keys} for r in rows]}

    def render(d: dict[str, Any]) -> None:
        for link in d["links"]:
            extra = f" -> {link['final_url']}" if link.get("final_url") else ""
            status = link["status"] if link["status"] is not None else "-"
            click.echo(f"{link['category']:<12} {status!s:<4} {link['url']}{extra}")
            if link.get("error"):
                click.echo(f"{'':<17} {link['error']}")
            for page in link["found_on"][:3]:
                click.echo(f"{'':<17} found on {page}")
        click.echo(f"{len(d['links'])} links")

    emit(data, as_json, render)


COMMANDS: list[click.Command] = [crawl, docs, links]
