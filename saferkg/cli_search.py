"""CLI commands for search (registered by saferkg.cli)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
