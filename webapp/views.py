"""The data behind every page, shared by the HTML pages and their /api/ twins.

Each function takes the :class:`Services` and the request's query arguments,
checks the parameters (raising :class:`BadParameter`), calls one function of
graph/ or search/ (or graph/reports.py) and returns a JSON-able dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import reports

from .errors import BadParameter, NotFound
from .services import Services

MAX_QUERY = 500
MAX_PAGE = 1000
PAGE_SIZE = 10


def text_arg(args: Mapping[str, str], name: str, *, required: bool = False) -> str | None:
    """A short text parameter, stripped; None when absent (400 when required)."""
    value = (args.get(name) or "").strip()
    if len(value) > MAX_QUERY:
        raise BadParameter(f"'{name}' is too long: at most {MAX_QUERY} characters")
    if not value:
        if required:
            raise BadParameter(f"'{name}' is required")
        return None
    return value


def int_arg(args: Mapping[str, str], name: str, default: int, *, lo: int, hi: int) -> int:
    """A bounded integer parameter."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"'{name}' must be a whole number, not {raw[:40]!r}") from None
    if not lo <= value <= hi:
        raise BadParameter(f"'{name}' must be between {lo} and {hi}")
    return value


def bool_arg(args: Mapping[str, str], name: str) -> bool:
    return (args.get(name) or "").lower() in ("1", "true", "yes", "on")


def search(svc: Services, args: Mapping[str, str], *, required: bool = False) -> dict[str, Any]:
    """Full-text search with facets; an empty query gives an empty result (400 for the API)."""
    q = text_arg(args, "q", required=required)
    filters = {k: text_arg(args, k) for k in ("partner", "theme", "kind", "year")}
    page = int_arg(args, "page", 1, lo=1, hi=MAX_PAGE)
    limit = int_arg(args, "limit", PAGE_SIZE, lo=1, hi=100)
    sort = text_arg(args, "sort")
    if q is None:
        return {
            "query": "",
            "total": 0,
            "page": 1,
            "pages": 0,
            "facets": {},
            "suggestion": None,
            "hits": [],
            "filters": filters,
        }
    kwargs: dict[str, Any] = {k: v for k, v in filters.items() if v}
    if sort:
        kwargs["sort"] = sort
    result = dict(svc.search(q, limit=limit, page=page, **kwargs))
    result.setdefault("filters", filters)
    return result


def shared(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    theme = text_arg(args, "theme", required=True)
    return dict(svc.knowledge().shared(theme))


def gaps(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    return dict(
        svc.knowledge().gaps(partner=text_arg(args, "partner"), against=text_arg(args, "against"))
    )


def route(svc: Services, args: Mapping[str, str], *, required: bool = True) -> dict[str, Any]:
    """A route between two bodies (from, to) or the bodies around a theme (theme)."""
    frm, to, theme = text_arg(args, "from"), text_arg(args, "to"), text_arg(args, "theme")
    if theme:
        return dict(svc.knowledge().route_for_theme(theme))
    if frm and to:
        return svc.cached(("route", frm.lower(), to.lower()), lambda k: reports.route(k, frm, to))
    if required or frm or to:
        raise BadParameter("give both 'from' and 'to' (body names), or a 'theme'")
    return {}


def bodies(svc: Services) -> list[dict[str, Any]]:
    return reports.items(svc.knowledge().bodies(), "bodies")


def duplicates(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    return dict(svc.knowledge().duplicates())


def themes(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    return dict(svc.knowledge().themes())


def theme(svc: Services, name: str) -> dict[str, Any]:
    return svc.cached(("theme", name.lower()), lambda k: reports.theme_page(k, name))


def priorities(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    return dict(
        svc.knowledge().priorities(
            partner=text_arg(args, "partner"), unmatched=bool_arg(args, "unmatched")
        )
    )


MATRIX_ROWS = 12  # partner columns a page: a wider table stops being readable


def matrix(svc: Services, args: Mapping[str, str], *, paged: bool = True) -> dict[str, Any]:
    """The priorities matrix, ``MATRIX_ROWS`` partners a page (all of them for the CSV)."""
    ptype, current = text_arg(args, "type"), bool_arg(args, "current")
    page = int_arg(args, "page", 1, lo=1, hi=MAX_PAGE)
    full = svc.cached(
        ("matrix", ptype, current),
        lambda k: reports.matrix(k, ptype, current_only=current),
    )
    if not paged:
        return dict(full)
    pages = max(1, -(-len(full["rows"]) // MATRIX_ROWS))
    if page > pages:
        raise BadParameter(f"'page' must be between 1 and {pages}")
    start = (page - 1) * MATRIX_ROWS
    return {**full, "rows": full["rows"][start : start + MATRIX_ROWS], "page": page, "pages": pages}


def partners(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    return dict(svc.knowledge().partners())


def partner(svc: Services, name: str) -> dict[str, Any]:
    return reports.partner_page(svc.knowledge(), svc.store(), name)


def documents(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    return reports.documents(svc.store(), text_arg(args, "partner"), _knowledge_or_none(svc))


def _knowledge_or_none(svc: Services) -> Any | None:
    from .errors import NotBuilt

    try:
        return svc.knowledge()
    except NotBuilt:
        # A document page is still useful before the graph is built.
        return None


def document(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    url = text_arg(args, "url", required=True)
    assert url is not None
    data = reports.document_page(_knowledge_or_none(svc), svc.store(), url)
    if data is None:
        raise NotFound(f"no document with the address {url}")
    return data


def links(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    return reports.link_health(svc.store())


def csa(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    return svc.cached(("csa",), lambda k: reports.csa(k, svc.store()))


def review(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    return svc.cached(("review",), reports.review_pack)


def about(svc: Services, args: Mapping[str, str]) -> dict[str, Any]:
    from .errors import NotBuilt

    try:
        store = svc.store()
    except NotBuilt:
        store = None
    data = reports.about(store)
    try:
        data["graph"] = svc.knowledge().info()
    except NotBuilt:
        data["graph"] = None
    data["graph_built"] = data["graph"] is not None
    data["index_built"] = svc.settings.index_dir.exists()
    data["sparql"] = {
        "timeout_seconds": svc.settings.sparql_timeout,
        "row_limit": svc.settings.sparql_row_limit,
    }
    return data
