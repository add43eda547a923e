"""What the handlers read: the settings, the store, the knowledge graph and the search index.

One :class:`Services` lives in ``app.extensions["saferkg"]``. The store is
opened once per thread (sqlite connections belong to one thread); the graph
and the index are opened once and reopened when their pointer
(``data/graph``, ``data/index``) is swapped by a rebuild.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from ingest.errors import StoreError
from ingest.store import Store
from saferkg.settings import Settings

from .errors import NotBuilt


def _pointer(path: Path) -> tuple[str, float] | None:
    """Where a graph/index pointer leads now, and when that changed; None when absent."""
    try:
        real = os.path.realpath(path)
        return real, os.stat(real).st_mtime
    except OSError:
        return None


class _Reloading:
    """One object opened from a directory and reopened when the directory pointer changes."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.what = what
        self._lock = threading.Lock()
        self._key: tuple[str, float] | None = None
        self._value: Any = None

    def get(self, opener: Any) -> Any:
        key = _pointer(self.path)
        if key is None:
            raise NotBuilt(f"the {self.what} has not been built yet: run `saferkg build`")
        if key != self._key:
            with self._lock:
                if key != self._key:
                    self._value = opener(self.path)
                    self._key = key
        return self._value


class Services:
    """The read-only data sources of the web app, built once by the app factory."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._knowledge = _Reloading(settings.graph_dir, "knowledge graph")
        self._searcher = _Reloading(settings.index_dir, "search index")

    def store(self) -> Store:
        """This thread's connection to the store (reads only)."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            path = self.settings.store_path
            if not path.exists():
                raise NotBuilt("there is no document store yet: run `saferkg crawl`")
            try:
                store = Store(path)
            except StoreError as e:
                raise NotBuilt(str(e)) from e
            self._local.store = store
        return store

    def knowledge(self) -> Any:
        """The knowledge graph facade (graph.knowledge.Knowledge)."""

        def opener(path: Path) -> Any:
            from graph.knowledge import Knowledge

            return Knowledge.open(path)

        return self._knowledge.get(opener)

    def searcher(self) -> Any:
        """The search index (search.query.Searcher), refreshed when the index changes."""

        def opener(path: Path) -> Any:
            from search.query import Searcher

            return Searcher.open(path)

        return self._searcher.get(opener)
