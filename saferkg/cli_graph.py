"""CLI commands for the knowledge graph (registered by saferkg.cli).

``saferkg graph`` builds and persists it; the other commands answer from the
persisted graph without rebuilding: shared, gaps, route, duplicates, themes,
priorities, matrix, sparql, export, check. Every answer shows its passage and
source; ``--json`` prints the shapes of docs/design.md.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from .cli import UsageProblem, emit, json_option, pass_settings
from .settings import Settings


@contextmanager
def _errors() -> Iterator[None]:
    """Domain errors as one line: unknown names exit 2, everything else 1."""
    from graph.errors import GraphError, UnknownName
    from ingest.errors import IngestError

    try:
        yield
    except UnknownName as e:
        raise UsageProblem(str(e)) from e
    except (GraphError, IngestError) as e:
        raise click.ClickException(str(e)) from e


def _knowledge(settings: Settings) -> Any:
    from graph.knowledge import Knowledge

    return Knowledge.open(settings.graph_dir)


def _ask(settings: Settings, question: Callable[[Any], Any]) -> Any:
    """``question`` asked of the current graph, its domain errors shown as one line."""
    with _errors():
        return question(_knowledge(settings))


def _src(source: dict[str, Any] | None) -> str:
    if not source:
        return ""
    return source.get("url") or ""


def _quote(text: str, width: int = 300) -> str:
    text = " ".join(str(text or "").split())
    return f'"{text[:width]}{"..." if len(text) > width else ""}"'


# -- build --------------------------------------------------------------------


@click.command("graph")
@click.option(
    "--today",
    default=None,
    help="Judge plan periods as of this date (YYYY-MM-DD; default today).",
)
@json_option
@pass_settings
def graph_cmd(settings: Settings, today: str | None = None, as_json: bool = False) -> None:
    """Build the knowledge graph from the store and make it the current one."""
    from graph import persist
    from graph.model import build
    from graph.themes import Thesaurus
    from ingest.store import Store

    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError as e:
        raise UsageProblem(f"--today {today!r} is not a YYYY-MM-DD date") from e
    started = time.monotonic()
    with _errors(), Store.open(settings.data_dir) as store:
        built = build(
            store,
            structure_path=settings.structure,
            sources_path=settings.sources,
            thesaurus=Thesaurus.load(),
            today=day,
        )
        target = persist.write(built, settings.graph_dir.parent, link_name=settings.graph_dir.name)
    report = {
        "graph": str(target),
        "seconds": round(time.monotonic() - started, 2),
        "counts": built.views.counts,
    }

    def render(r: dict[str, Any]) -> None:
        c = r["counts"]
        click.echo(
            f"Knowledge graph built in {r['seconds']}s: {c['triples']:,} triples, "
            f"{c['partners']} partners, {c['bodies']} bodies, {c['documents']} documents, "
            f"{c['strategies']} strategies, {c['priorities']} priorities, "
            f"{c['mismatches']} link label/period mismatches."
        )

    emit(report, as_json, render)


# -- answers ------------------------------------------------------------------


@click.command("shared")
@click.argument("theme")
@json_option
@pass_settings
def shared_cmd(settings: Settings, theme: str, as_json: bool = False) -> None:
    """Which partners hold a priority on THEME (or a narrower theme), with the passage."""
    data = _ask(settings, lambda k: k.shared(theme))

    def render(d: dict[str, Any]) -> None:
        holders = d["holders"]
        click.echo(
            f"{d['theme']['label']}: {len(holders)} priorities from {len(d['partners'])} partners"
        )
        for h in holders:
            click.echo(f"\n{h['partner']} - {h['strategy']} ({h['strategy_status']})")
            click.echo(f"  priority: {h['priority']}")
            click.echo(f"  matched:  {h['matched_label']} -> {h['theme']}")
            click.echo(f"  passage:  {_quote(h['evidence'])}")
            click.echo(f"  source:   {h['source_url']}")

    emit(data, as_json, render)


@click.command("gaps")
@click.option("--partner", default=None, help="The partner to check (id or name).")
@click.option(
    "--against",
    default=None,
    help="Reference: a partner or a strategy (url or title); default the county-wide priorities.",
)
@json_option
@pass_settings
def gaps_cmd(
    settings: Settings,
    partner: str | None = None,
    against: str | None = None,
    as_json: bool = False,
) -> None:
    """Priorities a partner does not cover, strategies past their period, link/period mismatches."""
    data = _ask(settings, lambda k: k.gaps(partner=partner, against=against))

    def render(d: dict[str, Any]) -> None:
        ref = d.get("against") or {}
        if d["partner"]:
            head = (
                f"{d['partner']} does not cover {len(d['missing'])} of {len(d['required'])} themes:"
            )
        else:
            head = f"Themes no CSP covers: {len(d['missing'])} of {len(d['required'])}:"
        click.echo(
            f"Reference: {ref.get('title')} ({', '.join(ref.get('sources') or [ref.get('url') or ''])})"
        )
        click.echo(f"\n{head}")
        for m in d["missing"]:
            click.echo(f"  - {m['theme']}: required by {_quote(m['required_by'], 120)}")
            click.echo(f"      source: {m['source_url']}")
        click.echo(f"\nStrategies past their period: {len(d['expired_strategies'])}")
        for s in d["expired_strategies"]:
            click.echo(f"  - {s['partner']}: {s['strategy']} ({s['period']}) {s['url']}")
        click.echo(f"\nLinks whose label and document period disagree: {len(d['mismatches'])}")
        for m in d["mismatches"]:
            click.echo(
                f'  - "{m["anchor"]}" ({m["label_period"]}) -> {m["url"]} '
                f"(document: {m['document_period']}); found on {m['found_on']}"
            )

    emit(data, as_json, render)


@click.command("route")
@click.argument("frm", metavar="FROM", required=False)
@click.argument("to", metavar="TO", required=False)
@click.option(
    "--theme", default=None, help="Who monitors, delivers and hears about a theme's strategy."
)
@json_option
@pass_settings
def route_cmd(
    settings: Settings,
    frm: str | None = None,
    to: str | None = None,
    theme: str | None = None,
    as_json: bool = False,
) -> None:
    """The escalation route from one body to another (e.g. JAG SPB), or for a theme."""
    if theme is None and (frm is None or to is None):
        raise UsageProblem("give FROM and TO (e.g. `saferkg route JAG SPB`) or --theme THEME")
    with _errors():
        k = _knowledge(settings)
        if theme is not None:
            data = k.route_for_theme(theme)
            emit(data, as_json, _render_theme_route)
            return
        data = k.route(frm, to)

    def render(d: dict[str, Any]) -> None:
        if not d["path"]:
            click.echo(f"No documented route from {d['from']} to {d['to']}.")
        else:
            kind = {"up": "escalation (formal chain)", "down": "routed back down the chain"}.get(
                d["direction"], "documented lines outside the formal chain"
            )
            click.echo(f"{d['from']} -> {d['to']}: {kind}")
            for i, s in enumerate(d["path"], 1):
                name = f"{s['abbr']} ({s['label']})" if s["abbr"] else s["label"]
                click.echo(f"\n{i}. {name}")
                if s.get("role"):
                    click.echo(f"   role:    {s['role']}")
                if s.get("source"):
                    click.echo(f"   source:  {_quote(s['source'].get('passage', ''), 200)}")
                    click.echo(f"            {_src(s['source'])}")
                line = s.get("line") or {}
                if line.get("source"):
                    click.echo(
                        f"   line:    {line['property']}: {_quote(line['source']['passage'], 200)}"
                    )
        if d["side_routes"]:
            click.echo("\nSide routes (outside the formal chain):")
            for r in d["side_routes"]:
                click.echo(
                    f"  - {r['from']} {r['property']} {r['to']}: {_quote(r['source']['passage'], 160)}"
                )
                click.echo(f"      {_src(r['source'])}")

    emit(data, as_json, render)


def _render_theme_route(d: dict[str, Any]) -> None:
    if not d["strategies"]:
        click.echo(
            f"No curated strategy on {d['theme']['label']} with monitoring or delivery lines."
        )
    for s in d["strategies"]:
        click.echo(f"{s['title']} ({s['source_url']})")
        for key, label in (
            ("monitored_by", "monitored by"),
            ("delivered_by", "delivered by"),
            ("reports_to", "reports progress to"),
        ):
            for b in s[key]:
                click.echo(f"  {label}: {b['label']}")
                click.echo(f"      {_quote(b['source']['passage'], 200)}")
                click.echo(f"      {_src(b['source'])}")


@click.command("duplicates")
@json_option
@pass_settings
def duplicates_cmd(settings: Settings, as_json: bool = False) -> None:
    """Themes owned by a county-level body and a district CSP; near-identical statements."""
    data = _ask(settings, lambda k: k.duplicates())

    def render(d: dict[str, Any]) -> None:
        click.echo(f"Themes owned at county and district level: {len(d['themes'])}")
        for t in d["themes"]:
            click.echo(f"\n{t['theme']}:")
            for h in t["county"] + t["district"]:
                click.echo(f"  - {h['partner']}: {_quote(h['priority'], 120)}  {h['source_url']}")
        click.echo(f"\nNear-identical priority statements: {len(d['statements'])}")
        for s in d["statements"][:50]:
            click.echo(
                f"\n  {s['similarity']:.2f}  {s['a']['partner']}: {_quote(s['a']['text'], 120)}"
            )
            click.echo(f"        {s['b']['partner']}: {_quote(s['b']['text'], 120)}")
            click.echo(f"        {s['a']['source_url']}\n        {s['b']['source_url']}")

    emit(data, as_json, render)


@click.command("themes")
@json_option
@pass_settings
def themes_cmd(settings: Settings, as_json: bool = False) -> None:
    """Every theme with how many partners hold it."""
    data = _ask(settings, lambda k: k.themes())

    def render(d: dict[str, Any]) -> None:
        for t in d["themes"]:
            broader = f" (under {', '.join(t['broader'])})" if t["broader"] else ""
            click.echo(f"{t['id']:<28} {t['label']:<40} {t['partners']:>3} partners{broader}")

    emit(data, as_json, render)


@click.command("priorities")
@click.option("--partner", default=None, help="Only this partner's priorities (id or name).")
@click.option("--unmatched", is_flag=True, help="Only priorities no theme matched.")
@json_option
@pass_settings
def priorities_cmd(
    settings: Settings, partner: str | None = None, unmatched: bool = False, as_json: bool = False
) -> None:
    """Priority statements with their themes and sources."""
    data = _ask(settings, lambda k: k.priorities(partner=partner, unmatched=unmatched))

    def render(d: dict[str, Any]) -> None:
        for p in d["priorities"]:
            themes = ", ".join(p["theme_labels"]) or "(no theme)"
            click.echo(f"{p['partner']}: {p['text']}")
            click.echo(f"  themes: {themes}\n  source: {p['source_url']}")
        click.echo(f"{len(d['priorities'])} priorities")

    emit(data, as_json, render)


@click.command("matrix")
@click.option("--type", "partner_type", default=None, help="Only partners of this type (e.g. CSP).")
@json_option
@pass_settings
def matrix_cmd(settings: Settings, partner_type: str | None = None, as_json: bool = False) -> None:
    """Partners x themes: which partner holds which theme."""
    data = _ask(settings, lambda k: k.matrix(partner_type))

    def render(d: dict[str, Any]) -> None:
        for p in d["partners"]:
            row = d["cells"].get(p["id"], {})
            labels = [
                t["label"] + (" (ended)" if all(c["ended"] for c in row[t["id"]]) else "")
                for t in d["themes"]
                if t["id"] in row
            ]
            click.echo(f"{p['name']}: {', '.join(labels) or '-'}")

    emit(data, as_json, render)


@click.command("sparql")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.option(
    "--timeout", type=float, default=None, help="Seconds (default: the sparql_timeout setting)."
)
@click.option(
    "--limit", type=int, default=None, help="Most rows (default: the sparql_row_limit setting)."
)
@json_option
@pass_settings
def sparql_cmd(
    settings: Settings,
    query: str,
    fmt: str = "table",
    timeout: float | None = None,
    limit: int | None = None,
    as_json: bool = False,
) -> None:
    """Run a read-only SPARQL QUERY (or @file) on the graph."""
    if query.startswith("@"):
        try:
            query = Path(query[1:]).read_text(encoding="utf-8")
        except OSError as e:
            raise UsageProblem(f"cannot read {query[1:]}: {e.strerror}") from e
    from graph.sparql import SparqlRefused

    try:
        with _errors():
            result = _knowledge(settings).sparql(
                query,
                timeout=timeout if timeout is not None else settings.sparql_timeout,
                limit=limit if limit is not None else settings.sparql_row_limit,
            )
    except click.ClickException as e:
        if isinstance(e.__cause__, SparqlRefused):
            raise UsageProblem(str(e.__cause__)) from e
        raise
    if as_json or fmt == "json":
        emit(result.to_json(), True)
        return
    if fmt == "csv":
        sys.stdout.write(result.to_csv())
        return
    if result.kind == "ask":
        click.echo("true" if result.boolean else "false")
        return
    rows = result.table()
    widths = {v: max([len(v)] + [len(r.get(v, "")) for r in rows]) for v in result.variables}
    widths = {v: min(w, 80) for v, w in widths.items()}
    click.echo("  ".join(v.ljust(widths[v]) for v in result.variables))
    for r in rows:
        click.echo("  ".join(r.get(v, "")[:80].ljust(widths[v]) for v in result.variables))
    more = " (truncated: row limit reached)" if result.truncated else ""
    click.echo(f"{len(rows)} rows{more}")


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "json-ld", "n-triples"]),
    default="turtle",
    help="RDF serialisation.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@pass_settings
def export_cmd(settings: Settings, fmt: str = "turtle", output: Path | None = None) -> None:
    """Export the whole knowledge graph as Turtle or JSON-LD."""
    data = _ask(settings, lambda k: k.export(fmt))
    if output is not None:
        output.write_bytes(data)
        click.echo(f"wrote {len(data):,} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@click.command("check")
@json_option
@pass_settings
def check_cmd(settings: Settings, as_json: bool = False) -> None:
    """Validate the graph against the SHACL shapes; exit 1 when anything is violated."""
    data = _ask(settings, lambda k: k.check())

    def render(d: dict[str, Any]) -> None:
        if d["conforms"]:
            click.echo(f"The knowledge graph conforms to its shapes ({d['triples']:,} triples).")
            return
        click.echo(f"{len(d['violations'])} violations:")
        for v in d["violations"]:
            click.echo(f"  - {v['message']}: {v['focus']}")

    emit(data, as_json, render)
    if not data["conforms"]:
        sys.exit(1)


COMMANDS: list[click.Command] = [
    graph_cmd,
    shared_cmd,
    gaps_cmd,
    route_cmd,
    duplicates_cmd,
    themes_cmd,
    priorities_cmd,
    matrix_cmd,
    sparql_cmd,
    export_cmd,
    check_cmd,
]
