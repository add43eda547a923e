"""The curated partnership structure (``corpus/structure.ttl``): load and validate it.

The file is Turtle an officer can edit: bodies with their roles, reporting
lines as ``skg:Line`` nodes, chairs and memberships as ``org:Membership``,
partners' tiers and the districts their CSP covers. Every statement carries
``skg:source [ dcterms:source <url>; oa:exact "passage" ]``.

:func:`load_structure` parses the file, checks it (unknown partner or theme
ids, a line without a source, a body of the formal chain that escalates to two
bodies) and materialises the direct triples a qualified line stands for
(``body:jag skg:escalatesTo body:csp`` and its ``org:reportsTo``).

    >>> s = load_structure("corpus/structure.ttl")           # doctest: +SKIP
    >>> s.bodies["jag"].label
    'Joint Action Group'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.exceptions import ParserError
from rdflib.term import Node

from .errors import GraphError
from .namespaces import DCTERMS, ID, OA, ORG, RDF, RDFS, SKG, SKOS, TIME, bind_prefixes

#: The direct properties a ``skg:Line`` may stand for.
LINE_PROPERTIES = {
    "escalatesTo": SKG.escalatesTo,
    "feedsInto": SKG.feedsInto,
    "routesTo": SKG.routesTo,
    "monitors": SKG.monitors,
    "deliveredBy": SKG.deliveredBy,
    "reportsProgressTo": SKG.reportsProgressTo,
    "reportsTo": ORG.reportsTo,
}
#: The class of the qualified node of each kind of line.
LINE_CLASSES = {
    "escalatesTo": "Escalation",
    "feedsInto": "SideRoute",
    "routesTo": "Routing",
    "monitors": "Monitoring",
    "deliveredBy": "Delivery",
    "reportsProgressTo": "ProgressReport",
    "reportsTo": "ReportingLine",
}
#: Lines that are also an ``org:reportsTo`` (upwards), so ``org:reportsTo+`` answers chains.
UPWARD = {"escalatesTo", "feedsInto"}


class StructureError(GraphError):
    """The curated structure file is unreadable or inconsistent; the message names the place."""


@dataclass
class Source:
    """A curated statement's evidence: the document and the quoted passage."""

    url: str
    passage: str
    title: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "passage": self.passage, "title": self.title}


@dataclass
class Body:
    """A board, group or partnership tier."""

    id: str
    label: str
    abbr: str = ""
    alt_labels: list[str] = field(default_factory=list)
    role: str = ""
    sources: list[Source] = field(default_factory=list)
    tier: bool = False
    level: int | None = None


@dataclass
class Line:
    """A qualified reporting line: ``frm`` --prop--> ``to`` with its evidence."""

    frm: str  # "body:<id>", "partner:<id>" or "strategy:<id>"
    prop: str  # a key of LINE_PROPERTIES
    to: str
    sources: list[Source] = field(default_factory=list)


@dataclass
class Membership:
    """A partner sitting on a body, maybe in a role (chair), maybe during a period."""

    member: str  # partner id
    body: str
    role: str = ""
    sources: list[Source] = field(default_factory=list)
    start: str | None = None
    end: str | None = None


@dataclass
class Structure:
    """The loaded structure: its RDF graph plus plain views of it."""

    graph: Graph
    bodies: dict[str, Body]
    lines: list[Line]
    memberships: list[Membership]
    strategies: dict[str, dict[str, object]]
    partner_tiers: dict[str, str]  # partner id -> tier body id
    covers: dict[str, list[str]]  # partner or body ref -> area labels
    documents: dict[str, str]  # url -> title


def _ref(node: Node) -> str:
    """A short reference for an id URI: 'body:jag', 'partner:x', 'strategy:y', 'theme:z'."""
    s = str(node)
    if s.startswith(str(ID)):
        kind, _, rest = s[len(str(ID)) :].partition("/")
        return f"{kind}:{rest}"
    return s


def _line_no(text: str, pattern: str) -> int | None:
    m = re.search(pattern, text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _where(path: Path, text: str, pattern: str) -> str:
    n = _line_no(text, pattern)
    return f"{path.name}:{n}" if n else path.name


def _sources(g: Graph, subject: Node, docs: dict[str, str]) -> list[Source]:
    out = []
    for node in g.objects(subject, SKG.source):
        url = g.value(node, DCTERMS.source)
        exact = g.value(node, OA.exact)
        if url is None or exact is None:
            continue
        out.append(Source(str(url), " ".join(str(exact).split()), docs.get(str(url), "")))
    return out


def load_structure(
    path: str | Path,
    *,
    partner_ids: set[str] | None = None,
    theme_ids: set[str] | None = None,
) -> Structure:
    """Parse and check the structure file; StructureError names the body or line at fault."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise StructureError(f"cannot read the structure file {path}: {e.strerror}") from e
    g = Graph()
    try:
        g.parse(data=text, format="turtle")
    except (ParserError, SyntaxError, ValueError) as e:
        raise StructureError(f"{path.name} is not valid Turtle: {e}") from e

    docs = {str(d): str(g.value(d, DCTERMS.title) or "") for d in g.subjects(RDF.type, None)}
    docs = {u: t for u, t in docs.items() if u.startswith("http") and not u.startswith(str(ID))}

    bodies: dict[str, Body] = {}
    body_prefix = str(ID) + "body/"
    for subj in set(g.subjects(RDF.type, ORG.OrganizationalCollaboration)):
        if not str(subj).startswith(body_prefix):
            continue
        bid = str(subj)[len(body_prefix) :]
        label = g.value(subj, SKOS.prefLabel)
        where = _where(path, text, rf"body:{re.escape(bid)}\s+a\b")
        if label is None:
            raise StructureError(f"{where}: body {bid!r} has no skos:prefLabel")
        sources = _sources(g, subj, docs)
        if not sources:
            raise StructureError(f"{where}: body {bid!r} cites no source (skg:source)")
        level = g.value(subj, SKG.level)
        bodies[bid] = Body(
            id=bid,
            label=str(label),
            abbr=str(g.value(subj, SKG.abbr) or ""),
            alt_labels=sorted(str(a) for a in g.objects(subj, SKOS.altLabel)),
            role=str(g.value(subj, SKG.role) or ""),
            sources=sources,
            tier=(subj, RDF.type, SKG.Tier) in g,
            level=int(str(level)) if level is not None else None,
        )

    def check_ref(node: Node, where: str, what: str) -> str:
        ref = _ref(node)
        kind, _, rid = ref.partition(":")
        if kind == "body" and rid not in bodies:
            raise StructureError(f"{where}: {what} names unknown body {rid!r}")
        if kind == "partner" and partner_ids is not None and rid not in partner_ids:
            raise StructureError(
                f"{where}: {what} names partner {rid!r}, which corpus/sources.toml does not list"
            )
        if kind == "theme" and theme_ids is not None and rid not in theme_ids:
            raise StructureError(f"{where}: {what} names unknown theme {rid!r}")
        if kind not in ("body", "partner", "strategy", "theme", "area"):
            raise StructureError(f"{where}: {what} is not a body, partner or strategy: {ref}")
        return ref

    # Any partner named anywhere in the file must be in the registry.
    if partner_ids is not None:
        prefix = f"{ID}partner/"
        for term in {t for triple in g for t in triple if str(t).startswith(prefix)}:
            pid = str(term)[len(prefix) :]
            if pid not in partner_ids:
                where = _where(path, text, rf"partner:{re.escape(pid)}\b")
                raise StructureError(f"{where}: partner {pid!r} is not in corpus/sources.toml")

    lines: list[Line] = []
    for node in list(g.subjects(RDF.type, SKG.Line)):
        frm, prop, to = (
            g.value(node, SKG["from"]),
            g.value(node, SKG.property),
            g.value(node, SKG.to),
        )
        if frm is None or prop is None or to is None:
            raise StructureError(
                f"{path.name}: a skg:Line lacks skg:from, skg:property or skg:to "
                f"(from={_ref(frm) if frm else '?'})"
            )
        pname = next((k for k, v in LINE_PROPERTIES.items() if v == prop), None)
        fref, tref = _ref(frm), _ref(to)
        pattern = rf"skg:from\s+{re.escape(fref)}\s*;\s*skg:property\s+\S+{pname or ''}"
        where = _where(path, text, pattern)
        if pname is None:
            raise StructureError(f"{where}: line from {fref} uses unknown property {prop}")
        check_ref(frm, where, f"line {fref} {pname} {tref}")
        check_ref(to, where, f"line {fref} {pname} {tref}")
        sources = _sources(g, node, docs)
        if not sources:
            raise StructureError(f"{where}: line {fref} {pname} {tref} cites no source")
        lines.append(Line(fref, pname, tref, sources))
        g.add((node, RDF.type, SKG[LINE_CLASSES[pname]]))
        g.add((frm, LINE_PROPERTIES[pname], to))
        if pname in UPWARD:
            g.add((frm, ORG.reportsTo, to))

    # The formal chain: one escalation parent per body.
    parents: dict[str, list[str]] = {}
    for line in lines:
        if line.prop == "escalatesTo":
            parents.setdefault(line.frm, []).append(line.to)
    for child, tos in parents.items():
        if len(tos) > 1:
            where = _where(
                path, text, rf"skg:from\s+{re.escape(child)}\s*;\s*skg:property\s+skg:escalatesTo"
            )
            raise StructureError(
                f"{where}: {child} escalates to {len(tos)} bodies ({', '.join(tos)}); "
                "the formal chain allows one: make the others skg:feedsInto"
            )

    memberships: list[Membership] = []
    for node in list(g.subjects(RDF.type, ORG.Membership)):
        member, organization = g.value(node, ORG.member), g.value(node, ORG.organization)
        if member is None or organization is None:
            raise StructureError(
                f"{path.name}: an org:Membership lacks org:member or org:organization"
            )
        mref, oref = _ref(member), _ref(organization)
        where = _where(path, text, rf"org:member\s+{re.escape(mref)}")
        check_ref(member, where, f"membership of {mref} in {oref}")
        check_ref(organization, where, f"membership of {mref} in {oref}")
        sources = _sources(g, node, docs)
        if not sources:
            raise StructureError(f"{where}: membership of {mref} in {oref} cites no source")
        role = g.value(node, ORG.role)
        role_label = g.value(role, RDFS.label) if role is not None else None
        during = g.value(node, ORG.memberDuring)
        start = end = None
        if during is not None:
            begins = g.value(during, TIME.hasBeginning)
            ends = g.value(during, TIME.hasEnd)
            start = str(g.value(begins, TIME.inXSDDate) or "") or None
            end = str(g.value(ends, TIME.inXSDDate) or "") or None
        if role is not None and str(role) == str(SKG.Chair):
            g.add((member, ORG.headOf, organization))
        memberships.append(
            Membership(
                member=mref.partition(":")[2],
                body=oref,
                role=str(role_label) if role_label else (_ref(role).split("#")[-1] if role else ""),
                sources=sources,
                start=start,
                end=end,
            )
        )

    strategies: dict[str, dict[str, object]] = {}
    for subj in set(g.subjects(RDF.type, SKG.Strategy)):
        ref = _ref(subj)
        where = _where(path, text, rf"{re.escape(ref.replace('strategy:', 'strat:'))}\s+a\b")
        for publisher in g.objects(subj, DCTERMS.publisher):
            check_ref(publisher, where, f"publisher of {ref}")
        themes = []
        for t in g.objects(subj, SKG.hasTheme):
            themes.append(check_ref(t, where, f"strategy {ref}").partition(":")[2])
        strategies[ref] = {
            "id": ref,
            "title": str(g.value(subj, DCTERMS.title) or ref),
            "themes": themes,
            "source_url": str(g.value(subj, DCTERMS.source) or ""),
        }

    partner_tiers: dict[str, str] = {}
    covers: dict[str, list[str]] = {}
    tier_pairs = list(g.subject_objects(SKG.tier)) + list(g.subject_objects(SKG.standsFor))
    for subj, tier in tier_pairs:
        ref = check_ref(subj, _where(path, text, rf"{re.escape(_ref(subj))}\b"), "skg:tier")
        tref = check_ref(tier, path.name, f"tier of {ref}")
        partner_tiers[ref.partition(":")[2]] = tref.partition(":")[2]
    for subj, area in g.subject_objects(SKG.covers):
        label = g.value(area, RDFS.label) if not isinstance(area, Literal) else area
        covers.setdefault(_ref(subj), []).append(str(label or _ref(area)))

    bind_prefixes(g)
    return Structure(
        graph=g,
        bodies=bodies,
        lines=lines,
        memberships=memberships,
        strategies=strategies,
        partner_tiers=partner_tiers,
        covers=covers,
        documents=docs,
    )
