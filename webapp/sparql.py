"""/sparql: a read-only SPARQL 1.1 Protocol endpoint over the knowledge graph.

GET ``?query=``, POST form ``query=`` or a POST ``application/sparql-query``
body. Results as ``application/sparql-results+json`` (default) or ``text/csv``,
chosen by ``format=`` or the Accept header. Updates are refused with 400; the
timeout and row limit come from the settings.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Blueprint, Response, current_app, json, render_template, request

from .errors import BadParameter
from .services import Services

bp = Blueprint("sparql", __name__)

MAX_SPARQL = 20_000
JSON_TYPE = "application/sparql-results+json"
CSV_TYPE = "text/csv"

_UPDATE = re.compile(
    r"(?<![?$:\w])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])",
    re.IGNORECASE,
)
_STRINGS = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|<[^>\s]*>", re.S
)
_COMMENTS = re.compile(r"#[^\n]*")


def is_update(query: str) -> bool:
    """True when the text is a SPARQL Update (keywords outside strings, IRIs and comments)."""
    bare = _COMMENTS.sub(" ", _STRINGS.sub(" ", query))
    return bool(_UPDATE.search(bare))


def _query_text() -> str | None:
    if request.method == "POST":
        if "update" in request.form:
            raise BadParameter("SPARQL updates are not accepted: this endpoint is read-only")
        ctype = (request.mimetype or "").lower()
        if ctype == "application/sparql-query":
            return request.get_data(as_text=True)
        if ctype == "application/sparql-update":
            raise BadParameter("SPARQL updates are not accepted: this endpoint is read-only")
        return request.form.get("query")
    if "update" in request.args:
        raise BadParameter("SPARQL updates are not accepted: this endpoint is read-only")
    return request.args.get("query")


def _format() -> str:
    fmt = (request.values.get("format") or "").lower()
    if fmt in ("csv", CSV_TYPE):
        return "csv"
    if fmt in ("json", JSON_TYPE, "application/json"):
        return "json"
    if fmt:
        raise BadParameter("format must be json or csv")
    best = request.accept_mimetypes.best_match(
        [JSON_TYPE, "application/json", CSV_TYPE, "text/html"], default=JSON_TYPE
    )
    if best == CSV_TYPE:
        return "csv"
    if best == "text/html" and request.method == "GET":
        return "html"
    return "json"


def to_results_json(result: Any) -> dict[str, Any]:
    """Knowledge.sparql's answer as SPARQL 1.1 Query Results JSON."""
    if (
        isinstance(result, dict)
        and ("head" in result)
        and ("results" in result or "boolean" in result)
    ):
        return result
    if isinstance(result, dict) and "boolean" in result:
        return {"head": {}, "boolean": bool(result["boolean"])}
    variables = list(result.get("vars") or result.get("variables") or [])
    rows = result.get("rows") or result.get("bindings") or []
    bindings = []
    for row in rows:
        pairs = (
            list(row.items()) if isinstance(row, dict) else list(zip(variables, row, strict=False))
        )
        b = {}
        for name, value in pairs:
            if value is None:
                continue
            if isinstance(value, dict):
                b[name] = value
            else:
                text = str(value)
                kind = "uri" if text.startswith(("http://", "https://", "urn:")) else "literal"
                b[name] = {"type": kind, "value": text}
        bindings.append(b)
    out: dict[str, Any] = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    if result.get("truncated"):
        out["truncated"] = True
    return out


def to_csv(results: dict[str, Any]) -> str:
    """SPARQL 1.1 Query Results CSV (values only, CRLF line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if "boolean" in results:
        writer.writerow(["boolean"])
        writer.writerow(["true" if results["boolean"] else "false"])
        return buf.getvalue()
    variables = results["head"].get("vars", [])
    writer.writerow(variables)
    for b in results["results"]["bindings"]:
        writer.writerow([b.get(v, {}).get("value", "") for v in variables])
    return buf.getvalue()


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Any:
    """Answer one read-only SPARQL query."""
    services: Services = current_app.extensions["saferkg"]
    query = _query_text()
    fmt = _format()
    if not query or not query.strip():
        if fmt == "html":
            return render_template("sparql.html", title="SPARQL endpoint")
        raise BadParameter("give a SPARQL query in 'query'")
    if len(query) > MAX_SPARQL:
        raise BadParameter(f"the query is too long: at most {MAX_SPARQL} characters")
    if is_update(query):
        raise BadParameter("SPARQL updates are not accepted: this endpoint is read-only")
    settings = services.settings
    result = services.knowledge().sparql(
        query, timeout=settings.sparql_timeout, limit=settings.sparql_row_limit
    )
    results = to_results_json(result.to_json() if hasattr(result, "to_json") else result)
    if fmt == "csv":
        text = result.to_csv() if hasattr(result, "to_csv") else to_csv(results)
        return Response(text, mimetype=CSV_TYPE)
    return Response(json.dumps(results), mimetype=JSON_TYPE)
