"""CLI commands for search (registered by saferkg.cli): ``saferkg index`` and ``saferkg search``."""

from __future__ import annotations

import html
import re
import sys
from typing import Any

import click

from search.errors import IndexMissing, QueryError, SearchError

from .cli import UsageProblem, emit, json_option, pass_settings
from .settings import Settings

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def load_thesaurus() -> Any:
    """The theme thesaurus, or None (with a warning) when it cannot be loaded."""
    try:
        from graph.themes import Thesaurus
    except ImportError:
        return None
    return Thesaurus.load()


def load_partners(settings: Settings) -> dict[str, dict[str, str]]:
    """Partner id -> name and type from the registry; empty (with a warning) when unreadable."""
    from ingest.errors import SourcesError
    from ingest.sources import load_sources

    try:
        return {p.id: {"name": p.name, "type": p.type} for p in load_sources(settings.sources)}
    except (SourcesError, OSError) as e:
        click.echo(f"warning: partner names not loaded ({e})", err=True)
        return {}


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch into a new directory.")
@json_option
@pass_settings
def index_cmd(settings: Settings, rebuild: bool = False, as_json: bool = False) -> None:
    """Build or update the search index from the store (incremental unless --rebuild)."""
    from ingest.store import Store
    from search.index import build_index

    with Store.open(settings.data_dir) as store:
        try:
            report = build_index(
                store,
                settings.index_dir,
                thesaurus=load_thesaurus(),
                partners=load_partners(settings),
                rebuild=rebuild,
            )
        except SearchError as e:
            raise click.ClickException(str(e)) from e

    def render(r: dict[str, Any]) -> None:
        how = "rebuilt" if r["rebuilt"] else "updated"
        click.echo(
            f"index {how}: {r['added']} added, {r['updated']} changed, {r['deleted']} removed, "
            f"{r['unchanged']} unchanged ({r['records']} records, {r['seconds']:.1f} s)"
        )

    emit(report.to_dict(), as_json, render)


def _terminal(snippet: str, color: bool) -> str:
    """A snippet for the terminal: marks in bold (or [brackets] when not a terminal)."""
    if color:
        text = _MARK.sub(lambda m: click.style(m.group(1), bold=True, underline=True), snippet)
    else:
        text = _MARK.sub(lambda m: f"[{m.group(1)}]", snippet)
    return " ".join(html.unescape(text).split())


@click.command("search")
@click.argument("query", required=False, default="")
@click.option("--partner", default=None, help="Only this partner (its id).")
@click.option("--theme", default=None, help="Only passages about this theme (id or label).")
@click.option(
    "--kind", type=click.Choice(["html", "pdf"]), default=None, help="Only pages or PDFs."
)
@click.option("--year", default=None, help="Only documents covering this year.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@json_option
@pass_settings
def search_cmd(
    settings: Settings,
    query: str,
    partner: str | None,
    theme: str | None,
    kind: str | None,
    year: str | None,
    limit: int,
    page: int,
    sort: str,
    as_json: bool,
) -> None:
    """Search the documents: words, "phrases", AND/OR/NOT, prefix*, partner:ID inline filters."""
    from search.query import Searcher

    try:
        with Searcher.open(settings.index_dir, thesaurus=load_thesaurus()) as searcher:
            result = searcher.search(
                query,
                partner=partner,
                theme=theme,
                kind=kind,
                year=year,
                limit=limit,
                page=page,
                sort=sort,
            )
    except QueryError as e:
        raise UsageProblem(str(e)) from e
    except IndexMissing as e:
        raise click.ClickException(str(e)) from e
    except SearchError as e:
        raise click.ClickException(str(e)) from e
    color = sys.stdout.isatty()

    def render(r: dict[str, Any]) -> None:
        if r.get("note"):
            click.echo(f"({r['note']})")
        if r.get("suggestion"):
            click.echo(f'Did you mean: "{r["suggestion"]}"?')
        click.echo(
            f'{r["total"]} document(s) match "{r["query"]}" (page {r["page"]} of {r["pages"]})'
        )
        start = (r["page"] - 1) * r["limit"]
        for n, h in enumerate(r["hits"], start + 1):
            extra = ", ".join(x for x in (h["kind"], h.get("period") or h.get("date")) if x)
            click.echo(f"\n{n:>3}. {h['title']}")
            click.echo(f"     {h['partner']} ({extra})")
            if h["section"]:
                click.echo(f"     § {h['section']}")
            click.echo(f"     {_terminal(h['snippet'], color)}")
            click.echo(f"     {h['url']}")

    emit(result, as_json, render)


COMMANDS: list[click.Command] = [index_cmd, search_cmd]
