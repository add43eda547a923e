"""Forgiving names: themes, partners and bodies by id, label, other label or abbreviation.

An unknown name raises :class:`graph.errors.UnknownName` with the closest names.
"""

from __future__ import annotations

import difflib

from .errors import UnknownName
from .themes import normalise
from .views import Views


def _suggest(name: str, candidates: dict[str, str], n: int = 3) -> list[str]:
    keys = difflib.get_close_matches(normalise(name), list(candidates), n=n * 3, cutoff=0.5)
    out: list[str] = []
    for k in keys:
        if candidates[k] not in out:
            out.append(candidates[k])
    return out[:n]


def resolve_theme(v: Views, name: str) -> str:
    """A theme id from an id, label, other label or abbreviation."""
    key = normalise(name)
    if key in v.theme_names:
        return v.theme_names[key]
    labels = {k: v.themes[t]["label"] for k, t in v.theme_names.items()}
    raise UnknownName(name, "theme", _suggest(name, labels))


def partner_name_index(v: Views) -> dict[str, str]:
    """Normalised id, name or abbreviation of every partner -> its id."""
    if v.partner_names:
        return v.partner_names
    names: dict[str, str] = {}
    for pid, p in v.partners.items():
        for n in (pid, p.get("name", ""), p.get("abbr", "")):
            if n:
                names.setdefault(normalise(n), pid)
    return names


def resolve_partner(v: Views, name: str) -> str:
    """A partner id from its id or name, any case."""
    names = partner_name_index(v)
    key = normalise(name)
    if key in names:
        return names[key]
    labels = {k: v.partners[p].get("name") or p for k, p in names.items()}
    raise UnknownName(name, "partner", _suggest(name, labels))


def body_name_index(v: Views) -> dict[str, str]:
    """Normalised id, label, abbreviation or other label of every body -> "body:<id>"."""
    if v.body_names:
        return v.body_names
    names: dict[str, str] = {}
    for bid, b in v.bodies.items():
        for n in (bid, b["label"], b["abbr"], *b["alt_labels"]):
            if n:
                names.setdefault(normalise(n), f"body:{bid}")
    return names


def resolve_body(v: Views, name: str) -> str:
    """A node of the structure ('body:jag', or 'partner:x' for a partner) from any of its names."""
    names = body_name_index(v)
    key = normalise(name)
    if key in names:
        return names[key]
    try:
        pid = resolve_partner(v, name)
    except UnknownName:
        labels = {k: v.bodies[b.split(":", 1)[1]]["label"] for k, b in names.items()}
        labels.update({k: v.partners[p]["name"] for k, p in partner_name_index(v).items()})
        raise UnknownName(name, "body", _suggest(name, labels)) from None
    return f"partner:{pid}"
