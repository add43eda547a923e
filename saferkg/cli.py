"""The ``saferkg`` command: the composition root that wires the packages together.

It builds the settings once, hands them to ingest, graph, search and the web
app, and turns domain errors into one clear line: exit code 2 for bad usage
(unknown names, a malformed sources file), 1 for a failure.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class UsageProblem(click.UsageError):
    """Bad usage (exit code 2), e.g. an unknown name with a "did you mean" hint."""


def pass_settings(f: F) -> F:
    """Give a command the Settings built by the group."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        return f(ctx.find_object(Settings), *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def emit(data: Any, as_json: bool, render: Callable[[Any], None] | None = None) -> None:
    """Print ``data`` as JSON, or through ``render`` for people."""
    if as_json or render is None:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        render(data)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="saferkg")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data directory (default ./data, or $SAFERKG_DATA).",
)
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """saferkg: search and knowledge graph over community safety partnership strategies."""
    # pypdf logs its recovery from damaged PDFs; the fetch log already records the reason.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    ctx.obj = Settings.from_env(data_dir=data_dir)


@main.command("settings")
@json_option
@pass_settings
def settings_cmd(settings: Settings, as_json: bool) -> None:
    """Show every setting with its current value and what it does."""
    rows = [
        {"name": n, "value": str(getattr(settings, n)), "env": f"SAFERKG_{n.upper()}", "help": h}
        for n, _, h in Settings.describe()
    ]

    def render(rows: list[dict[str, str]]) -> None:
        for r in rows:
            click.echo(f"{r['name']:<18} {r['value']:<40} {r['help']}")

    emit({"settings": rows}, as_json, render)


def _register() -> None:
    from . import cli_graph, cli_ingest, cli_search, cli_web

    for module in (cli_ingest, cli_graph, cli_search, cli_web):
        for command in module.COMMANDS:
            main.add_command(command)


_register()


@main.command("build")
@click.option("--rebuild", is_flag=True, help="Rebuild the search index from scratch.")
@click.pass_context
def build_cmd(ctx: click.Context, rebuild: bool) -> None:
    """Build the knowledge graph and the search index from the store."""
    for name in ("graph", "index"):
        cmd = main.get_command(ctx, name)
        if cmd is not None:
            ctx.invoke(cmd, **({"rebuild": rebuild} if name == "index" else {}))


@main.command("run")
@click.option("--live", is_flag=True, help="Crawl the partners' live sites, not the mirror.")
@click.option("--no-serve", is_flag=True, help="Stop after building; do not start the web UI.")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 5000).")
@click.pass_context
def run_cmd(
    ctx: click.Context, live: bool, no_serve: bool, host: str | None, port: int | None
) -> None:
    """The main job: crawl, build the graph and index, then serve the web UI."""
    ctx.invoke(main.get_command(ctx, "crawl"), live=live)  # type: ignore[arg-type]
    ctx.invoke(build_cmd)
    serve = main.get_command(ctx, "serve")
    if not no_serve and serve is not None:
        ctx.invoke(serve, host=host, port=port)


def run() -> None:
    """Entry point that never shows a traceback for a domain error."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    main()
