"""Escalation routes over the bodies' reporting lines.

The formal chain (``skg:escalatesTo``) is followed up, or back down; side
routes (``skg:feedsInto``, ``skg:routesTo``) are listed apart. A theme's
route names the bodies that monitor, deliver and receive reports on it.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from .names import resolve_body, resolve_theme
from .views import Views


def _step(v: Views, node: str, via: dict[str, Any] | None = None) -> dict[str, Any]:
    kind, _, nid = node.partition(":")
    if kind == "body" and nid in v.bodies:
        b = v.bodies[nid]
        step = {
            "id": nid,
            "abbr": b["abbr"],
            "label": b["label"],
            "role": b["role"],
            "source": b["source"],
        }
    elif kind == "partner" and nid in v.partners:
        p = v.partners[nid]
        step = {
            "id": nid,
            "abbr": p.get("abbr", ""),
            "label": p["name"],
            "role": p.get("type", ""),
            "source": None,
        }
    elif kind == "strategy" and node in v.curated_strategies:
        s = v.curated_strategies[node]
        step = {
            "id": node,
            "abbr": "",
            "label": s["title"],
            "role": "strategy",
            "source": {"url": s["source_url"]},
        }
    else:
        step = {"id": nid, "abbr": "", "label": nid, "role": "", "source": None}
    if via is not None:
        step["line"] = via
    return step


def _lift(v: Views, node: str) -> str:
    """A partner stands in the chain at its tier (a CSP partner is at the CSP tier)."""
    if node.startswith("partner:"):
        tier = v.partners.get(node.split(":", 1)[1], {}).get("tier")
        if tier:
            return f"body:{tier}"
    return node


def _chain(v: Views) -> nx.DiGraph:
    g = nx.DiGraph()
    for line in v.lines:
        if line["property"] == "escalatesTo":
            g.add_edge(line["from"], line["to"], **line)
    return g


def route(v: Views, frm: str, to: str) -> dict[str, Any]:
    """The formal chain from one body to another, upwards or back down, and the side routes."""
    a, b = resolve_body(v, frm), resolve_body(v, to)
    a_l, b_l = _lift(v, a), _lift(v, b)
    chain = _chain(v)
    path: list[str] | None = None
    direction = "up"
    if a_l in chain and b_l in chain:
        if nx.has_path(chain, a_l, b_l):
            path = nx.shortest_path(chain, a_l, b_l)
        elif nx.has_path(chain, b_l, a_l):
            path = list(reversed(nx.shortest_path(chain, b_l, a_l)))
            direction = "down"
    formal = path is not None
    if path is None:
        # Off the chain: any documented line, in either direction.
        und = v.network.to_undirected(as_view=True)
        if a_l in und and b_l in und and nx.has_path(und, a_l, b_l):
            path = nx.shortest_path(und, a_l, b_l)
            direction = "other"
    steps: list[dict[str, Any]] = []
    if path:
        for i, node in enumerate(path):
            via = None
            if i:
                prev = path[i - 1]
                if direction == "up":
                    data = chain.get_edge_data(prev, node) or {}
                elif direction == "down":
                    # Prefer a documented "routed down" line; else the chain line it reverses.
                    down = v.network.get_edge_data(prev, node) or {}
                    data = (
                        down
                        if down.get("property") == "routesTo"
                        else (chain.get_edge_data(node, prev) or {})
                    )
                else:
                    data = (
                        v.network.get_edge_data(prev, node)
                        or v.network.get_edge_data(node, prev)
                        or {}
                    )
                via = {"property": data.get("property"), "source": data.get("source")}
            steps.append(_step(v, node, via))
    if a != a_l and steps:
        steps.insert(0, _step(v, a, {"property": "tier", "source": None}))
    if b != b_l and steps:
        steps.append(_step(v, b, {"property": "tier", "source": None}))
    on_path = set(path or [])
    side = [
        {
            "from": _step(v, line["from"])["label"],
            "from_id": line["from"],
            "to": _step(v, line["to"])["label"],
            "to_id": line["to"],
            "property": line["property"],
            "source": line["source"],
        }
        for line in v.lines
        if line["property"] in ("feedsInto", "routesTo")
        and (line["from"] in on_path or line["to"] in on_path)
    ]
    return {
        "from": _step(v, a)["label"],
        "to": _step(v, b)["label"],
        "direction": direction,
        "formal": formal,
        "path": steps,
        "side_routes": side,
    }


def route_for_theme(v: Views, theme: str) -> dict[str, Any]:
    """Who monitors, delivers and receives reports on the curated strategies of a theme."""
    tid = resolve_theme(v, theme)
    wanted = set(v.descendants.get(tid, [tid])) | {tid}
    out = []
    for sid, s in v.curated_strategies.items():
        if not wanted & set(s["themes"]):
            continue
        entry: dict[str, Any] = {
            "id": sid,
            "title": s["title"],
            "source_url": s["source_url"],
            "monitored_by": [],
            "delivered_by": [],
            "reports_to": [],
        }
        for line in v.lines:
            if line["property"] == "monitors" and line["to"] == sid:
                entry["monitored_by"].append({**_step(v, line["from"]), "source": line["source"]})
            elif line["property"] == "deliveredBy" and line["from"] == sid:
                entry["delivered_by"].append({**_step(v, line["to"]), "source": line["source"]})
            elif line["property"] == "reportsProgressTo" and line["from"] == sid:
                entry["reports_to"].append({**_step(v, line["to"]), "source": line["source"]})
        out.append(entry)
    return {"theme": {"id": tid, "label": v.themes[tid]["label"]}, "strategies": out}
