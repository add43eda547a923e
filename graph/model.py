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

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import BNode, Graph, Literal
from rdflib.namespace import FOAF
from rdflib.term import Node

from ingest.model import Document
from ingest.sources import Partner, load_sources
from ingest.store import Store

from .namespaces import (
    DCTERMS,
    OA,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKG,
    SKOS,
    TIME,
    XSD,
    bind_prefixes,
    document_uri,
    iri,
    partner_uri,
    priority_uri,
    snapshot_uri,
    theme_uri,
)
from .structure import LINE_CLASSES, Structure, load_structure
from .themes import Thesaurus, normalise

#: Partner types that are partnerships (ORG collaborations) rather than single agencies.
COLLABORATION_TYPES = {"CSP", "Board"}
ENDED = {"ended", "expired", "past", "out of date", "lapsed"}

_PERIOD_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:-|–|—|/|_|to|until)\s*((?:19|20)?\d{2})(?!\d)", re.I
)


def parse_period(text: str) -> tuple[int, int] | None:
    """The first year range written in ``text`` ("2017-20", "2014_2017") as (start, end)."""
    for m in _PERIOD_RE.finditer(text or ""):
        start = int(m.group(1))
        end_s = m.group(2)
        end = int(end_s) if len(end_s) == 4 else (start // 100) * 100 + int(end_s)
        if start <= end <= start + 10:
            return start, end
    return None


@dataclass
class Views:
    """What the analyses read: built with the graph, pickled beside it."""

    partners: dict[str, dict[str, Any]] = field(default_factory=dict)
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    network: nx.DiGraph = field(default_factory=nx.DiGraph)
    themes: dict[str, dict[str, Any]] = field(default_factory=dict)
    theme_names: dict[str, str] = field(default_factory=dict)  # normalised name -> theme id
    descendants: dict[str, list[str]] = field(default_factory=dict)
    strategies: list[dict[str, Any]] = field(default_factory=list)
    curated_strategies: dict[str, dict[str, Any]] = field(default_factory=dict)
    priorities: list[dict[str, Any]] = field(default_factory=list)
    theme_index: dict[str, list[int]] = field(default_factory=dict)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    similar: list[dict[str, Any]] = field(default_factory=list)  # near-identical statements
    ownership: list[dict[str, Any]] = field(default_factory=list)  # county and district owners
    partner_names: dict[str, str] = field(default_factory=dict)  # normalised name -> id
    body_names: dict[str, str] = field(default_factory=dict)  # normalised name -> "body:<id>"
    plans_by_partner: dict[str, list[int]] = field(default_factory=dict)  # -> strategies index
    priorities_by_url: dict[str, list[int]] = field(default_factory=dict)  # -> priorities index
    reference: dict[str, Any] = field(default_factory=dict)  # the county-wide priorities
    counts: dict[str, int] = field(default_factory=dict)
    built_at: str = ""
    today: str = ""


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


def _status(info: Any, today: date) -> str:
    status = str(getattr(info, "status", "") or "")
    end = getattr(info, "period_end", None)
    if not status or status == "unknown":
        if end is None:
            return "unknown"
        return "ended" if end < today.year else "current"
    return status


def _theme_views(
    th: Thesaurus,
) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, list[str]]]:
    themes: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    for t in th.themes.values():
        themes[t.id] = {
            "id": t.id,
            "label": t.label,
            "alt_labels": list(t.alt_labels),
            "broader": list(t.broader),
            "narrower": list(t.narrower),
            "definition": t.definition,
        }
        for name in (t.id, t.label, *t.alt_labels, *t.abbreviations, *t.case_sensitive_labels):
            names.setdefault(normalise(name), t.id)
    desc = {tid: sorted(th.descendants(tid)) for tid in themes}
    return themes, names, desc


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


def _text_quote(passage: str, text: str, context: int = 32) -> tuple[str, str]:
    """Prefix and suffix of ``passage`` in ``text`` (empty when not found verbatim)."""
    i = text.find(passage) if passage else -1
    if i < 0:
        return "", ""
    return text[max(0, i - context) : i], text[i + len(passage) : i + len(passage) + context]


def build(
    store: Store,
    *,
    structure_path: str | Path,
    sources_path: str | Path,
    thesaurus: Thesaurus,
    today: date,
) -> Built:
    """Build the graph and its views from the store, the sources, the structure and the themes."""
    from .priorities import analyse

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
    v.themes, v.theme_names, v.descendants = _theme_views(thesaurus)

    # -- partners ----------------------------------------------------------
    for p in partners_list:
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

    # -- bodies, lines and memberships from the structure ------------------
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

    # -- documents, strategies, priorities ---------------------------------
    link_rows: list[tuple[str, str, str, str]] = []  # source url, partner, target, anchor
    doc_period: dict[str, tuple[int, int] | None] = {}
    doc_title: dict[str, str] = {}
    n_docs = 0
    by_partner: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in store.documents():
        n_docs += 1
        info = analyse(doc, thesaurus, today=today)
        _add_document(g, v, doc, info, today, by_partner)
        doc_title[doc.url] = doc.title
        if doc.period_start and doc.period_end:
            doc_period[doc.url] = (doc.period_start, doc.period_end)
        else:
            doc_period[doc.url] = parse_period(doc.title) or parse_period(doc.url)
        for link in doc.links:
            if link.anchor and parse_period(link.anchor):
                link_rows.append((doc.url, doc.partner, link.url, link.anchor))

    # A newer plan of the same partner replaces the older one.
    for pid, strategies in by_partner.items():
        plans = sorted(
            (s for s in strategies if s["is_plan"] and s["period_start"]),
            key=lambda s: (s["period_start"], s["url"]),
        )
        for older, newer in zip(plans, plans[1:], strict=False):
            g.add((document_uri(newer["url"]), DCTERMS.replaces, document_uri(older["url"])))
            newer["replaces"] = older["url"]
        record: dict[str, Any] = v.partners.setdefault(
            pid,
            {
                "id": pid,
                "name": pid,
                "type": "",
                "area": "",
                "homepage": "",
                "tier": None,
                "covers": [],
                "strategies": [],
                "memberships": [],
            },
        )
        record["strategies"] = sorted(
            (
                {k: s[k] for k in ("url", "title", "period", "status", "doc_type", "priorities")}
                for s in strategies
                if s["is_plan"]
            ),
            key=lambda s: (s["status"] != "current", s["url"]),
        )

    for i, prow in enumerate(v.priorities):
        v.priorities_by_url.setdefault(prow["strategy_url"], []).append(i)
        for tid in prow["themes"]:
            v.theme_index.setdefault(tid, []).append(i)
    for i, strat in enumerate(v.strategies):
        if strat["is_plan"]:
            v.plans_by_partner.setdefault(strat["partner_id"], []).append(i)

    # -- link label versus document period ---------------------------------
    for source_url, pid, target, anchor in link_rows:
        said = parse_period(anchor)
        actual = doc_period.get(target) or parse_period(target)
        if said and actual and said != actual:
            v.mismatches.append(
                {
                    "found_on": source_url,
                    "partner_id": pid,
                    "anchor": anchor,
                    "url": target,
                    "label_period": f"{said[0]}-{said[1]}",
                    "document_period": f"{actual[0]}-{actual[1]}",
                    "document_title": doc_title.get(target, ""),
                }
            )
            node = BNode()
            g.add((document_uri(source_url), SKG.periodMismatch, node))
            g.add((node, SKG.anchor, Literal(anchor)))
            g.add((node, SKG.target, iri(target)))

    v.reference = _reference(v)
    from .analysis import shared_ownership, similar_statements  # they read Views: imported late
    from .names import body_name_index, partner_name_index

    v.partner_names = partner_name_index(v)
    v.body_names = body_name_index(v)

    v.similar = similar_statements(v)
    v.ownership = shared_ownership(v)
    v.counts = {
        "triples": len(g),
        "partners": len(v.partners),
        "bodies": len(v.bodies),
        "lines": len(v.lines),
        "documents": n_docs,
        "strategies": sum(1 for s in v.strategies if s["is_plan"]),
        "priorities": len(v.priorities),
        "themes": len(v.themes),
        "mismatches": len(v.mismatches),
    }
    return Built(g, v)


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


def _add_document(
    g: Triples,
    v: Views,
    doc: Document,
    info: Any,
    today: date,
    by_partner: dict[str, list[dict[str, Any]]],
) -> None:
    d = document_uri(doc.url)
    publisher = partner_uri(doc.partner)
    g.add((d, RDF.type, FOAF.Document))
    g.add((d, FOAF.page, iri(doc.url)))
    g.add((d, DCTERMS.title, Literal(doc.title)))
    g.add((d, DCTERMS.publisher, publisher))
    if doc.published:
        g.add((d, DCTERMS.issued, Literal(doc.published, datatype=XSD.date)))
    if doc.updated:
        g.add((d, DCTERMS.modified, Literal(doc.updated, datatype=XSD.date)))
    snap = snapshot_uri(doc.url, doc.content_hash or "none")
    g.add((snap, RDF.type, PROV.Entity))
    g.add((snap, PROV.specializationOf, d))
    g.add((snap, SKG.contentHash, Literal(doc.content_hash)))
    if doc.fetched_at:
        g.add((snap, PROV.generatedAtTime, Literal(doc.fetched_at, datatype=XSD.dateTime)))

    status = _status(info, today)
    partner_name = v.partners.get(doc.partner, {}).get("name", doc.partner)
    strategy = {
        "url": doc.url,
        "partner_id": doc.partner,
        "partner": partner_name,
        "title": getattr(info, "title", "") or doc.title,
        "doc_type": getattr(info, "doc_type", "") or "",
        "is_plan": bool(getattr(info, "is_plan", False)),
        "period": getattr(info, "period", None) or doc.period,
        "period_start": getattr(info, "period_start", None) or doc.period_start,
        "period_end": getattr(info, "period_end", None) or doc.period_end,
        "status": status,
        "fetched_at": doc.fetched_at,
        "priorities": 0,
    }
    v.strategies.append(strategy)
    by_partner[doc.partner].append(strategy)
    if strategy["doc_type"]:
        g.add((d, DCTERMS.type, Literal(strategy["doc_type"])))
    if not strategy["is_plan"]:
        return
    g.add((d, RDF.type, SKG.Strategy))
    g.add((d, SKG.status, Literal(status)))
    if strategy["period"]:
        period = BNode()
        g.add((d, DCTERMS.temporal, period))
        g.add((period, RDF.type, TIME.Interval))
        g.add((period, RDFS.label, Literal(strategy["period"])))
        if strategy["period_start"]:
            g.add(
                (period, SKG.startYear, Literal(int(strategy["period_start"]), datatype=XSD.gYear))
            )
        if strategy["period_end"]:
            g.add((period, SKG.endYear, Literal(int(strategy["period_end"]), datatype=XSD.gYear)))

    full_text = doc.text
    for position, pr in enumerate(getattr(info, "priorities", []) or [], 1):
        order = int(getattr(pr, "order", position))
        # The position in the document keeps URIs unique (orders restart per list).
        p = priority_uri(doc.url, position)
        text = str(pr.text)
        passage = str(getattr(pr, "passage", "") or text)
        g.add((p, RDF.type, SKG.Priority))
        g.add((p, RDFS.label, Literal(text)))
        g.add((d, SKG.statesPriority, p))
        g.add((publisher, SKG.statesPriority, p))
        g.add((p, DCTERMS.isPartOf, d))
        g.add((p, PROV.wasDerivedFrom, snap))
        target = BNode()
        selector = BNode()
        g.add((p, SKG.evidence, target))
        g.add((target, RDF.type, OA.SpecificResource))
        g.add((target, OA.hasSource, d))
        g.add((target, OA.hasSelector, selector))
        g.add((selector, RDF.type, OA.TextQuoteSelector))
        # The selector quotes the document word for word so the passage can be found
        # in it: the passage (lead-in and item) when it stands whole in the text,
        # else the item itself (items after the first are not next to the lead-in).
        exact = passage if passage in full_text or text not in full_text else text
        g.add((selector, OA.exact, Literal(exact)))
        prefix, suffix = _text_quote(exact, full_text)
        if prefix:
            g.add((selector, OA.prefix, Literal(prefix)))
        if suffix:
            g.add((selector, OA.suffix, Literal(suffix)))
        matches = []
        themes: list[str] = []
        for m in getattr(pr, "themes", []) or []:
            if m.theme_id not in themes:
                themes.append(m.theme_id)
            matches.append(
                {"theme_id": m.theme_id, "label": m.label, "matched_text": m.matched_text}
            )
            g.add((p, SKG.hasTheme, theme_uri(m.theme_id)))
            g.add((p, SKG.matchedLabel, Literal(m.matched_text)))
        strategy["priorities"] += 1
        v.priorities.append(
            {
                "id": str(p),
                "partner": partner_name,
                "partner_id": doc.partner,
                "strategy": strategy["title"],
                "strategy_url": doc.url,
                "source_url": doc.url,
                "status": status,
                "period": strategy["period"],
                "text": text,
                "evidence": passage,
                "themes": themes,
                "matches": matches,
                "section": getattr(pr, "section", None),
                "page": getattr(pr, "page", None),
                "order": order,
                "group": getattr(pr, "group", None),
                "level": getattr(pr, "level", None),
            }
        )


COUNTY_WIDE = re.compile(r"county[\s-]*wide\s+priorit", re.I)


def _reference(v: Views) -> dict[str, Any]:
    """The county-wide priorities that ``gaps`` compares partners against by default.

    They are the priorities a document states under a heading or lead-in naming
    the "county-wide priorities" (the CSA and the county strategy both do), and
    otherwise the plan with the most priorities of the partner that stands for
    the LSCSB in ``structure.ttl``.
    """
    rows = [r for r in v.priorities if COUNTY_WIDE.search(str(r.get("group") or ""))]
    if not rows:
        owners = {pid for pid, p in v.partners.items() if p.get("tier") == "lscsb"}
        plans = [s for s in v.strategies if s["partner_id"] in owners and s["priorities"]]
        if not plans:
            return {}
        best = max(plans, key=lambda s: (s["status"] == "current", s["priorities"]))
        rows = [r for r in v.priorities if r["strategy_url"] == best["url"]]
    # The LSCSB's own statement first: it is the agreement; others restate it.
    owners = {pid for pid, p in v.partners.items() if p.get("tier") == "lscsb"}
    rows.sort(key=lambda r: (r["partner_id"] not in owners, r["source_url"], r["order"]))
    themes: dict[str, dict[str, Any]] = {}
    for r in rows:
        for tid in r["themes"]:
            themes.setdefault(
                tid,
                {
                    "text": r["text"],
                    "source_url": r["source_url"],
                    "strategy": r["strategy"],
                    "partner": r["partner"],
                    "evidence": r["evidence"],
                },
            )
    first = rows[0]
    return {
        "title": "County-wide priorities",
        "url": first["source_url"],
        "partner_id": first["partner_id"],
        "partner": first["partner"],
        "sources": sorted({r["source_url"] for r in rows}),
        "themes": themes,
    }
