"""Read-only SPARQL over the persisted graph, with a timeout and a row limit.

The store is opened read-only and update requests are refused before they
run. The usual prefixes (``skg:``, ``org:``, ``skos:``, ``dcterms:``,
``prov:``, ``oa:``, ``id:`` ...) are predefined.

    >>> result = run(store, "SELECT ?b WHERE { body:jag skg:escalatesTo+ ?b }")  # doctest: +SKIP
    >>> result.to_json()["results"]["bindings"][0]["b"]["value"]
    'https://w3id.org/saferkg/id/body/csp'
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pyoxigraph

from .errors import GraphError
from .namespaces import ID, PREFIXES

_UPDATE_RE = re.compile(
    r"^\s*(?:(?:PREFIX|BASE)\b[^\n]*\n\s*)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.I,
)


class SparqlError(GraphError):
    """A SPARQL query that cannot run: bad syntax, an update, or too slow."""


class SparqlRefused(SparqlError):
    """An update (INSERT, DELETE, LOAD, ...): the endpoint is read-only."""


class SparqlTimeout(SparqlError):
    """The query ran longer than the timeout."""


class SparqlTooCostly(SparqlTimeout):
    """Refused before it runs: it could not give its first row within the timeout."""


#: Rows a cross product yields per second in oxigraph (measured: 8.4 million in 0.86 s).
ROWS_PER_SECOND = 10_000_000
# The algebra nodes walked to find the patterns that are joined together; any other
# node (UNION, OPTIONAL, MINUS, GRAPH, SERVICE, subqueries) ends the walk there.
_JOINED = {
    "SelectQuery",
    "AskQuery",
    "ConstructQuery",
    "DescribeQuery",
    "Project",
    "Extend",
    "AggregateJoin",
    "Group",
    "OrderBy",
    "Distinct",
    "Reduced",
    "Slice",
    "Filter",
    "Join",
    "ToMultiSet",
    "BGP",
}
# Operators that read every row before they give the first one.
_BLOCKING = {"AggregateJoin", "Group", "OrderBy", "Distinct", "Reduced"}


def prefixes() -> dict[str, str]:
    """The prefixes every query may use without declaring them."""
    out = {p: str(ns) for p, ns in PREFIXES.items()}
    out["id"] = str(ID)
    for kind in ("partner", "body", "theme", "document", "priority", "strategy"):
        out[kind] = f"{ID}{kind}/"
    return out


@dataclass
class Result:
    """A query's answer: variables and rows (values as strings), or a boolean for ASK."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, dict[str, str]]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    elapsed_ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The SPARQL 1.1 Query Results JSON shape (plus ``truncated`` and ``elapsed_ms``)."""
        if self.kind == "ask":
            return {"head": {}, "boolean": self.boolean, "elapsed_ms": round(self.elapsed_ms, 1)}
        return {
            "head": {"vars": self.variables},
            "results": {"bindings": self.rows},
            "truncated": self.truncated,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }

    def to_csv(self) -> str:
        """The SPARQL 1.1 CSV results shape."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        if self.kind == "ask":
            w.writerow(["boolean"])
            w.writerow(["true" if self.boolean else "false"])
            return buf.getvalue()
        w.writerow(self.variables)
        for row in self.rows:
            w.writerow([row[v]["value"] if v in row else "" for v in self.variables])
        return buf.getvalue()

    def table(self) -> list[dict[str, str]]:
        """Rows as plain {variable: value} dicts, for people."""
        return [{v: row[v]["value"] for v in self.variables if v in row} for row in self.rows]


def _term(t: Any) -> dict[str, str]:
    if isinstance(t, pyoxigraph.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, pyoxigraph.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = t.datatype.value
        return out
    return {"type": "literal", "value": str(t)}


def check_read_only(query: str) -> None:
    """Refuse SPARQL updates with a clear error."""
    if _UPDATE_RE.search(query):
        raise SparqlRefused("the SPARQL endpoint is read-only: updates are refused")


def cross_product_rows(query: str, triples: int) -> int:
    """Rows a query must read before its first answer, when that is a cross product of the store.

    A query that counts, groups, sorts or de-duplicates over two or more groups
    of triple patterns that share no variable, each with a pattern of variables
    alone (``?a ?b ?c``), reads ``triples`` to the power of the number of such
    groups before its first row. 0 when the query is not of that kind (or when
    it cannot be read here; oxigraph then reports what is wrong with it).
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    try:
        algebra = prepareQuery(query, initNs=prefixes()).algebra
    except (ParseException, ValueError, TypeError, KeyError, AttributeError):
        return 0  # not estimated: oxigraph parses the query again and says what is wrong
    except Exception as e:
        # rdflib's translator raises bare Exception (an unknown prefix, say); anything
        # more specific is not ours to hide.
        if type(e) is not Exception:
            raise
        return 0
    patterns: list[tuple[Any, Any, Any]] = []
    blocking = False
    todo = [algebra]
    while todo:
        node = todo.pop()
        name = getattr(node, "name", "")
        if name not in _JOINED:
            continue
        blocking = blocking or name in _BLOCKING
        if name == "BGP":
            patterns.extend(node["triples"])
        todo.extend(node.get(k) for k in ("p", "p1", "p2") if node.get(k) is not None)
    if not blocking:
        return 0
    # Groups of patterns linked by shared variables; a group with a pattern of
    # variables alone ranges over the whole store.
    groups: list[tuple[set[Any], bool]] = []
    for t in patterns:
        names = {x for x in t if isinstance(x, Variable)}
        free = len(names) == 3
        linked = [g for g in groups if g[0] & names]
        for g in linked:
            groups.remove(g)
            names |= g[0]
            free = free or g[1]
        groups.append((names, free))
    free_groups = sum(1 for _, free in groups if free)
    return triples**free_groups if free_groups >= 2 else 0


def run(
    store: pyoxigraph.Store,
    query: str,
    *,
    timeout: float = 10.0,
    limit: int = 10_000,
    triples: int | None = None,
) -> Result:
    """Run a read-only query; at most ``limit`` rows; SparqlTimeout after ``timeout`` seconds.

    With ``triples`` (the size of the store), a query that must read a cross
    product of the store too large for the timeout is refused before it runs
    (SparqlTooCostly): oxigraph cannot stop a query, so one that has not given
    its first row by the deadline is only abandoned and keeps its thread busy
    until it ends.
    """
    check_read_only(query)
    if triples:
        rows = cross_product_rows(query, triples)
        if rows / ROWS_PER_SECOND > timeout:
            raise SparqlTooCostly(
                f"refused: the query would run longer than {timeout:g}s, as it joins every "
                f"triple with every other ({rows:,} rows before its first answer); link "
                "its patterns by a shared variable or name a subject, property or object"
            )
    start = time.monotonic()
    deadline = start + timeout
    box: dict[str, Any] = {}
    stop = threading.Event()

    def work() -> None:
        try:
            box["result"] = _collect(store, query, limit, deadline, stop)
        except BaseException as e:  # handed to the caller's thread below
            # Without its traceback: the frames hold oxigraph results that must be
            # dropped on this thread, not the caller's.
            box["error"] = e.with_traceback(None)

    # The query runs in a worker so a slow one can be abandoned at the deadline; the
    # worker also checks the deadline between rows and stops by itself. oxigraph has
    # no way to cancel a query: one that is still working towards its first row (a
    # count, a sort) keeps its worker busy after the timeout answer, until it ends.
    worker = threading.Thread(target=work, name="sparql", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or isinstance(box.get("error"), SparqlTimeout):
        stop.set()
        raise SparqlTimeout(f"the query ran longer than {timeout:g}s and was stopped")
    error = box.get("error")
    if isinstance(error, SyntaxError):
        if re.search(r"\b(INSERT|DELETE)\s+(DATA|WHERE|\{)", query, re.I):
            raise SparqlRefused("the SPARQL endpoint is read-only: updates are refused") from error
        raise SparqlError(f"bad SPARQL: {error}") from error
    if isinstance(error, OSError):
        raise SparqlError(f"the query failed: {error}") from error
    if error is not None:
        raise error
    result: Result = box["result"]
    result.elapsed_ms = (time.monotonic() - start) * 1000.0
    return result


def _collect(
    store: pyoxigraph.Store, query: str, limit: int, deadline: float, stop: threading.Event
) -> Result:
    answer = store.query(query, prefixes=prefixes())
    try:
        return _rows(answer, limit, deadline, stop)
    finally:
        del answer  # oxigraph results belong to the thread that made them


def _solution_row(variables: list[str], solution: Any) -> dict[str, dict[str, str]]:
    values = ((v, solution[v]) for v in variables)
    return {v: _term(value) for v, value in values if value is not None}


def _triple_row(triple: Any) -> dict[str, dict[str, str]]:
    return {
        "subject": _term(triple.subject),
        "predicate": _term(triple.predicate),
        "object": _term(triple.object),
    }


def _rows(answer: Any, limit: int, deadline: float, stop: threading.Event) -> Result:
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    row: Callable[[Any], dict[str, dict[str, str]]]
    if isinstance(answer, pyoxigraph.QuerySolutions):
        variables = [v.value for v in answer.variables]
        result = Result("select", variables=variables)
        row = partial(_solution_row, variables)
    else:
        result = Result("graph", variables=["subject", "predicate", "object"])
        row = _triple_row
    # Rows stream from oxigraph: the deadline is checked before each one.
    for item in answer:
        if stop.is_set() or time.monotonic() > deadline:
            raise SparqlTimeout("deadline passed")
        if len(result.rows) >= limit:
            result.truncated = True
            break
        result.rows.append(row(item))
    return result
