"""Composite views for the web UI: each one page's data, built from Knowledge and the store.

Every function returns plain JSON-able dicts: the HTML page and its ``/api/``
twin render the same value. ``knowledge`` is a :class:`graph.knowledge.Knowledge`,
``store`` an :class:`ingest.store.Store` used read-only.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from typing import Any

from ingest.dates import find_period
from ingest.store import Store

#: Link categories that mean "this link does not lead to the document it names".
PROBLEM_CATEGORIES = ("broken", "redirect", "blocked", "unsure")


def items(result: Any, key: str) -> list[dict[str, Any]]:
    """The list under ``key`` of a Knowledge answer (accepting a bare list too)."""
    if result is None:
        return []
    if isinstance(result, list):
        return result
    value = result.get(key, [])
    return list(value) if isinstance(value, list) else []


def _name(d: dict[str, Any]) -> str:
    return str(d.get("label") or d.get("name") or d.get("title") or d.get("id") or "")


def documents(
    store: Store, partner: str | None = None, knowledge: Any | None = None
) -> dict[str, Any]:
    """Every stored document in the ``docs`` JSON shape, with the partner's name when known."""
    rows = store.document_summaries(partner)
    names = (
        {p["id"]: _name(p) for p in items(knowledge.partners(), "partners")} if knowledge else {}
    )
    return {
        "documents": [
            {
                "url": r["url"],
                "partner": r["partner"],
                "partner_name": names.get(r["partner"]),
                "title": r["title"],
                "kind": r["kind"],
                "period": r["period"],
                "fetched_at": r["fetched_at"],
                "published": r["published"],
                "version": r["version"],
            }
            for r in rows
        ]
    }


def link_health(store: Store) -> dict[str, Any]:
    """Links that fail (broken, redirected, blocked, unsure), each with where it was found."""
    rows = store.links_report()
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["category"]] += 1
    problems = [r for r in rows if r["category"] in PROBLEM_CATEGORIES]
    # Broken first: they are what an officer must fix before the CSA review.
    order = {c: i for i, c in enumerate(PROBLEM_CATEGORIES)}
    problems.sort(key=lambda r: (order.get(r["category"], 9), r["url"]))
    not_archived = [r for r in rows if r["category"] == "not_archived"]
    return {
        "links": problems,
        "not_archived": not_archived,
        "counts": dict(sorted(counts.items())),
        "total": len(rows),
    }


def document_page(knowledge: Any | None, store: Store, url: str) -> dict[str, Any] | None:
    """One document: its sections, the priorities found in it, versions and links; None if unknown."""
    doc = store.document(url)
    if doc is None:
        return None
    data = doc.to_dict()
    data.pop("links", None)
    priorities: list[dict[str, Any]] = []
    if knowledge is not None:
        priorities = [
            p
            for p in items(knowledge.priorities(), "priorities")
            if url in (p.get("source_url"), p.get("strategy_url"))
        ]
    links = []
    for link in store.links_from(url):
        status = store.link_status(link["target_url"])
        links.append({**link, "category": status["category"] if status else "unchecked"})
    names = (
        {p["id"]: _name(p) for p in items(knowledge.partners(), "partners")} if knowledge else {}
    )
    return {
        "document": data,
        "partner_name": names.get(doc.partner),
        "priorities": priorities,
        "versions": store.versions(url),
        "links": links,
    }


def partner_page(knowledge: Any, store: Store, partner: str) -> dict[str, Any]:
    """A partner: its strategies with period and status, priorities, documents, link health."""
    record = dict(knowledge.partner(partner))
    pid = record["id"]
    docs = documents(store, pid)["documents"]
    pages = {d["url"] for d in docs}
    links = [
        r
        for r in store.links_report()
        if set(r["found_on"]) & pages and r["category"] in PROBLEM_CATEGORIES
    ]
    gaps = knowledge.gaps(partner=pid) if record.get("strategies") else None
    reference = gaps.get("against") if gaps else None
    publishes_reference = bool(reference and reference.get("partner_id") == pid)
    if publishes_reference:
        gaps = None  # the partner publishing the reference plan cannot miss its own priorities
    return {
        "partner": record,
        "strategies": record.get("strategies", []),
        "memberships": record.get("memberships", []),
        "priorities": items(knowledge.priorities(partner=pid), "priorities"),
        "missing": gaps.get("missing", []) if gaps else [],
        "against": gaps.get("against") if gaps else None,
        "publishes_reference": publishes_reference,
        "documents": docs,
        "links": links,
    }


def _descendants(themes: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Theme id -> itself and every narrower theme, from the thesaurus listing."""
    out: dict[str, set[str]] = {}

    def walk(tid: str, seen: set[str]) -> set[str]:
        if tid in out:
            return out[tid]
        acc = {tid}
        for n in themes.get(tid, {}).get("narrower", []) or []:
            if n not in seen:
                acc |= walk(n, seen | {n})
        out[tid] = acc
        return acc

    for tid in themes:
        walk(tid, {tid})
    return out


def theme_page(knowledge: Any, theme: str) -> dict[str, Any]:
    """A theme: who holds it (with passages), its broader and narrower themes."""
    shared = knowledge.shared(theme)
    tid = shared["theme"]["id"]
    all_themes = {t["id"]: t for t in items(knowledge.themes(), "themes")}
    record = all_themes.get(tid, {})

    def refs(ids: list[str]) -> list[dict[str, Any]]:
        return [{"id": i, "label": _name(all_themes.get(i, {"id": i}))} for i in ids]

    return {
        "theme": {**record, **shared["theme"]},
        "holders": shared.get("holders", []),
        "partners": shared.get("partners", []),
        "broader": refs(list(record.get("broader", []))),
        "narrower": refs(list(record.get("narrower", []))),
    }


def matrix(
    knowledge: Any, partner_type: str | None = None, *, current_only: bool = False
) -> dict[str, Any]:
    """Partners x themes, each cell the priorities behind it; county-wide themes, gaps, duplicates.

    Built from every priority (not only current plans) so an ended plan still shows, marked
    ended: the annual review needs to see what lapsed.
    """
    partners = items(knowledge.partners(), "partners")
    types = sorted({str(p.get("type")) for p in partners if p.get("type")})
    wanted = {t.lower() for t in partner_type.split(",")} if partner_type else None
    chosen = {
        p["id"]: p for p in partners if wanted is None or str(p.get("type", "")).lower() in wanted
    }
    all_themes = {t["id"]: t for t in items(knowledge.themes(), "themes")}
    below = _descendants(all_themes)
    required = knowledge.gaps().get("required", [])
    county = [r["theme_id"] for r in required]
    # The same coverage rule as `gaps`: the theme, a narrower one, or a broader one
    # named by the same county-wide priority.
    cover = {
        r["theme_id"]: set(r.get("covered_by") or below.get(r["theme_id"], {r["theme_id"]}))
        for r in required
    }
    cells: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    statuses: set[str] = set()
    for row in items(knowledge.priorities(), "priorities"):
        pid = str(row.get("partner_id"))
        if pid in chosen:
            statuses.add(str(row.get("status")))
        if pid not in chosen or (current_only and row.get("status") == "ended"):
            continue
        ended = row.get("status") == "ended"
        for tid in row.get("themes", []):
            cell = cells[pid].get(tid)
            # A cell keeps one priority to show (a current one first) and how many there are;
            # the document page behind the link has every passage.
            if cell is None:
                cells[pid][tid] = {
                    "count": 1,
                    "text": row.get("text"),
                    "source_url": row.get("source_url"),
                    "ended": ended,
                }
            else:
                cell["count"] += 1
                if cell["ended"] and not ended:
                    cell.update(text=row.get("text"), source_url=row.get("source_url"), ended=False)
    used = {tid for row in cells.values() for tid in row} | set(county)
    holders = {tid: sum(1 for r in cells.values() if tid in r) for tid in used}
    # A county-wide theme is covered by the theme itself or any narrower one.
    for row in cells.values():
        for tid in county:
            if not any(row.get(d, {}).get("count") for d in cover[tid]):
                row[tid] = {"count": 0, "gap": True}
    themes = sorted(
        (
            {
                "id": tid,
                "label": _name(all_themes.get(tid, {"id": tid})),
                "county": tid in county,
                "count": holders.get(tid, 0),
                "duplicated": holders.get(tid, 0) > 1,
            }
            for tid in used
        ),
        key=lambda t: (not t["county"], -int(t["count"]), str(t["label"])),
    )
    rows = [
        {
            "partner": _name(chosen[pid]),
            "partner_id": pid,
            "type": chosen[pid].get("type"),
            "cells": dict(row),
        }
        for pid, row in sorted(cells.items(), key=lambda kv: _name(chosen[kv[0]]))
    ]
    without = sorted(_name(p) for pid, p in chosen.items() if pid not in cells)
    return {
        "total_rows": len(rows),
        "type": partner_type,
        "types": types,
        "current_only": current_only,
        # No plan behind these priorities is current: the page says it shows the latest ones.
        "all_ended": "ended" in statuses and "current" not in statuses,
        "themes": themes,
        "rows": rows,
        "partners_without_priorities": without,
    }


def matrix_rows(data: dict[str, Any]) -> list[list[str]]:
    """The matrix as spreadsheet rows, as the page shows it: one row per theme, one column per partner."""
    out = [["Theme"] + [r["partner"] for r in data["rows"]]]
    for t in data["themes"]:
        line = [t["label"]]
        for r in data["rows"]:
            cell = r["cells"].get(t["id"]) or {}
            if cell.get("gap"):
                line.append("GAP (county-wide priority not covered)")
            elif cell.get("count"):
                more = f" (+{cell['count'] - 1} more)" if cell["count"] > 1 else ""
                ended = " [ended]" if cell.get("ended") else ""
                line.append(f"{cell['text'] or ''}{more}{ended}")
            else:
                line.append("")
        out.append(line)
    return out


def _link_health(store: Store, url: str | None) -> str | None:
    if not url:
        return None
    status = store.link_status(url)
    return status["category"] if status else "unchecked"


def route(knowledge: Any, frm: str, to: str) -> dict[str, Any]:
    """The route up between two bodies, plus the route back down (``back``)."""
    up = dict(knowledge.route(frm, to))
    up["back"] = knowledge.route(to, frm)
    return up


def review_pack(knowledge: Any) -> dict[str, Any]:
    """What the annual CSA review needs: gaps per partner, ended strategies, mismatches, duplicates."""
    overall = knowledge.gaps()
    per_partner = []
    without = []
    for p in items(knowledge.partners(), "partners"):
        if not p.get("strategies"):
            without.append({"partner": _name(p), "partner_id": p["id"], "type": p.get("type")})
            continue
        if p["id"] == (overall.get("against") or {}).get("partner_id"):
            continue  # the reference plan cannot miss its own priorities
        missing = knowledge.gaps(partner=p["id"]).get("missing", [])
        if missing:
            per_partner.append({"partner": _name(p), "partner_id": p["id"], "missing": missing})
    return {
        "against": overall.get("against"),
        "required": overall.get("required", []),
        "missing": per_partner,
        "no_strategy": without,
        "expired_strategies": overall.get("expired_strategies", []),
        "mismatches": overall.get("mismatches", []),
        "duplicates": knowledge.duplicates(),
    }


def csa(knowledge: Any, store: Store) -> dict[str, Any]:
    """The Community Safety Agreement as the graph knows it today."""
    partners = items(knowledge.partners(), "partners")
    names = {p["id"]: _name(p) for p in partners}
    gaps = knowledge.gaps()
    published = _csa_links(store, (gaps.get("against") or {}).get("url"))
    rows = []
    for p in sorted(partners, key=_name):
        strategies = p.get("strategies", [])
        plans = [s for s in strategies if s.get("doc_type", "plan") == "plan"] or strategies
        best = next((s for s in plans if s.get("status") == "current"), None)
        best = best or (plans[-1] if plans else None)
        url = best.get("url") if best else None
        row = {
            "partner": _name(p),
            "partner_id": p["id"],
            "type": p.get("type"),
            "strategy": best.get("title") if best else None,
            "url": url,
            "period": best.get("period") if best else None,
            "status": best.get("status") if best else None,
            "link": _link_health(store, url),
            "crawled": best is not None,
        }
        if best is None and p["id"] in published:
            # No plan in the store: show the strategy link the agreement itself
            # publishes for this partner, with that link's health.
            anchor, target = published[p["id"]]
            found = find_period(anchor)
            row.update(
                strategy=anchor,
                url=target,
                period=found.label if found else None,
                status="not crawled",
                link=_link_health(store, target),
            )
        rows.append(row)
    by_theme: dict[str, list[str]] = defaultdict(list)
    for r in gaps.get("required", []):
        by_theme[r["theme_id"]].append(r["required_by"])
    priorities = []
    for tid, texts in by_theme.items():
        holders = knowledge.shared(tid)
        theme = holders["theme"]
        priorities.append(
            {
                "theme": theme["label"],
                "theme_id": tid,
                "required_by": sorted(set(texts)),
                "shared_by": [names.get(pid, pid) for pid in holders.get("partners", [])],
            }
        )
    plans = [r["status"] for r in rows if r["crawled"]]
    return {
        "against": gaps.get("against"),
        # No crawled plan is current: each partner's row shows its latest, ended plan.
        "all_ended": bool(plans) and "current" not in plans,
        "partners": rows,
        "priorities": priorities,
    }


def _csa_links(store: Store, csa_url: str | None) -> dict[str, tuple[str, str]]:
    """partner id -> (label, url) of the strategy link the agreement page gives it.

    A link belongs to the partner whose crawl tried its target. Only strategy
    links count: a label with a plan period ("Charnwood - 2017-20") first, then
    a label or address naming a plan or strategy; contact and home pages do not.
    """
    if not csa_url:
        return {}
    best: dict[str, tuple[int, str]] = {}
    for link in store.links_from(csa_url):
        target, anchor = link["target_url"], link["anchor"] or ""
        rank = _strategy_rank(anchor, target)
        if rank is not None and (target not in best or rank < best[target][0]):
            best[target] = (rank, anchor)
    out: dict[str, tuple[str, str]] = {}
    for partner, urls in store.urls_by_partner().items():
        candidates = sorted((best[u][0], u) for u in urls if u in best)
        if candidates:
            url = candidates[0][1]
            out[partner] = (best[url][1] or url, url)
    return out


def _strategy_rank(anchor: str, url: str) -> int | None:
    if find_period(anchor):
        return 0
    if re.search(r"plan|strateg", f"{anchor} {url}", re.IGNORECASE):
        return 1
    return None


def csa_rows(data: dict[str, Any]) -> list[list[str]]:
    """The CSA as spreadsheet rows (header first)."""
    out = [["Partner", "Strategy", "Period", "Status", "Link", "Link health"]]
    for r in data["partners"]:
        out.append(
            [
                r["partner"],
                r["strategy"] or "",
                r["period"] or "",
                r["status"] or "",
                r["url"] or "",
                r["link"] or "",
            ]
        )
    return out


def to_csv(rows: list[list[str]]) -> str:
    """Rows as CSV text, with formula-looking cells defused for spreadsheet users."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([_defuse(str(c)) for c in row])
    return buf.getvalue()


def _defuse(cell: str) -> str:
    # A crawled title starting with "=" must not run as a formula in Excel (CSV injection).
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def to_xlsx(sheets: dict[str, list[list[str]]]) -> bytes:
    """Sheets of rows as an XLSX workbook."""
    from openpyxl import Workbook

    wb = Workbook()
    first = True
    for title, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        first = False
        assert ws is not None
        ws.title = title[:31]
        for row in rows:
            ws.append([_defuse(str(c)) for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def about(store: Store | None, counts_extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """When the data was last crawled and how much there is."""
    return {
        "last_run": store.last_run() if store is not None else None,
        "counts": {**(store.counts() if store is not None else {}), **(counts_extra or {})},
    }
