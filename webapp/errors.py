"""Errors of the web layer and the one mapping from any error to an HTTP status.

WebError
├── BadParameter   a missing or malformed request parameter (400)
├── NotFound       nothing by that name (404), with suggestions
└── NotBuilt       the store, graph or index is not there yet (503)

Domain errors of graph/ and search/ are mapped by :func:`status_for`.
"""

from __future__ import annotations

from werkzeug.exceptions import HTTPException

from graph import errors as gerr
from search import errors as serr


class WebError(Exception):
    """Base class of the web layer's errors; carries its HTTP status."""

    status = 500

    def __init__(self, message: str, *, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = list(suggestions or [])


class BadParameter(WebError):
    """A request parameter is missing or malformed."""

    status = 400


class NotFound(WebError):
    """Nothing by that name."""

    status = 404


class NotBuilt(WebError):
    """The data the page needs has not been built yet."""

    status = 503


def _domain_status(exc: BaseException) -> tuple[int, str, list[str]] | None:
    """Status, message and suggestions for a graph/ or search/ error; None if not one."""
    if isinstance(exc, gerr.UnknownName):
        return 404, str(exc), list(exc.suggestions)
    # GraphMissing: the graph has not been built; a 503 says "come back after the build".
    if type(exc).__name__ == "GraphMissing" or isinstance(exc, serr.IndexMissing):
        return 503, str(exc), []
    if isinstance(exc, serr.QueryError):
        return 400, str(exc), []
    if isinstance(exc, gerr.GraphError) and "sparql" in type(exc).__name__.lower():
        return 400, str(exc), []
    if isinstance(exc, gerr.GraphError | serr.SearchError):
        return 500, str(exc), []
    return None


def status_for(exc: BaseException) -> tuple[int, str, list[str]]:
    """(HTTP status, message for people, "did you mean" suggestions) of any error."""
    if isinstance(exc, WebError):
        return exc.status, exc.message, exc.suggestions
    if isinstance(exc, HTTPException):
        return exc.code or 500, exc.description or exc.name, []
    mapped = _domain_status(exc)
    if mapped is not None:
        return mapped
    return 500, "Something went wrong on our side; the error has been logged.", []


def error_body(
    status: int, message: str, suggestions: list[str] | None = None
) -> dict[str, object]:
    """The one JSON error shape of /api and /sparql."""
    err: dict[str, object] = {"status": status, "message": message}
    if suggestions:
        err["suggestions"] = suggestions
    return {"error": err}
