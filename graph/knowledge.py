"""The facade the CLI and the web app call: a persisted knowledge graph, opened fast.

    >>> k = Knowledge.open("data/graph")                    # doctest: +SKIP
    >>> [h["partner"] for h in k.shared("domestic abuse")["holders"]]
    ['Leicestershire Safer Communities Strategy Board', 'Safer Leicester Partnership']

Every method returns the JSON shapes of docs/design.md. Opening reads only the
pickled views; the RDF store is opened on the first SPARQL query or export.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph

from . import analysis, names, persist, routes, sparql
from .errors import GraphError
from .persist import GraphMissing
from .views import Views

__all__ = ["GraphMissing", "Knowledge"]

EXPORT_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "ttl": pyoxigraph.RdfFormat.TURTLE,
    "json-ld": pyoxigraph.RdfFormat.JSON_LD,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
}


class Knowledge:
    """Answers over one built graph directory (``data/graph``)."""

    def __init__(self, graph_dir: Path, views: Views) -> None:
        self.graph_dir = graph_dir
        self.views = views
        self._store: pyoxigraph.Store | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, graph_dir: str | Path) -> Knowledge:
        """Open the current graph; GraphMissing ("run saferkg build first") when there is none."""
        path = Path(graph_dir)
        return cls(path, persist.load_views(path))

    # -- the store -----------------------------------------------------------

    @property
    def store(self) -> pyoxigraph.Store:
        with self._lock:
            if self._store is None:
                self._store = persist.open_store(self.graph_dir)
            return self._store

    def info(self) -> dict[str, Any]:
        """Counts and build time."""
        return {**persist.meta(self.graph_dir), "counts": self.views.counts}

    # -- answers ---------------------------------------------------------------

    def shared(self, theme: str) -> dict[str, Any]:
        """Who holds a priority on a theme (or a narrower one), with passages."""
        return analysis.shared(self.views, theme)

    def duplicates(self) -> dict[str, Any]:
        """Themes owned by overlapping bodies; near-identical statements across documents."""
        return {"themes": self.views.ownership, "statements": self.views.similar}

    def gaps(self, partner: str | None = None, against: str | None = None) -> dict[str, Any]:
        """Reference priorities not covered, ended strategies, link label/period mismatches."""
        return analysis.gaps(self.views, partner, against)

    def route(self, frm: str, to: str) -> dict[str, Any]:
        """The escalation route between two bodies (or a partner and a body)."""
        return routes.route(self.views, frm, to)

    def route_for_theme(self, theme: str) -> dict[str, Any]:
        """Who monitors, delivers and receives reports on a theme's strategies."""
        return routes.route_for_theme(self.views, theme)

    def matrix(self, partner_type: str | None = None) -> dict[str, Any]:
        """Partners x themes."""
        return analysis.matrix(self.views, partner_type)

    def themes(self) -> dict[str, Any]:
        return analysis.themes(self.views)

    def priorities(self, partner: str | None = None, unmatched: bool = False) -> dict[str, Any]:
        return analysis.priorities(self.views, partner, unmatched)

    def partners(self) -> dict[str, Any]:
        """Every partner with its strategies (period, status) and memberships."""
        return {"partners": [self._partner(pid) for pid in sorted(self.views.partners)]}

    def partner(self, name: str) -> dict[str, Any]:
        """One partner, found by id or name."""
        return self._partner(names.resolve_partner(self.views, name))

    def _partner(self, pid: str) -> dict[str, Any]:
        p = self.views.partners[pid]
        count = sum(
            len(self.views.priorities_by_url.get(s["url"], [])) for s in p.get("strategies", [])
        )
        return {**p, "priorities": count}

    def bodies(self) -> dict[str, Any]:
        """The curated bodies and every reporting line between them."""
        return {
            "bodies": [self.views.bodies[b] for b in sorted(self.views.bodies)],
            "lines": self.views.lines,
        }

    def sparql(self, query: str, *, timeout: float = 10.0, limit: int = 10_000) -> sparql.Result:
        """A read-only SPARQL query (``.to_json()`` / ``.to_csv()`` for the endpoint)."""
        triples = self.views.counts.get("triples")
        return sparql.run(self.store, query, timeout=timeout, limit=limit, triples=triples)

    def export(self, fmt: str = "turtle") -> bytes:
        """The whole graph as Turtle or JSON-LD."""
        rdf_format = EXPORT_FORMATS.get(fmt.lower())
        if rdf_format is None:
            raise GraphError(f"unknown export format {fmt!r} (turtle, json-ld, n-triples)")
        prefixes = sparql.prefixes() if rdf_format == pyoxigraph.RdfFormat.TURTLE else None
        kwargs: dict[str, Any] = {"format": rdf_format, "from_graph": pyoxigraph.DefaultGraph()}
        if prefixes:
            kwargs["prefixes"] = prefixes
        data = self.store.dump(**kwargs)
        return bytes(data or b"")

    def check(self, shapes: str | Path | None = None) -> dict[str, Any]:
        """Validate the graph against the SHACL shapes; ``conforms`` and each violation."""
        import pyshacl
        from rdflib import Graph

        nt = self.store.dump(
            format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph()
        )
        data = Graph()
        data.parse(data=bytes(nt or b"").decode("utf-8"), format="nt")
        shape_graph = Graph()
        if shapes is None:
            text = resources.files("graph").joinpath("shapes.ttl").read_text(encoding="utf-8")
            shape_graph.parse(data=text, format="turtle")
        else:
            shape_graph.parse(str(shapes), format="turtle")
        conforms, report, _ = pyshacl.validate(
            data, shacl_graph=shape_graph, inference="none", allow_warnings=True
        )
        return {"conforms": bool(conforms), "violations": _violations(report), "triples": len(data)}


def _violations(report: Any) -> list[dict[str, str]]:
    from rdflib.namespace import SH

    out = []
    for result in report.subjects(SH.resultSeverity, None):
        out.append(
            {
                "focus": str(report.value(result, SH.focusNode) or ""),
                "path": str(report.value(result, SH.resultPath) or ""),
                "message": str(report.value(result, SH.resultMessage) or ""),
                "severity": str(report.value(result, SH.resultSeverity) or "").rsplit("#", 1)[-1],
                "shape": str(report.value(result, SH.sourceShape) or ""),
            }
        )
    out.sort(key=lambda r: (r["message"], r["focus"]))
    return out
