"""Composite views for the web UI: each one page's data, built from Knowledge and the store.

Every function returns plain JSON-able dicts: the HTML page and its ``/api/``
twin render the same value. ``knowledge`` is a :class:`graph.knowledge.Knowledge`,
``store`` an :class:`ingest.store.Store` used read-only.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

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


def partners_index(knowledge: Any) -> dict[str, dict[str, Any]]:
    """Partner id -> the partner's record from ``knowledge.partners()``."""
    return {p["id"]: p for p in items(knowledge.partners(), "partners") if "id" in p}


def documents(store: Store, partner: str | None = None) -> dict[str, Any]:
    """Every stored document in the ``docs`` JSON shape."""
    rows = store.document_summaries(partner)
    return {
        "documents": [
            {
                "url": r["url"],
                "partner": r["partner"],
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
            for p in items(knowledge.priorities(partner=doc.partner), "priorities")
            if p.get("source_url") == url
        ]
    health = {}
    for link in store.links_from(url):
        status = store.link_status(link["target_url"])
        health[link["target_url"]] = status["category"] if status else "unchecked"
    return {
        "document": data,
        "priorities": priorities,
        "versions": store.versions(url),
        "links": [
            {**link, "category": health.get(link["target_url"], "unchecked")}
            for link in store.links_from(url)
        ],
    }


def partner_page(knowledge: Any, store: Store, partner: str) -> dict[str, Any]:
    """A partner: its strategies with period and status, priorities, documents, link health."""
    one = getattr(knowledge, "partner", None)
    record: dict[str, Any] = dict(one(partner)) if one is not None else {}
    if not record:
        index = partners_index(knowledge)
        record = index.get(partner) or {}
        if not record:
            # Let Knowledge resolve names forgivingly (and raise UnknownName with suggestions).
            resolved = knowledge.priorities(partner=partner)
            pid = str(next((p.get("partner_id") for p in items(resolved, "priorities")), partner))
            record = index.get(pid, {"id": pid, "name": partner})
    pid = record.get("id", partner)
    priorities = items(knowledge.priorities(partner=pid), "priorities")
    docs = documents(store, pid)["documents"]
    found_on = {d["url"] for d in docs}
    links = [
        r
        for r in store.links_report()
        if set(r["found_on"]) & found_on and r["category"] in PROBLEM_CATEGORIES
    ]
    return {
        "partner": record,
        "strategies": record.get("strategies", []),
        "memberships": record.get("memberships", []),
        "priorities": priorities,
        "documents": docs,
        "links": links,
    }


def theme_page(knowledge: Any, theme: str) -> dict[str, Any]:
    """A theme: who holds it (with passages), its broader and narrower themes."""
    shared = knowledge.shared(theme)
    info = shared.get("theme", {})
    tid = info.get("id", theme)
    all_themes = {t["id"]: t for t in items(knowledge.themes(), "themes") if "id" in t}
    record = all_themes.get(tid, {})

    def refs(ids: list[Any]) -> list[dict[str, Any]]:
        out = []
        for i in ids:
            key = i.get("id") if isinstance(i, dict) else i
            out.append({"id": key, "label": _name(all_themes.get(key, {"id": key}))})
        return out

    broader = record.get("broader", [])
    narrower = record.get("narrower", [])
    return {
        "theme": {**record, **info},
        "holders": shared.get("holders", []),
        "broader": refs(broader if isinstance(broader, list) else [broader]),
        "narrower": refs(narrower if isinstance(narrower, list) else [narrower]),
    }


def review_pack(knowledge: Any) -> dict[str, Any]:
    """What the annual CSA review needs: gaps per partner, ended strategies, mismatches, duplicates."""
    overall = knowledge.gaps()
    per_partner = []
    for pid, p in partners_index(knowledge).items():
        gaps = knowledge.gaps(partner=pid)
        missing = gaps.get("missing", [])
        if missing:
            per_partner.append({"partner": _name(p), "partner_id": pid, "missing": missing})
    return {
        "against": overall.get("against"),
        "missing": per_partner,
        "expired_strategies": overall.get("expired_strategies", []),
        "mismatches": overall.get("mismatches", []),
        "duplicates": knowledge.duplicates(),
    }


def csa(knowledge: Any, store: Store) -> dict[str, Any]:
    """The Community Safety Agreement as the graph knows it today."""
    rows = []
    for pid, p in sorted(partners_index(knowledge).items(), key=lambda kv: _name(kv[1])):
        strategies = p.get("strategies", [])
        current = next((s for s in strategies if s.get("status") == "current"), None)
        best = current or (strategies[0] if strategies else None)
        url = best.get("url") if best else None
        status = store.link_status(url) if url else None
        rows.append(
            {
                "partner": _name(p),
                "partner_id": pid,
                "type": p.get("type"),
                "strategy": best.get("title") if best else None,
                "url": url,
                "period": best.get("period") if best else None,
                "status": best.get("status") if best else None,
                "link": (status or {}).get("category", "unchecked") if url else None,
            }
        )
    gaps = knowledge.gaps()
    required = [m for m in gaps.get("required", [])] or []
    priorities = []
    seen: set[str] = set()
    for m in required or gaps.get("missing", []):
        tid = m.get("theme_id") or m.get("id")
        if not tid or tid in seen:
            continue
        seen.add(tid)
        holders = knowledge.shared(tid).get("holders", [])
        priorities.append(
            {
                "theme": m.get("theme") or m.get("label") or tid,
                "theme_id": tid,
                "shared_by": sorted({h.get("partner", "") for h in holders}),
            }
        )
    return {"partners": rows, "priorities": priorities, "against": gaps.get("against")}


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
