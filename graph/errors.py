"""Errors raised by graph.

GraphError
└── UnknownName        a theme, partner or body name that resolves to nothing
                       (carries .name, .kind and .suggestions)
"""

from __future__ import annotations


class GraphError(Exception):
    """Base class of every graph error."""


class UnknownName(GraphError):
    """A name that matches nothing; the message ends with 'did you mean "X"?' when one is close."""

    def __init__(self, name: str, kind: str, suggestions: list[str] | None = None) -> None:
        self.name = name
        self.kind = kind
        self.suggestions = list(suggestions or [])
        message = f'unknown {kind} "{name}"'
        if self.suggestions:
            message += f'; did you mean "{self.suggestions[0]}"?'
        super().__init__(message)
