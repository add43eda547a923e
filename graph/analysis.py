"""Analyses over the derived views: shared, duplicates, gaps, matrix and listings.

Pure functions of a :class:`graph.views.Views`; each returns the JSON shape
of docs/design.md (with extra keys where they help). Names are forgiving:
ids, labels, other labels and abbreviations in any case; an unknown name
raises :class:`graph.errors.UnknownName` with the closest names.

Coverage rule for gaps: a partner covers theme T when one of its current
plans holds T or a narrower theme of T (a descendant in the thesaurus). A
broader theme does not cover T ("crime reduction" does not promise work on
cyber crime), except when the reference priority that requires T names that
broader theme too ("Reduce harm from alcohol & substance misuse" is met by a
plan on substance misuse). Escalation routes live in graph.routes, names in
graph.names.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any

from .names import resolve_partner, resolve_theme
from .themes import normalise
from .views import Views, parse_period

SIMILAR = 0.8  # token Jaccard from which two priority statements count as near-identical
COUNTY_TYPES = {"Board", "PCC"}


# -- shared -----------------------------------------------------------------


def _holder(v: Views, row: dict[str, Any], tids: set[str]) -> dict[str, Any]:
    match = next((m for m in row["matches"] if m["theme_id"] in tids), None)
    tid = match["theme_id"] if match else next(t for t in row["themes"] if t in tids)
    return {
        "partner": row["partner"],
        "partner_id": row["partner_id"],
        "strategy": row["strategy"],
        "strategy_status": row["status"],
        "period": row["period"],
        "priority": row["text"],
        "source_url": row["source_url"],
        "evidence": row["evidence"],
        "matched_label": match["matched_text"] if match else "",
        "theme_id": tid,
        "theme": v.themes.get(tid, {}).get("label", tid),
    }


def shared(v: Views, theme: str) -> dict[str, Any]:
    """Every priority on a theme or a narrower one, partner by partner, with its passage."""
    tid = resolve_theme(v, theme)
    tids = set(v.descendants.get(tid, [tid]))
    rows = sorted({i for t in tids for i in v.theme_index.get(t, [])})
    holders = [_holder(v, v.priorities[i], tids) for i in rows]
    holders.sort(key=lambda h: (h["strategy_status"] != "current", h["partner"], h["source_url"]))
    return {
        "theme": {"id": tid, "label": v.themes[tid]["label"]},
        "themes_included": sorted(tids),
        "holders": holders,
        "partners": sorted({h["partner_id"] for h in holders}),
    }


# -- duplicates ---------------------------------------------------------------


def _tokens(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2)


def similar_statements(
    v: Views, *, threshold: float = SIMILAR, limit: int = 500
) -> list[dict[str, Any]]:
    """Near-identical priority statements in different documents, most similar first.

    Similarity is the Jaccard index of the statements' words (of 3 letters or
    more). Candidates come from prefix filtering (two word sets with Jaccard
    >= t share one of their rarest ``n - ceil(t * n) + 1`` words), so the
    join stays near-linear at tens of thousands of statements.
    """
    groups: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, row in enumerate(v.priorities):
        words = _tokens(row["text"])
        if words:
            groups[words].append(i)
    sets = list(groups)
    freq = Counter(w for words in sets for w in words)
    index: dict[str, list[int]] = defaultdict(list)
    set_pairs: list[tuple[float, int, int]] = []
    for si, words in enumerate(sets):
        ordered = sorted(words, key=lambda w: (freq[w], w))
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
        seen: set[int] = set()
        for w in prefix:
            for sj in index[w]:
                if sj in seen:
                    continue
                seen.add(sj)
                other = sets[sj]
                if min(len(words), len(other)) < threshold * max(len(words), len(other)):
                    continue
                sim = len(words & other) / len(words | other)
                if sim >= threshold:
                    set_pairs.append((sim, sj, si))
            index[w].append(si)

    def url(i: int) -> str:
        return str(v.priorities[i]["source_url"])

    pairs: dict[tuple[int, int], float] = {}
    for members in groups.values():  # the same words in different documents
        first = members[0]
        for twin in members[1:]:
            if url(twin) != url(first):
                pairs[(first, twin)] = 1.0
                if len(pairs) >= limit:
                    break
    for sim, sa, sb in set_pairs:
        a, b = groups[sets[sa]][0], groups[sets[sb]][0]
        if url(a) != url(b):
            pairs[(min(a, b), max(a, b))] = sim
    out = []
    for (a, b), sim in sorted(pairs.items(), key=lambda kv: -kv[1])[:limit]:
        ra, rb = v.priorities[a], v.priorities[b]
        out.append(
            {
                "similarity": round(sim, 3),
                "a": {
                    k: ra[k] for k in ("partner", "partner_id", "strategy", "text", "source_url")
                },
                "b": {
                    k: rb[k] for k in ("partner", "partner_id", "strategy", "text", "source_url")
                },
            }
        )
    return out


def _is_county(v: Views, pid: str) -> bool:
    p = v.partners.get(pid, {})
    ref_area = v.partners.get(v.reference.get("partner_id", ""), {}).get("area")
    return (
        p.get("type") in COUNTY_TYPES
        or p.get("tier") == "lscsb"
        or (p.get("type") != "CSP" and bool(ref_area) and p.get("area") == ref_area)
    )


def duplicates(v: Views, similar: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Themes owned by a county-level body and a district CSP at once; near-identical statements."""
    return {
        "themes": shared_ownership(v),
        "statements": similar if similar is not None else similar_statements(v),
    }


def shared_ownership(v: Views) -> list[dict[str, Any]]:
    """Themes held both by a county-level body and a district CSP, with each holder."""
    themes = []
    for tid, idx in sorted(v.theme_index.items()):
        county: dict[str, dict[str, Any]] = {}
        district: dict[str, dict[str, Any]] = {}
        for i in idx:
            row = v.priorities[i]
            pid = row["partner_id"]
            ptype = v.partners.get(pid, {}).get("type")
            if _is_county(v, pid):
                county.setdefault(pid, _holder(v, row, {tid}))
            elif ptype == "CSP":
                district.setdefault(pid, _holder(v, row, {tid}))
        if county and district:
            themes.append(
                {
                    "theme_id": tid,
                    "theme": v.themes.get(tid, {}).get("label", tid),
                    "county": list(county.values()),
                    "district": list(district.values()),
                    "owners": len(county) + len(district),
                }
            )
    themes.sort(key=lambda t: (-t["owners"], t["theme_id"]))
    return themes


# -- gaps ---------------------------------------------------------------------


def _current_plans(v: Views, pid: str) -> list[dict[str, Any]]:
    plans = [v.strategies[i] for i in v.plans_by_partner.get(pid, [])]
    # A plan whose period says nothing ("unknown": a live agreement page) counts as in
    # force alongside the current ones: nothing says it has ended.
    current = [s for s in plans if s["status"] in ("current", "unknown")]
    if current:
        return current
    # No plan in force: judge the partner on its latest one (and report it as ended).
    dated = sorted(plans, key=lambda s: (s["period_end"] or 0, s["url"]))
    return dated[-1:] if dated else []


def _themes_of(v: Views, urls: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for url in sorted(urls):
        for i in v.priorities_by_url.get(url, []):
            row = v.priorities[i]
            for tid in row["themes"]:
                out.setdefault(tid, row)
    return out


def _reference(v: Views, against: str | None) -> dict[str, Any]:
    if not against:
        return v.reference
    for s in v.strategies:
        if s["is_plan"] and (s["url"] == against or normalise(s["title"]) == normalise(against)):
            rows = _themes_of(v, {s["url"]})
            return {
                "url": s["url"],
                "title": s["title"],
                "partner_id": s["partner_id"],
                "partner": s["partner"],
                "themes": {t: _ref_entry(r) for t, r in rows.items()},
            }
    pid = resolve_partner(v, against)
    plans = _current_plans(v, pid)
    rows = _themes_of(v, {s["url"] for s in plans})
    return {
        "url": plans[0]["url"] if plans else None,
        "title": "; ".join(s["title"] for s in plans),
        "partner_id": pid,
        "partner": v.partners[pid]["name"],
        "themes": {t: _ref_entry(r) for t, r in rows.items()},
    }


def _ref_entry(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("text", "source_url", "strategy", "partner", "evidence")
    return {k: row[k] for k in keys}


def _cover_set(v: Views, theme: str, ref_themes: dict[str, dict[str, Any]]) -> set[str]:
    """Themes whose presence covers a required theme.

    A theme is covered by itself or anything narrower. When the same reference
    priority also names a broader theme ("Reduce harm from alcohol & substance
    misuse" names alcohol and substance misuse), a plan that holds the broader
    theme covers the narrower one too: the priority itself speaks at that level.
    """
    out = set(v.descendants.get(theme, [theme]))
    text = ref_themes.get(theme, {}).get("text")
    for other, entry in ref_themes.items():
        if other != theme and entry.get("text") == text and theme in v.descendants.get(other, []):
            out |= set(v.descendants.get(other, [other]))
    return out


def gaps(v: Views, partner: str | None = None, against: str | None = None) -> dict[str, Any]:
    """Reference themes a partner does not cover; ended strategies; link label/period mismatches."""
    ref = _reference(v, against)
    ref_themes: dict[str, dict[str, Any]] = ref.get("themes", {})
    required = [
        {
            "theme_id": t,
            "theme": v.themes.get(t, {}).get("label", t),
            "required_by": e["text"],
            "strategy": e["strategy"],
            "source_url": e["source_url"],
            "evidence": e["evidence"],
        }
        for t, e in sorted(ref_themes.items())
    ]
    cover = {r["theme_id"]: _cover_set(v, r["theme_id"], ref_themes) for r in required}
    for r in required:
        r["covered_by"] = sorted(cover[r["theme_id"]])
    pid = resolve_partner(v, partner) if partner else None
    missing: list[dict[str, Any]] = []
    covered: list[dict[str, Any]] = []
    if pid is not None:
        plans = _current_plans(v, pid)
        held = _themes_of(v, {s["url"] for s in plans})
        for r in required:
            hit = next((t for t in sorted(cover[r["theme_id"]]) if t in held), None)
            if hit is None:
                missing.append(r)
            else:
                covered.append(
                    {
                        **r,
                        "by": held[hit]["text"],
                        "evidence": held[hit]["evidence"],
                        "source_url": held[hit]["source_url"],
                    }
                )
    else:
        # Which county-wide themes no district CSP picks up.
        csps = [p for p, rec in v.partners.items() if rec.get("type") == "CSP"]
        held_by: dict[str, set[str]] = defaultdict(set)
        for c in csps:
            for t in _themes_of(v, {s["url"] for s in _current_plans(v, c)}):
                held_by[t].add(c)
        for r in required:
            if not any(held_by.get(t) for t in cover[r["theme_id"]]):
                missing.append(r)
    expired = [
        {
            "partner": s["partner"],
            "partner_id": s["partner_id"],
            "strategy": s["title"],
            "url": s["url"],
            "period": s["period"],
            "period_end": s["period_end"],
            "status": s["status"],
        }
        for s in v.strategies
        if s["is_plan"] and s["status"] == "ended" and (pid is None or s["partner_id"] == pid)
    ]
    own_urls = {s["url"] for s in v.strategies if s["partner_id"] == pid} if pid else set()
    mismatches = [
        m for m in v.mismatches if pid is None or m["partner_id"] == pid or m["url"] in own_urls
    ]
    return {
        "partner": v.partners[pid]["name"] if pid else None,
        "partner_id": pid,
        "against": {k: ref.get(k) for k in ("title", "url", "partner", "partner_id", "sources")}
        if ref
        else None,
        "required": required,
        "missing": missing,
        "covered": covered,
        "expired_strategies": expired,
        "mismatches": mismatches,
    }


# -- matrix and listings ------------------------------------------------------


def matrix(v: Views, partner_type: str | None = None) -> dict[str, Any]:
    """Partners x themes: each cell lists the priorities (text, passage, source) behind it."""
    ptypes = {t.lower() for t in partner_type.split(",")} if partner_type else None
    partners = [
        p for p in v.partners.values() if ptypes is None or str(p.get("type", "")).lower() in ptypes
    ]
    # Each partner's current plans, else its latest (as `gaps` judges it), marked ended.
    plans = {s["url"] for p in partners for s in _current_plans(v, p["id"])}
    cells: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    used: set[str] = set()
    for row in v.priorities:
        if row["strategy_url"] not in plans:
            continue
        for tid in row["themes"]:
            used.add(tid)
            cells[row["partner_id"]][tid].append(
                {
                    "text": row["text"],
                    "evidence": row["evidence"],
                    "source_url": row["source_url"],
                    "strategy": row["strategy"],
                    "ended": row["status"] == "ended",
                }
            )
    return {
        "partner_type": partner_type,
        "themes": [{"id": t, "label": v.themes[t]["label"]} for t in sorted(used) if t in v.themes],
        "partners": [
            {"id": p["id"], "name": p["name"], "type": p.get("type")}
            for p in sorted(partners, key=lambda p: p["name"])
        ],
        "cells": {pid: dict(row) for pid, row in cells.items()},
    }


def themes(v: Views) -> dict[str, Any]:
    """Every theme with its labels, broader and narrower themes and how many partners hold it."""
    out = []
    for tid, t in sorted(v.themes.items()):
        idx = {i for d in v.descendants.get(tid, [tid]) for i in v.theme_index.get(d, [])}
        out.append(
            {
                **t,
                "priorities": len(v.theme_index.get(tid, [])),
                "partners": len({v.priorities[i]["partner_id"] for i in idx}),
            }
        )
    return {"themes": out}


def priorities(v: Views, partner: str | None = None, unmatched: bool = False) -> dict[str, Any]:
    """Priority statements (one partner's, or only those no theme matched)."""
    pid = resolve_partner(v, partner) if partner else None
    rows = [
        {**r, "theme_labels": [v.themes.get(t, {}).get("label", t) for t in r["themes"]]}
        for r in v.priorities
        if (pid is None or r["partner_id"] == pid) and (not unmatched or not r["themes"])
    ]
    return {"partner": pid, "unmatched": unmatched, "priorities": rows}


def period_of(text: str) -> str | None:
    """A period as "YYYY-YYYY" when ``text`` holds one."""
    p = parse_period(text)
    return f"{p[0]}-{p[1]}" if p else None
