"""Building and persisting the graph: provenance, reload, an interrupted build, a new partner."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from graph_support import SOURCES, build_in, copy_data, corpus_data, crawl, knowledge, serve_pages
from rdflib import Literal
from rdflib.namespace import FOAF

from graph import persist
from graph.namespaces import OA, ORG, PROV, RDF, RDFS, SKG, body_uri, partner_uri
from ingest.fetch import HttpFetcher
from ingest.model import Document
from ingest.store import Store
from saferkg.settings import Settings


def built_documents(data: Path) -> list[Document]:
    with Store.open(data) as store:
        return list(store.documents())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus_data(tmp_path_factory.getbasetemp())


def test_graph_uses_the_standard_vocabularies_with_provenance(corpus: Path) -> None:
    built = build_in(corpus)
    g = built.graph
    # One resource per priority statement, none merged with another.
    assert len(set(g.subjects(RDF.type, SKG.Priority))) == len(built.views.priorities)
    assert (SKG.escalatesTo, RDFS.subPropertyOf, ORG.reportsTo) in g
    assert (body_uri("jag"), SKG.escalatesTo, body_uri("csp")) in g
    assert (body_uri("jag"), ORG.reportsTo, body_uri("csp")) in g
    assert (partner_uri("lcc"), ORG.headOf, body_uri("lscsb")) in g
    priorities = list(g.subjects(RDF.type, SKG.Priority))
    assert priorities
    for p in priorities:
        snapshot = g.value(p, PROV.wasDerivedFrom)
        assert g.value(snapshot, PROV.generatedAtTime) is not None
        selector = g.value(g.value(p, SKG.evidence), OA.hasSelector)
        assert isinstance(g.value(selector, OA.exact), Literal)
    # Each quote is word for word in its document, with the text around it.
    texts = {d.url: d.text for d in built_documents(corpus)}
    for p in priorities:
        target = g.value(p, SKG.evidence)
        exact = str(g.value(g.value(target, OA.hasSelector), OA.exact))
        url = next(u for u in texts if str(g.value(g.value(target, OA.hasSource), FOAF.page)) == u)
        assert exact in texts[url], (url, exact)


def test_reloaded_graph_answers_as_the_build_did(corpus: Path) -> None:
    built = build_in(corpus)
    k = knowledge(corpus)
    assert k.views.counts == built.views.counts
    assert k.views.priorities == built.views.priorities
    assert k.views.lines == built.views.lines
    r = k.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(r.table()[0]["n"]) == len(built.graph)


def test_an_interrupted_build_leaves_the_previous_graph(corpus: Path, tmp_path: Path) -> None:
    data = copy_data(corpus, tmp_path / "data")
    before = (data / "graph").resolve()
    built = build_in(data)
    # Something that cannot be written makes the build fail half way (after the RDF store).
    built.views.counts["broken"] = lambda: 0  # type: ignore[assignment]
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        persist.write(built, data)
    assert (data / "graph").resolve() == before
    assert not list(data.glob(".graph-*"))
    assert knowledge(data).route("JAG", "SPB")["path"]


def test_a_rebuild_swaps_the_pointer_and_keeps_readers_working(
    corpus: Path, tmp_path: Path
) -> None:
    data = copy_data(corpus, tmp_path / "data")
    old = knowledge(data)
    new_dir = persist.write(build_in(data), data)
    assert (data / "graph").resolve() == new_dir.resolve()
    assert old.shared("asb")["holders"] == knowledge(data).shared("asb")["holders"]


def test_missing_graph_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(persist.GraphMissing, match="saferkg build"):
        knowledge(tmp_path)


PLAN = """<!doctype html><html lang="en"><head><title>Safer Testshire Partnership Plan 2022-2025</title></head>
<body><main><h1>Safer Testshire Partnership Plan 2022-2025</h1>
<p>This plan sets out what the Safer Testshire Partnership will do over the next three years.</p>
<h2>Our priorities</h2>
<ol>
<li>Tackle county lines and the exploitation of children</li>
<li>Reduce anti-social behaviour in our town centres</li>
<li>Support victims of domestic abuse</li>
</ol>
</main></body></html>"""


def test_a_new_partner_with_a_plain_html_plan_is_matched_without_code(
    corpus: Path, tmp_path: Path
) -> None:
    pages = {
        "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n"),
        "/csp/plan.html": ("text/html; charset=utf-8", PLAN.encode()),
    }
    data = copy_data(corpus, tmp_path / "data")
    with serve_pages(pages) as base:
        entry = (
            '[[partner]]\nid = "safer-testshire"\nname = "Safer Testshire Partnership"\n'
            f'type = "CSP"\narea = "Testshire"\nhomepage = "{base}/"\n'
            f'start = ["{base}/csp/plan.html"]\n'
        )
        new_only = tmp_path / "new.toml"
        new_only.write_text(entry, encoding="utf-8")
        sources = tmp_path / "sources.toml"
        sources.write_text(SOURCES.read_text(encoding="utf-8") + "\n" + entry, encoding="utf-8")
        # The live crawler, on the loopback server only: the other partners stay as crawled.
        fetcher = HttpFetcher.from_settings(Settings(delay=0))
        try:
            crawl(data, sources=new_only, fetcher=fetcher)
        finally:
            fetcher.close()
    persist.write(build_in(data, sources=sources), data)
    k = knowledge(data)
    rows = k.priorities(partner="Safer Testshire Partnership")["priorities"]
    assert [r["text"] for r in rows][:3] == [
        "Tackle county lines and the exploitation of children",
        "Reduce anti-social behaviour in our town centres",
        "Support victims of domestic abuse",
    ]
    holders = {h["partner_id"]: h for h in k.shared("county lines")["holders"]}
    assert "safer-testshire" in holders
    assert holders["safer-testshire"]["source_url"].endswith("/csp/plan.html")
    assert "safer-testshire" in {h["partner_id"] for h in k.shared("ASB")["holders"]}
    # The county partners are still there, and the newcomer is checked against them.
    assert "lscsb" in {h["partner_id"] for h in k.shared("domestic abuse")["holders"]}
    missing = {m["theme_id"] for m in k.gaps(partner="safer-testshire")["missing"]}
    assert "hate-crime" in missing and "domestic-abuse" not in missing
