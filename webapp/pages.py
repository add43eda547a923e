"""The HTML pages: thin handlers that render the data of :mod:`webapp.views`."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from flask import Blueprint, Response, current_app, render_template, request, url_for

from graph import reports

from . import views
from .errors import BadParameter, NotFound
from .services import Services

bp = Blueprint("pages", __name__)


def svc() -> Services:
    services: Services = current_app.extensions["saferkg"]
    return services


def page(template: str, title: str, **context: Any) -> str:
    return render_template(template, title=title, **context)


def listing(template: str, title: str, view: Callable[[Services, Any], dict[str, Any]]) -> str:
    """A page showing one view's data for this request's query parameters."""
    return page(template, title, data=view(svc(), request.args))


def child_page(
    template: str, title: str, data: Any, parent: str, parent_title: str, section: str = ""
) -> str:
    """A page under a list page, which is its breadcrumb (and its navigation tab by default)."""
    crumbs = [(parent_title, url_for(parent))]
    return page(template, title, data=data, section=section or parent, crumbs=crumbs)


@bp.app_template_global()
def url_with(**changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    args = {k: v for k, v in request.args.items()}
    for k, v in changes.items():
        if v is None:
            args.pop(k, None)
        else:
            args[k] = str(v)
    query = urlencode(args)
    return request.path + ("?" + query if query else "")


@bp.app_template_filter("href")
def href(url: Any) -> str:
    """An outside address fit for a link: http(s) only, so a crawled "javascript:" never runs."""
    text = str(url or "")
    return text if text.lower().startswith(("http://", "https://")) else "#"


@bp.app_template_filter("short_url")
def short_url(url: Any) -> str:
    """An address as a reader scans it: host and last path part, percent-escapes decoded."""
    text = str(url or "")
    parts = urlsplit(text)
    if not parts.netloc:
        return text
    host = parts.netloc.removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return host
    last = unquote(segments[-1])
    return f"{host}/{last}" if len(segments) == 1 else f"{host}/…/{last}"


@bp.app_template_filter("words")
def words(name: Any) -> str:
    """A CamelCase type name as words ("LocalAuthority" -> "Local authority"); "CSP" stays."""
    text = str(name or "")
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    return spaced if spaced == text else spaced[:1] + spaced[1:].lower()


@bp.app_template_filter("when")
def when(stamp: Any) -> str:
    """An ISO timestamp as a reader says it ("22 November 2026, 23:43 UTC"); other text as is."""
    text = str(stamp or "")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    zone = " UTC" if moment.tzinfo is not None else ""
    return f"{moment.day} {moment:%B %Y, %H:%M}{zone}"


@bp.get("/")
def search() -> str:
    data = views.search(svc(), request.args)
    return page("search.html", "Search", data=data)


@bp.get("/priorities")
def matrix() -> str:
    # The rendered page only changes with the graph: render it once per build and parameters.
    key = ("matrix.html", *sorted(request.args.items()))
    data = views.matrix(svc(), request.args)
    html: str = svc().cached(key, lambda _k: page("matrix.html", "Priorities matrix", data=data))
    return html


@bp.get("/priorities.csv")
def matrix_csv() -> Response:
    data = views.matrix(svc(), request.args, paged=False)
    return _download(reports.to_csv(reports.matrix_rows(data)), "priorities.csv", "text/csv")


@bp.get("/themes")
def themes() -> str:
    return listing("themes.html", "Themes", views.themes)


@bp.get("/themes/<name>")
def theme(name: str) -> str:
    data = views.theme(svc(), name)
    title = f"Theme: {data['theme'].get('label', name)}"
    return child_page("theme.html", title, data, "pages.themes", "Themes")


@bp.get("/partners")
def partners() -> str:
    return listing("partners.html", "Partners", views.partners)


@bp.get("/partners/<name>")
def partner(name: str) -> str:
    data = views.partner(svc(), name)
    record = data["partner"]
    title = record.get("name") or record.get("label") or name
    return child_page("partner.html", title, data, "pages.partners", "Partners")


@bp.get("/routes")
def routes() -> str:
    knowledge_bodies = views.bodies(svc())
    data = views.route(svc(), request.args, required=False)
    return page("routes.html", "Escalation routes", data=data, bodies=knowledge_bodies)


@bp.get("/review")
def review() -> str:
    data = views.review(svc(), request.args)
    html: str = svc().cached(
        ("review.html",), lambda _k: page("review.html", "Review pack", data=data)
    )
    return html


@bp.get("/csa")
def csa() -> str:
    return listing("csa.html", "Community Safety Agreement", views.csa)


@bp.get("/csa.csv")
def csa_csv() -> Response:
    data = views.csa(svc(), request.args)
    return _download(
        reports.to_csv(reports.csa_rows(data)), "community-safety-agreement.csv", "text/csv"
    )


@bp.get("/csa.xlsx")
def csa_xlsx() -> Response:
    data = views.csa(svc(), request.args)
    priorities = [["Priority", "Required by", "Shared by"]] + [
        [p["theme"], "; ".join(p["required_by"]), ", ".join(p["shared_by"])]
        for p in data["priorities"]
    ]
    body = reports.to_xlsx({"Partners": reports.csa_rows(data), "Priorities": priorities})
    return _download(
        body,
        "community-safety-agreement.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.get("/links")
def links() -> str:
    return listing("links.html", "Link health", views.links)


@bp.get("/documents")
def documents() -> str:
    return listing("documents.html", "Documents", views.documents)


@bp.get("/documents/one")
def document() -> str:
    data = views.document(svc(), request.args)
    title = data["document"]["title"] or data["document"]["url"]
    # Documents has no tab of its own: a document belongs under Partners.
    return child_page(
        "document.html", title, data, "pages.documents", "Documents", section="pages.partners"
    )


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@bp.get("/documents/original")
def original() -> Response:
    """The stored body as fetched; PDFs as PDF, anything else as plain text, never rendered."""
    url = views.text_arg(request.args, "url", required=True)
    store = svc().store()
    doc = store.document(url or "")
    if doc is None:
        raise NotFound(f"no document with the address {url}")
    stored = store.body(doc.content_hash)
    if stored is None:
        raise NotFound(f"the original of {url} was not kept")
    _ctype, body = stored
    name = _SAFE_NAME.sub("-", (url or "").rstrip("/").rsplit("/", 1)[-1])[:80] or "document"
    if body[:5] == b"%PDF-":
        resp = Response(body, mimetype="application/pdf")
        resp.headers["Content-Disposition"] = f'inline; filename="{name}"'
    else:
        # Crawled HTML is shown as its source text, never as a page of this site.
        resp = Response(body, mimetype="text/plain")
        resp.headers["Content-Disposition"] = f'inline; filename="{name}.txt"'
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'none'"
    return resp


@bp.get("/about")
def about() -> str:
    return listing("about.html", "About", views.about)


def _download(body: str | bytes, filename: str, mimetype: str) -> Response:
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


__all__ = ["bp", "BadParameter"]
