"""The README documents every CLI command and every setting (datasette's test_docs)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from saferkg.cli import main
from saferkg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    ctx = click.Context(main)
    return sorted(main.list_commands(ctx))


@pytest.mark.parametrize("name", _commands())
def test_every_command_is_documented(name: str) -> None:
    assert re.search(rf"saferkg {re.escape(name)}\b", README), f"README lacks `saferkg {name}`"


@pytest.mark.parametrize("name", [n for n, _, _ in Settings.describe()])
def test_every_setting_is_documented(name: str) -> None:
    assert f"SAFERKG_{name.upper()}" in README, f"README lacks SAFERKG_{name.upper()}"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    assert "scripts/run" in README and "scripts/test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in ci


def test_sources_format_is_documented_for_a_new_user() -> None:
    corpus_readme = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    for key in ("id", "name", "type", "area", "homepage", "start", "scope", "max_depth"):
        assert re.search(rf"\b{key}\b", corpus_readme), key
