"""Read-only SPARQL over the persisted graph: chains by property paths, limits, refusals."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from graph_support import corpus_data, knowledge

from graph.knowledge import Knowledge
from graph.sparql import (
    SparqlError,
    SparqlRefused,
    SparqlTimeout,
    SparqlTooCostly,
    cross_product_rows,
)


@pytest.fixture(scope="module")
def k(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return knowledge(corpus_data(tmp_path_factory.getbasetemp()))


def ids(result: object, var: str) -> set[str]:
    return {row[var].rsplit("/", 1)[-1] for row in result.table()}  # type: ignore[attr-defined]


def test_escalation_chain_by_property_path(k: Knowledge) -> None:
    r = k.sparql("SELECT ?up WHERE { body:jag skg:escalatesTo+ ?up }")
    assert ids(r, "up") == {"csp", "sog", "lscsb", "spb"}
    # org:reportsTo+ also follows the side routes, which are reportsTo too.
    r = k.sparql("SELECT DISTINCT ?up WHERE { body:sog org:reportsTo+ ?up }")
    assert ids(r, "up") == {"lscsb", "spb"}
    r = k.sparql("ASK { skg:escalatesTo rdfs:subPropertyOf org:reportsTo }")
    assert r.boolean is True


def test_priorities_with_provenance_and_passage(k: Knowledge) -> None:
    q = """
    SELECT ?text ?exact ?when WHERE {
      ?p a skg:Priority ; rdfs:label ?text ; skg:hasTheme theme:domestic-abuse ;
         prov:wasDerivedFrom ?snap ; skg:evidence/oa:hasSelector/oa:exact ?exact .
      ?snap prov:generatedAtTime ?when .
      ?doc skg:statesPriority ?p ; dcterms:publisher partner:safer-leicester .
    }"""
    rows = k.sparql(q).table()
    assert rows and all(r["exact"] and r["when"] for r in rows)


def test_row_limit_truncates_and_csv_has_a_header(k: Knowledge) -> None:
    r = k.sparql("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", limit=5)
    assert len(r.rows) == 5 and r.truncated
    table = list(csv.reader(io.StringIO(r.to_csv())))
    assert table[0] == ["s", "p", "o"] and len(table) == 6
    assert r.to_json()["head"]["vars"] == ["s", "p", "o"]


def test_updates_are_refused(k: Knowledge) -> None:
    for q in (
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX x: <urn:x>\nDELETE WHERE { ?s ?p ?o }",
        "DROP ALL",
    ):
        with pytest.raises(SparqlRefused):
            k.sparql(q)
    assert k.sparql("ASK { ?s ?p ?o }").boolean


def test_bad_syntax_is_a_clear_error(k: Knowledge) -> None:
    with pytest.raises(SparqlError, match="bad SPARQL"):
        k.sparql("SELECT WHERE {")


def test_a_slow_query_is_stopped_at_the_timeout(k: Knowledge) -> None:
    # About a second of work (every node to every node) before its one row, abandoned
    # after 20 ms: a timeout answer, not a refusal, as no cross product is involved.
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a (!rdf:type)* ?b }"
    with pytest.raises(SparqlTimeout) as caught:
        k.sparql(q, timeout=0.02)
    assert not isinstance(caught.value, SparqlTooCostly)


def test_a_count_over_the_store_times_itself_is_refused_before_it_runs(k: Knowledge) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    with pytest.raises(SparqlTooCostly, match="joins every triple with every other"):
        k.sparql(q, timeout=0.02)
    # The same cross product streamed row by row answers at once.
    r = k.sparql("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", timeout=5, limit=3)
    assert len(r.rows) == 3 and r.truncated


def test_cross_products_are_told_from_joins() -> None:
    n = 1000
    assert cross_product_rows("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", n) == n**2
    assert cross_product_rows("SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a", n) == 0
    # Linked by a variable, under UNION, or not reading every row first: not a cross product.
    assert cross_product_rows("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?e ?f }", n) == 0
    assert (
        cross_product_rows("SELECT (COUNT(*) AS ?n) WHERE { { ?a ?b ?c } UNION { ?d ?e ?f } }", n)
        == 0
    )
    assert cross_product_rows("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", n) == 0
    # A query rdflib cannot read is left to oxigraph, which says what is wrong.
    assert cross_product_rows("SELECT WHERE {", n) == 0
    assert cross_product_rows("SELECT DISTINCT ?a WHERE { ?a nope:x ?c . ?d ?e ?f }", n) == 0


def test_qualified_escalation_nodes_keep_their_evidence(k: Knowledge) -> None:
    q = """
    SELECT ?from ?to ?passage WHERE {
      ?line a skg:Escalation ; skg:from ?from ; skg:to ?to ;
            skg:source [ dcterms:source ?doc ; oa:exact ?passage ] .
    }"""
    rows = k.sparql(q).table()
    pairs = {(r["from"].rsplit("/", 1)[-1], r["to"].rsplit("/", 1)[-1]) for r in rows}
    assert pairs == {("jag", "csp"), ("csp", "sog"), ("sog", "lscsb"), ("lscsb", "spb")}
    assert all(r["passage"] for r in rows)


def test_the_documented_examples_answer(k: Knowledge) -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "model.md").read_text("utf-8")
    examples = re.findall(r"```sparql\n(.*?)```", doc, re.S)
    assert len(examples) >= 5
    for q in examples:
        assert k.sparql(q).rows, q
