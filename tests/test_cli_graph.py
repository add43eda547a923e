"""The graph commands of the saferkg CLI, on the bundled corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from graph_support import TODAY, copy_data, corpus_data
from rdflib import Graph

from saferkg.cli import main


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = corpus_data(tmp_path_factory.getbasetemp())
    out = copy_data(src, tmp_path_factory.mktemp("cli") / "data")
    result = CliRunner().invoke(main, ["--data", str(out), "graph", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Knowledge graph built" in result.output
    return out


def run(data: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data", str(data), *args])
    return result.exit_code, result.output


def test_route_prints_each_step_with_role_and_source(data: Path) -> None:
    code, out = run(data, "route", "JAG", "SPB")
    assert code == 0
    for abbr in ("JAG", "CSP", "SOG", "LSCSB", "SPB"):
        assert f". {abbr} (" in out
    assert "escalate issues up through Community Safety Partnerships" in out
    assert "Side routes" in out
    code, out = run(data, "route", "JAG", "SPB", "--json")
    assert [s["id"] for s in json.loads(out)["path"]] == ["jag", "csp", "sog", "lscsb", "spb"]


def test_route_for_a_theme(data: Path) -> None:
    code, out = run(data, "route", "--theme", "hate")
    assert code == 0 and "monitored by: Senior Officers Group" in out
    assert "Hate and Prevent Delivery Group" in out


def test_unknown_name_exits_2_with_a_suggestion(data: Path) -> None:
    code, out = run(data, "shared", "domestc abuse")
    assert code == 2 and 'did you mean "domestic abuse"' in out
    code, out = run(data, "route", "JAGG", "SPB")
    assert code == 2 and "did you mean" in out


def test_missing_graph_exits_1_with_one_line(tmp_path: Path) -> None:
    code, out = run(tmp_path, "shared", "asb")
    assert code == 1
    assert out.strip().count("\n") == 0 and "saferkg build" in out


def test_shared_and_gaps_show_passages(data: Path) -> None:
    code, out = run(data, "shared", "domestic abuse")
    assert code == 0 and "passage:" in out and "Safer Leicester Partnership" in out
    code, out = run(data, "gaps", "--partner", "safer-leicester", "--json")
    missing = {m["theme_id"] for m in json.loads(out)["missing"]}
    assert {"cyber-crime", "bullying"} <= missing
    code, out = run(data, "gaps")
    assert code == 0 and "Hinckley and Bosworth 2017-20" in out


def test_listings(data: Path) -> None:
    code, out = run(data, "themes", "--json")
    assert code == 0 and any(t["id"] == "asb" for t in json.loads(out)["themes"])
    code, out = run(data, "priorities", "--partner", "Safer Leicester Partnership")
    assert code == 0 and "source: https://www.leicester.gov.uk/" in out
    code, out = run(data, "duplicates", "--json")
    assert code == 0 and json.loads(out)["themes"]
    code, out = run(data, "matrix", "--type", "CSP")
    assert code == 0 and "Safer Leicester Partnership:" in out


def test_sparql_from_a_file_and_refusing_updates(data: Path, tmp_path: Path) -> None:
    q = tmp_path / "chain.rq"
    q.write_text("SELECT ?up WHERE { body:jag skg:escalatesTo+ ?up }", encoding="utf-8")
    code, out = run(data, "sparql", f"@{q}", "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "up" and len(out.splitlines()) == 5
    code, out = run(data, "sparql", "DELETE WHERE { ?s ?p ?o }")
    assert code == 2 and "read-only" in out


def test_export_turtle_parses_back(data: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "graph.ttl"
    code, _ = run(data, "export", "--format", "turtle", "-o", str(out_file))
    assert code == 0
    g = Graph().parse(out_file, format="turtle")
    assert len(g) > 1000
    code, out = run(data, "export", "--format", "json-ld")
    assert code == 0 and json.loads(out)


def test_check_passes_on_the_bundled_corpus(data: Path) -> None:
    code, out = run(data, "check")
    assert code == 0 and "conforms" in out


def test_check_fails_when_the_structure_breaks_a_shape(data: Path, tmp_path: Path) -> None:
    bad = copy_data(data, tmp_path / "bad")
    # A strategy without publisher, written straight into the RDF store.
    import pyoxigraph

    store = pyoxigraph.Store(str((bad / "graph").resolve() / "oxigraph"))
    store.update(
        "INSERT DATA { <https://w3id.org/saferkg/id/strategy/x> a "
        "<https://w3id.org/saferkg/def#Strategy> }"
    )
    store.flush()
    del store
    code, out = run(bad, "check")
    assert code == 1 and "a strategy must have a publisher" in out


def test_build_invokes_the_graph_command(data: Path, tmp_path: Path) -> None:
    fresh = copy_data(data, tmp_path / "fresh")
    before = (fresh / "graph").resolve()
    code, out = run(fresh, "build")
    assert "Knowledge graph built" in out, out
    assert (fresh / "graph").resolve() != before


def test_a_broken_structure_fails_in_one_line_and_keeps_the_graph(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = copy_data(data, tmp_path / "fresh")
    before = (fresh / "graph").resolve()
    structure = tmp_path / "structure.ttl"
    structure.write_text(
        (Path(__file__).resolve().parent.parent / "corpus" / "structure.ttl")
        .read_text(encoding="utf-8")
        .replace("org:member partner:nps ;", "org:member partner:no-such-partner ;"),
        encoding="utf-8",
    )
    monkeypatch.setenv("SAFERKG_STRUCTURE", str(structure))
    code, out = run(fresh, "graph")
    assert code == 1
    assert "no-such-partner" in out and "structure.ttl:" in out
    assert out.strip().count("\n") == 0
    assert (fresh / "graph").resolve() == before
    code, _ = run(fresh, "route", "JAG", "SPB")
    assert code == 0
