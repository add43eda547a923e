"""Documents, strategies and priority statements: their triples and their rows in the views.

:func:`add_documents` reads every stored document once, asks
:func:`graph.priorities.analyse` whether it is a plan and what it prioritises,
and writes the document, its snapshot (PROV-O), the strategy with its period
and status, and each priority with the quoted passage (Web Annotation). A
newer plan of a partner replaces its older one, and a link whose label names
another period than the document it points at is kept as a mismatch.

    >>> n = add_documents(triples, views, store, thesaurus, today)  # doctest: +SKIP
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal
from rdflib.namespace import FOAF
from rdflib.term import Node

from ingest.model import Document
from ingest.store import Store

from .namespaces import (
    DCTERMS,
    OA,
    PROV,
    RDF,
    RDFS,
    SKG,
    TIME,
    XSD,
    document_uri,
    iri,
    partner_uri,
    priority_uri,
    snapshot_uri,
    theme_uri,
)
from .themes import Thesaurus
from .views import Views, parse_period

if TYPE_CHECKING:
    from .model import Triples


@dataclass
class _Pass:
    """What the pass over the documents gathers for the steps after it."""

    link_rows: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # url, partner, target, anchor
    doc_period: dict[str, tuple[int, int] | None] = field(default_factory=dict)
    doc_title: dict[str, str] = field(default_factory=dict)
    by_partner: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    documents: int = 0


def add_documents(g: Triples, v: Views, store: Store, thesaurus: Thesaurus, today: date) -> int:
    """Add every stored document (and its strategy and priorities) to ``g`` and ``v``; how many."""
    from .priorities import analyse

    seen = _Pass()
    for doc in store.documents():
        seen.documents += 1
        info = analyse(doc, thesaurus, today=today)
        _add_document(g, v, doc, info, today, seen.by_partner)
        seen.doc_title[doc.url] = doc.title
        if doc.period_start and doc.period_end:
            seen.doc_period[doc.url] = (doc.period_start, doc.period_end)
        else:
            seen.doc_period[doc.url] = parse_period(doc.title) or parse_period(doc.url)
        for link in doc.links:
            if link.anchor and parse_period(link.anchor):
                seen.link_rows.append((doc.url, doc.partner, link.url, link.anchor))
    _supersede(g, v, seen.by_partner)
    _period_mismatches(g, v, seen)
    return seen.documents


def _supersede(g: Triples, v: Views, by_partner: dict[str, list[dict[str, Any]]]) -> None:
    """A newer plan of the same partner replaces the older one; each partner lists its plans."""
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


def _period_mismatches(g: Triples, v: Views, seen: _Pass) -> None:
    """Links whose label names another period than the document they point at."""
    for source_url, pid, target, anchor in seen.link_rows:
        said = parse_period(anchor)
        actual = seen.doc_period.get(target) or parse_period(target)
        if said and actual and said != actual:
            v.mismatches.append(
                {
                    "found_on": source_url,
                    "partner_id": pid,
                    "anchor": anchor,
                    "url": target,
                    "label_period": f"{said[0]}-{said[1]}",
                    "document_period": f"{actual[0]}-{actual[1]}",
                    "document_title": seen.doc_title.get(target, ""),
                }
            )
            node = BNode()
            g.add((document_uri(source_url), SKG.periodMismatch, node))
            g.add((node, SKG.anchor, Literal(anchor)))
            g.add((node, SKG.target, iri(target)))


def _status(info: Any, today: date) -> str:
    status = str(getattr(info, "status", "") or "")
    end = getattr(info, "period_end", None)
    if not status or status == "unknown":
        if end is None:
            return "unknown"
        return "ended" if end < today.year else "current"
    return status


def _text_quote(passage: str, text: str, context: int = 32) -> tuple[str, str]:
    """Prefix and suffix of ``passage`` in ``text`` (empty when not found verbatim)."""
    i = text.find(passage) if passage else -1
    if i < 0:
        return "", ""
    return text[max(0, i - context) : i], text[i + len(passage) : i + len(passage) + context]


def _add_document(
    g: Triples,
    v: Views,
    doc: Document,
    info: Any,
    today: date,
    by_partner: dict[str, list[dict[str, Any]]],
) -> None:
    d = document_uri(doc.url)
    g.add((d, RDF.type, FOAF.Document))
    g.add((d, FOAF.page, iri(doc.url)))
    g.add((d, DCTERMS.title, Literal(doc.title)))
    g.add((d, DCTERMS.publisher, partner_uri(doc.partner)))
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
    strategy = {
        "url": doc.url,
        "partner_id": doc.partner,
        "partner": v.partners.get(doc.partner, {}).get("name", doc.partner),
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
    _add_period(g, d, strategy)
    full_text = doc.text  # built from the sections on each call: once per document
    for position, pr in enumerate(getattr(info, "priorities", []) or [], 1):
        _add_priority(g, v, doc, full_text, snap, strategy, pr, position)


def _add_period(g: Triples, d: Node, strategy: dict[str, Any]) -> None:
    """The plan's period as an OWL-Time interval with its start and end years."""
    if not strategy["period"]:
        return
    period = BNode()
    g.add((d, DCTERMS.temporal, period))
    g.add((period, RDF.type, TIME.Interval))
    g.add((period, RDFS.label, Literal(strategy["period"])))
    if strategy["period_start"]:
        g.add((period, SKG.startYear, Literal(int(strategy["period_start"]), datatype=XSD.gYear)))
    if strategy["period_end"]:
        g.add((period, SKG.endYear, Literal(int(strategy["period_end"]), datatype=XSD.gYear)))


def _add_priority(
    g: Triples,
    v: Views,
    doc: Document,
    full_text: str,
    snap: Node,
    strategy: dict[str, Any],
    pr: Any,
    position: int,
) -> None:
    """One priority statement: its triples, the quoted passage, its themes and its row."""
    d = document_uri(doc.url)
    publisher = partner_uri(doc.partner)
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
        matches.append({"theme_id": m.theme_id, "label": m.label, "matched_text": m.matched_text})
        g.add((p, SKG.hasTheme, theme_uri(m.theme_id)))
        g.add((p, SKG.matchedLabel, Literal(m.matched_text)))
    strategy["priorities"] += 1
    v.priorities.append(
        {
            "id": str(p),
            "partner": strategy["partner"],
            "partner_id": doc.partner,
            "strategy": strategy["title"],
            "strategy_url": doc.url,
            "source_url": doc.url,
            "status": strategy["status"],
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
