"""The curated structure file: what it says, and the clear errors an editing mistake gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_support import SOURCES, STRUCTURE, thesaurus

from graph.structure import StructureError, load_structure
from ingest.sources import load_sources

PARTNERS = {p.id for p in load_sources(SOURCES)}

HEAD = """@prefix skg: <https://w3id.org/saferkg/def#> .
@prefix body: <https://w3id.org/saferkg/id/body/> .
@prefix partner: <https://w3id.org/saferkg/id/partner/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
"""


def body(bid: str) -> str:
    return (
        f'body:{bid} a org:OrganizationalCollaboration ; skos:prefLabel "{bid.upper()}" ;\n'
        f'    skg:source [ dcterms:source <https://example.org/doc> ; oa:exact "{bid}" ] .\n'
    )


def line(frm: str, prop: str, to: str, *, source: bool = True) -> str:
    src = ' ;\n    skg:source [ dcterms:source <https://example.org/doc> ; oa:exact "x" ]'
    return f"[] a skg:Line ; skg:from {frm} ; skg:property {prop} ; skg:to {to}{src if source else ''} .\n"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "structure.ttl"
    p.write_text(HEAD + text, encoding="utf-8")
    return p


def test_bundled_structure_has_the_chain_with_sources() -> None:
    s = load_structure(STRUCTURE, partner_ids=PARTNERS, theme_ids=set(thesaurus().themes))
    chain = {(ln.frm, ln.to) for ln in s.lines if ln.prop == "escalatesTo"}
    assert chain == {
        ("body:jag", "body:csp"),
        ("body:csp", "body:sog"),
        ("body:sog", "body:lscsb"),
        ("body:lscsb", "body:spb"),
    }
    for bid in ("jag", "csp", "sog", "lscsb", "spb", "spb-exec", "members-forum", "jcab"):
        b = s.bodies[bid]
        assert b.role and b.sources and b.sources[0].passage and b.sources[0].url.startswith("http")
    assert s.bodies["jag"].tier and s.bodies["csp"].tier
    # The six county CSPs and Leicester's partnership stand at the CSP tier.
    csps = {p for p, tier in s.partner_tiers.items() if tier == "csp"}
    assert len(csps) == 7 and "safer-leicester" in csps
    assert s.covers["partner:blaby-hinckley-csp"] == ["Blaby", "Hinckley and Bosworth"]
    chairs = {(m.member, m.body) for m in s.memberships if m.role == "chair"}
    assert ("lcc", "body:lscsb") in chairs and ("opcc", "body:dsva-lead-member-group") in chairs
    # The direct triples stand beside the qualified lines.
    assert len(list(s.graph.triples((None, None, None)))) > 100


def test_unknown_partner_is_named_with_its_line(tmp_path: Path) -> None:
    p = write(tmp_path, body("jag") + line("body:jag", "org:reportsTo", "partner:nobody"))
    with pytest.raises(StructureError) as e:
        load_structure(p, partner_ids=PARTNERS)
    assert "nobody" in str(e.value) and "structure.ttl:" in str(e.value)


def test_unknown_body_is_named(tmp_path: Path) -> None:
    p = write(tmp_path, body("jag") + line("body:jag", "skg:escalatesTo", "body:csq"))
    with pytest.raises(StructureError, match="unknown body 'csq'"):
        load_structure(p)


def test_two_escalation_parents_name_the_body_and_line(tmp_path: Path) -> None:
    text = body("jag") + body("csp") + body("sog")
    text += line("body:jag", "skg:escalatesTo", "body:csp")
    text += line("body:jag", "skg:escalatesTo", "body:sog")
    p = write(tmp_path, text)
    with pytest.raises(StructureError) as e:
        load_structure(p)
    message = str(e.value)
    assert "body:jag escalates to 2 bodies" in message and "structure.ttl:" in message


def test_a_line_without_source_is_refused(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        body("jag") + body("csp") + line("body:jag", "skg:feedsInto", "body:csp", source=False),
    )
    with pytest.raises(StructureError, match="cites no source"):
        load_structure(p)


def test_broken_turtle_is_a_clear_error(tmp_path: Path) -> None:
    p = write(tmp_path, "body:jag a org:OrganizationalCollaboration ; skos:prefLabel .\n")
    with pytest.raises(StructureError, match="not valid Turtle"):
        load_structure(p)


def _norm(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split()).lower()


def test_curated_passages_are_quoted_from_the_documents_they_cite(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from urllib.parse import unquote

    from graph_support import corpus_data

    from ingest.store import Store

    s = load_structure(STRUCTURE)
    sources = [src for b in s.bodies.values() for src in b.sources]
    sources += [src for ln in s.lines for src in ln.sources]
    sources += [src for m in s.memberships for src in m.sources]
    with Store.open(corpus_data(tmp_path_factory.getbasetemp())) as store:
        texts = {d.url: _norm(d.text) for d in store.documents()}
    checked = 0
    for src in sources:
        text = texts.get(unquote(src.url))
        if text is None:  # a document the bundled corpus does not hold
            continue
        assert _norm(src.passage) in text, f"{src.passage!r} is not in {src.url}"
        checked += 1
    assert checked >= 10
