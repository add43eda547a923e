"""The saferkg web app: server-rendered GOV.UK-styled pages, a JSON API and a SPARQL endpoint.

    >>> app = create_app({"DATA_DIR": "data"})   # doctest: +SKIP
    >>> app.test_client().get("/api/about").json  # doctest: +SKIP

Nothing is opened at import time: the factory builds one :class:`Services`
holding the settings and the (lazily opened, reloading) store, graph and index.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, render_template, request

from saferkg.settings import Settings

from .errors import error_body, status_for
from .services import Services

log = logging.getLogger(__name__)

#: Every response carries these; no inline script or style is ever needed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

MAX_CONTENT_LENGTH = 256 * 1024


def _settings_from(config: dict[str, Any]) -> Settings:
    settings = config.get("SETTINGS")
    if isinstance(settings, Settings):
        return settings
    data_dir = config.get("DATA_DIR")
    return Settings.from_env(data_dir=Path(data_dir) if data_dir else None)


def wants_json() -> bool:
    """JSON errors for the API and the SPARQL endpoint, HTML pages elsewhere."""
    return request.path.startswith(("/api/", "/sparql")) or request.path == "/api"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` may carry SETTINGS (a Settings) or DATA_DIR, and Flask keys."""
    config = dict(config or {})
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
        JSON_SORT_KEYS=False,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.config.update({k: v for k, v in config.items() if k not in ("SETTINGS", "DATA_DIR")})
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    settings = _settings_from(config)
    app.extensions["saferkg"] = Services(settings)

    from . import api, pages, sparql

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(sparql.bp)

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(Exception)
    def handle_error(exc: Exception) -> tuple[Any, int]:
        status, message, suggestions = status_for(exc)
        if status >= 500 and status != 503:
            log.error("error on %s %s", request.method, request.path, exc_info=exc)
        if wants_json():
            return jsonify(error_body(status, message, suggestions)), status
        return (
            render_template("error.html", status=status, message=message, suggestions=suggestions),
            status,
        )

    return app
