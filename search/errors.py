"""Errors raised by search.

SearchError
├── IndexMissing      no index has been built in the data directory yet
├── IndexBuildError   the index could not be built (the last good index stays)
└── QueryError        a query that cannot be run (bad filter value, unusable syntax)
"""

from __future__ import annotations


class SearchError(Exception):
    """Base class of every search error."""


class IndexMissing(SearchError):
    """There is no search index yet; run ``saferkg index``."""


class IndexBuildError(SearchError):
    """Building the index failed; the previous index is still the current one."""


class QueryError(SearchError):
    """The query cannot be run; the message says why in plain words."""
