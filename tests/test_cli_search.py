"""The `saferkg index` and `saferkg search` commands."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from search_support import fill_store, sample_docs

from saferkg.cli import main
from saferkg.cli_search import index_cmd
from saferkg.settings import Settings


@pytest.fixture
def data(tmp_path: Path) -> Path:
    data = fill_store(tmp_path / "data", sample_docs())
    result = CliRunner().invoke(main, ["--data", str(data), "index"])
    assert result.exit_code == 0, result.output
    assert "4 added" in result.output
    return data


def run(data: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data", str(data), *args])
    return result.exit_code, result.output


def test_search_json_has_hits_with_highlighted_passages(data: Path) -> None:
    code, out = run(data, "search", "people zones", "--json")
    assert code == 0
    r = json.loads(out)
    assert r["hits"][0]["url"] == "https://opcc.example/governance.pdf"
    assert "<mark>People</mark> <mark>Zones</mark>" in r["hits"][0]["snippet"]


def test_search_text_output_shows_title_partner_section_and_marked_words(data: Path) -> None:
    code, out = run(data, "search", "ASB")
    assert code == 0
    assert "Community Safety Plan 2021-2024" in out
    assert "§ Our priorities" in out
    assert "[anti]-[social] [behaviour]" in out
    assert "<mark>" not in out


def test_search_filters_paging_and_sort(data: Path) -> None:
    code, out = run(data, "search", "county", "--partner", "safer-town", "--kind", "pdf", "--json")
    assert code == 0 and [h["url"] for h in json.loads(out)["hits"]] == [
        "https://town.example/minutes.pdf"
    ]
    code, out = run(
        data, "search", "county", "--limit", "1", "--page", "2", "--sort", "date", "--json"
    )
    r = json.loads(out)
    assert code == 0 and r["page"] == 2 and len(r["hits"]) == 1


def test_typos_get_a_did_you_mean(data: Path) -> None:
    code, out = run(data, "search", "domestic abuze")
    assert code == 0 and 'Did you mean: "domestic abuse"?' in out


def test_bad_usage_exits_2_and_missing_index_exits_1(data: Path, tmp_path: Path) -> None:
    code, out = run(data, "search", "x", "--theme", "no such theme at all")
    assert code == 2 and "unknown theme" in out
    code, out = run(tmp_path / "empty", "search", "x")
    assert code == 1 and "saferkg index" in out
    assert "Traceback" not in out


def test_rebuild_flag_and_invocation_by_build(data: Path) -> None:
    code, out = run(data, "index", "--rebuild")
    assert code == 0 and "index rebuilt: 4 added" in out

    @click.command()
    @click.pass_context
    def caller(ctx: click.Context) -> None:
        ctx.invoke(index_cmd, rebuild=True)

    group = click.Group(commands={"caller": caller})
    result = CliRunner().invoke(main, ["--data", str(data), "index"])  # incremental: nothing to do
    assert "0 added" in result.output
    result = CliRunner().invoke(group, ["caller"], obj=Settings.from_env(data_dir=data))
    assert result.exit_code == 0 and "index rebuilt" in result.output
