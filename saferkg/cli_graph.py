"""CLI commands for graph (registered by saferkg.cli)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
