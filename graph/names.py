"""Forgiving names: themes, partners and bodies by id, label, other label or abbreviation.

An unknown name raises :class:`graph.errors.UnknownName` with the closest names.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

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


def _name_index(named: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Every non-empty name, normalised -> what it names (the first to claim a name keeps it)."""
    names: dict[str, str] = {}
    for target, aliases in named:
        for n in aliases:
            if n:
                names.setdefault(normalise(n), target)
    return names


def _resolve(names: dict[str, str], name: str, kind: str, label: Callable[[str], str]) -> str:
    """What ``name`` names; UnknownName with the closest labels when nothing does."""
    key = normalise(name)
    if key in names:
        return names[key]
    raise UnknownName(name, kind, _suggest(name, {k: label(t) for k, t in names.items()}))


def resolve_theme(v: Views, name: str) -> str:
    """A theme id from an id, label, other label or abbreviation."""
    return _resolve(v.theme_names, name, "theme", lambda t: v.themes[t]["label"])


def partner_name_index(v: Views) -> dict[str, str]:
    """Normalised id, name or abbreviation of every partner -> its id."""
    if v.partner_names:
        return v.partner_names
    return _name_index(
        (pid, (pid, p.get("name", ""), p.get("abbr", ""))) for pid, p in v.partners.items()
    )


def resolve_partner(v: Views, name: str) -> str:
    """A partner id from its id or name, any case."""
    names = partner_name_index(v)
    return _resolve(names, name, "partner", lambda p: v.partners[p].get("name") or p)


def body_name_index(v: Views) -> dict[str, str]:
    """Normalised id, label, abbreviation or other label of every body -> "body:<id>"."""
    if v.body_names:
        return v.body_names
    return _name_index(
        (f"body:{bid}", (bid, b["label"], b["abbr"], *b["alt_labels"]))
        for bid, b in v.bodies.items()
    )


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
