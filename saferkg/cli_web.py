"""CLI commands for the web UI (registered by saferkg.cli): ``saferkg serve``."""

from __future__ import annotations

import logging

import click

from .settings import Settings


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default: the host setting).")
@click.option(
    "--port", type=int, default=None, help="Port to listen on (default: the port setting)."
)
@click.option(
    "--threads", type=int, default=None, help="Worker threads (default: the threads setting)."
)
@click.pass_context
def serve(
    ctx: click.Context, host: str | None = None, port: int | None = None, threads: int | None = None
) -> None:
    """Serve the web UI, the JSON API and the SPARQL endpoint (waitress)."""
    import waitress

    from webapp import create_app

    settings = ctx.find_object(Settings) or Settings.from_env()
    host = host or settings.host
    port = settings.port if port is None else port
    threads = threads or settings.threads
    # waitress logs "Task queue depth" for every queued request under load: noise, not news.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = create_app({"SETTINGS": settings})
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving saferkg on http://{shown}:{port}/ (data: {settings.data_dir})")
    click.echo("Press Ctrl+C to stop.")
    waitress.serve(app, host=host, port=port, threads=threads, ident="saferkg")


COMMANDS: list[click.Command] = [serve]
