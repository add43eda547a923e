"""The JSON API under /api/: the same data as the pages, in the CLI --json shapes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for

from . import views
from .services import Services

bp = Blueprint("api", __name__, url_prefix="/api")


def svc() -> Services:
    services: Services = current_app.extensions["saferkg"]
    return services


def _json(data: Any) -> Any:
    return jsonify(data)


@bp.get("/")
def index() -> Any:
    """What the API offers."""
    routes = sorted(
        str(rule)
        for rule in current_app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.index"
    )
    return _json({"endpoints": routes, "sparql": url_for("sparql.endpoint")})


@bp.get("/search")
def search() -> Any:
    return _json(views.search(svc(), request.args, required=True))


@bp.get("/shared")
def shared() -> Any:
    return _json(views.shared(svc(), request.args))


@bp.get("/gaps")
def gaps() -> Any:
    return _json(views.gaps(svc(), request.args))


@bp.get("/route")
def route() -> Any:
    return _json(views.route(svc(), request.args))


@bp.get("/bodies")
def bodies() -> Any:
    return _json({"bodies": views.bodies(svc())})


@bp.get("/duplicates")
def duplicates() -> Any:
    return _json(views.duplicates(svc(), request.args))


@bp.get("/themes")
def themes() -> Any:
    return _json(views.themes(svc(), request.args))


@bp.get("/themes/<name>")
def theme(name: str) -> Any:
    return _json(views.theme(svc(), name))


@bp.get("/priorities")
def priorities() -> Any:
    return _json(views.priorities(svc(), request.args))


@bp.get("/matrix")
def matrix() -> Any:
    return _json(views.matrix(svc(), request.args))


@bp.get("/partners")
def partners() -> Any:
    return _json(views.partners(svc(), request.args))


@bp.get("/partners/<name>")
def partner(name: str) -> Any:
    return _json(views.partner(svc(), name))


@bp.get("/documents")
def documents() -> Any:
    return _json(views.documents(svc(), request.args))


@bp.get("/documents/one")
def document() -> Any:
    return _json(views.document(svc(), request.args))


@bp.get("/links")
def links() -> Any:
    return _json(views.links(svc(), request.args))


@bp.get("/csa")
def csa() -> Any:
    return _json(views.csa(svc(), request.args))


@bp.get("/review")
def review() -> Any:
    return _json(views.review(svc(), request.args))


@bp.get("/about")
def about() -> Any:
    return _json(views.about(svc(), request.args))


@bp.get("/<path:rest>")
def unknown(rest: str) -> Any:
    from .errors import NotFound

    raise NotFound(f"there is no API endpoint /api/{rest}; see /api/ for the list")
