"""The derived views: what the analyses read, built with the graph and pickled beside it.

:func:`graph.model.build` fills a :class:`Views` while it writes the triples;
:func:`finish` then adds the indexes, the county-wide reference and the
name lookups that every later question reads in constant time.

    >>> parse_period("Community Safety Plan 2017-20")
    (2017, 2020)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .themes import Thesaurus, normalise

_PERIOD_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:-|–|—|/|_|to|until)\s*((?:19|20)?\d{2})(?!\d)", re.I
)
COUNTY_WIDE = re.compile(r"county[\s-]*wide\s+priorit", re.I)


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


def theme_views(
    th: Thesaurus,
) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, list[str]]]:
    """The themes as records, every name of a theme -> its id, and each theme's descendants."""
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


def finish(v: Views, triples: int, documents: int) -> None:
    """Add the indexes, the reference, the name lookups and the counts to filled views."""
    for i, prow in enumerate(v.priorities):
        v.priorities_by_url.setdefault(prow["strategy_url"], []).append(i)
        for tid in prow["themes"]:
            v.theme_index.setdefault(tid, []).append(i)
    for i, strat in enumerate(v.strategies):
        if strat["is_plan"]:
            v.plans_by_partner.setdefault(strat["partner_id"], []).append(i)

    v.reference = reference(v)
    from .analysis import shared_ownership, similar_statements  # they read Views: imported late
    from .names import body_name_index, partner_name_index

    v.partner_names = partner_name_index(v)
    v.body_names = body_name_index(v)
    v.similar = similar_statements(v)
    v.ownership = shared_ownership(v)
    v.counts = {
        "triples": triples,
        "partners": len(v.partners),
        "bodies": len(v.bodies),
        "lines": len(v.lines),
        "documents": documents,
        "strategies": sum(1 for s in v.strategies if s["is_plan"]),
        "priorities": len(v.priorities),
        "themes": len(v.themes),
        "mismatches": len(v.mismatches),
    }


def reference(v: Views) -> dict[str, Any]:
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
