"""The RDF model: build the knowledge graph from the store, the sources and the structure.

One pass over the stored documents produces both the RDF graph (for SPARQL,
export and SHACL) and the derived :class:`Views` (plain dicts and a networkx
graph) that the analyses read; :mod:`graph.persist` writes both to disk.

Vocabularies: W3C ORG for partners, bodies, memberships and reporting lines;
SKOS for themes; DCTERMS for documents and strategies; PROV-O for where each
fact was derived from; Web Annotation for the quoted passage. See docs/model.md.

    >>> built = build(store, structure_path=..., sources_path=..., thesaurus=th,
    ...               today=date.today())                       # doctest: +SKIP
    >>> len(built.graph) > 0
    True
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import FOAF
from rdflib.term import Node

from ingest.sources import Partner, load_sources
from ingest.store import Store

from .documents import add_documents
from .namespaces import ORG, OWL, RDF, RDFS, SKG, SKOS, bind_prefixes, iri, partner_uri
from .structure import LINE_CLASSES, Structure, load_structure
from .themes import Thesaurus

# Views and parse_period lived here first: re-exported for callers and for views
# pickled before they moved (pickle finds the class by this module's name).
from .views import Views, finish, parse_period, theme_views

__all__ = ["Built", "Triples", "Views", "build", "build_graph", "ontology", "parse_period"]

#: Partner types that are partnerships (ORG collaborations) rather than single agencies.
COLLABORATION_TYPES = {"CSP", "Board"}


class Triples:
    """A set of RDF triples, filled like an rdflib Graph but without its indexes.

    An rdflib in-memory graph costs about a kilobyte per triple and most of the
    build time; the triples only pass through on their way to the oxigraph
    store, so a plain set is enough.
    """

    def __init__(self) -> None:
        self.items: set[tuple[Node, Node, Node]] = set()

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        self.items.add(triple)

    def __iadd__(self, other: Graph) -> Triples:
        self.items.update(other)  # type: ignore[arg-type]
        return self

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return iter(self.items)

    def turtle_lines(self) -> Iterator[str]:
        """One ``s p o .`` line per triple (valid Turtle, parsed by oxigraph)."""
        for s, p, o in self.items:
            yield f"{s.n3()} {p.n3()} {o.n3()} .\n"

    def graph(self) -> Graph:
        """The triples as an rdflib Graph (for callers that want rdflib)."""
        g = bind_prefixes(Graph())
        for t in self.items:
            g.add(t)
        return g


@dataclass
class Built:
    """A built knowledge graph: the RDF triples and the derived views."""

    triples: Triples
    views: Views
    _graph: Graph | None = None

    @property
    def graph(self) -> Graph:
        """The RDF as an rdflib Graph (made on first use)."""
        if self._graph is None:
            self._graph = self.triples.graph()
        return self._graph


def ontology() -> Graph:
    """The few terms of the project vocabulary and how they hang on the standard ones."""
    g = Graph()
    for name, label in (
        ("Strategy", "strategy or plan"),
        ("Priority", "priority statement"),
        ("Tier", "tier of bodies (stands for every body of its kind)"),
        ("Line", "curated reporting line with its evidence"),
    ):
        g.add((SKG[name], RDF.type, OWL.Class))
        g.add((SKG[name], RDFS.label, Literal(label, lang="en")))
    g.add((SKG.Strategy, RDFS.subClassOf, FOAF.Document))
    for cls in LINE_CLASSES.values():
        g.add((SKG[cls], RDFS.subClassOf, SKG.Line))
    for prop, sup, label in (
        (SKG.escalatesTo, ORG.reportsTo, "escalates issues to (the formal chain)"),
        (SKG.feedsInto, ORG.reportsTo, "feeds issues into (a side route)"),
        (SKG.routesTo, None, "routes priorities down to"),
        (SKG.monitors, None, "monitors"),
        (SKG.deliveredBy, None, "delivered by"),
        (SKG.reportsProgressTo, None, "reports progress to"),
        (SKG.statesPriority, None, "states priority"),
        (SKG.hasTheme, None, "has theme"),
        (SKG.matchedLabel, None, "matched label"),
        (SKG.covers, None, "covers (area)"),
        (SKG.tier, None, "belongs to tier"),
        (SKG.status, None, "status"),
    ):
        g.add((prop, RDF.type, OWL.ObjectProperty))
        g.add((prop, RDFS.label, Literal(label, lang="en")))
        if sup is not None:
            g.add((prop, RDFS.subPropertyOf, sup))
    g.add((SKG.Chair, RDF.type, ORG.Role))
    g.add((SKG.Chair, RDFS.label, Literal("chair", lang="en")))
    return g


def _partner_record(p: Partner, structure: Structure) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "abbr": str(p.extra.get("abbr", "") or ""),
        "type": p.type,
        "area": p.area,
        "homepage": p.homepage,
        "tier": structure.partner_tiers.get(p.id),
        "covers": structure.covers.get(f"partner:{p.id}", []),
        "strategies": [],
        "memberships": [],
    }


def build(
    store: Store,
    *,
    structure_path: str | Path,
    sources_path: str | Path,
    thesaurus: Thesaurus,
    today: date,
) -> Built:
    """Build the graph and its views from the store, the sources, the structure and the themes."""
    partners_list = load_sources(sources_path)
    structure = load_structure(
        structure_path,
        partner_ids={p.id for p in partners_list},
        theme_ids=set(thesaurus.themes),
    )
    g = Triples()
    g += ontology()
    g += thesaurus.graph()
    g += structure.graph
    v = Views(today=today.isoformat())
    v.themes, v.theme_names, v.descendants = theme_views(thesaurus)
    _add_partners(g, v, partners_list, structure)
    _add_structure(v, structure)
    n_docs = add_documents(g, v, store, thesaurus, today)
    finish(v, triples=len(g), documents=n_docs)
    return Built(g, v)


def _add_partners(g: Triples, v: Views, partners: list[Partner], structure: Structure) -> None:
    """Each partner of the sources as an ORG organisation (or collaboration) and a record."""
    for p in partners:
        v.partners[p.id] = _partner_record(p, structure)
        u = partner_uri(p.id)
        cls = (
            ORG.OrganizationalCollaboration
            if p.type in COLLABORATION_TYPES
            else ORG.FormalOrganization
        )
        g.add((u, RDF.type, cls))
        g.add((u, SKOS.prefLabel, Literal(p.name)))
        g.add((u, SKG.partnerType, Literal(p.type)))
        if p.area:
            g.add((u, SKG.area, Literal(p.area)))
        if p.homepage:
            g.add((u, FOAF.homepage, iri(p.homepage)))


def _add_structure(v: Views, structure: Structure) -> None:
    """Bodies, reporting lines and memberships of the structure (its triples come with it)."""
    for b in structure.bodies.values():
        first = b.sources[0]
        v.bodies[b.id] = {
            "id": b.id,
            "abbr": b.abbr,
            "label": b.label,
            "alt_labels": b.alt_labels,
            "role": b.role,
            "source": first.to_dict(),
            "sources": [s.to_dict() for s in b.sources],
            "tier": b.tier,
            "level": b.level,
        }
        v.network.add_node(f"body:{b.id}", kind="body")
    for line in structure.lines:
        row = {
            "from": line.frm,
            "to": line.to,
            "property": line.prop,
            "source": line.sources[0].to_dict(),
        }
        v.lines.append(row)
        v.network.add_edge(line.frm, line.to, property=line.prop, source=row["source"])
    for m in structure.memberships:
        membership = {
            "body": m.body,
            "role": m.role,
            "start": m.start,
            "end": m.end,
            "source": m.sources[0].to_dict(),
        }
        if m.member in v.partners:
            v.partners[m.member]["memberships"].append(membership)
    v.curated_strategies = dict(structure.strategies)


def build_graph(
    store: Store,
    *,
    structure_path: str | Path,
    sources_path: str | Path,
    thesaurus: Thesaurus,
    today: date,
) -> Graph:
    """The RDF knowledge graph alone (see :func:`build` for the graph with its views)."""
    return build(
        store,
        structure_path=structure_path,
        sources_path=sources_path,
        thesaurus=thesaurus,
        today=today,
    ).graph
