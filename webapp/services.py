"""What the handlers read: the settings, the store, the knowledge graph and the search index.

One :class:`Services` lives in ``app.extensions["saferkg"]``. The store is
opened once per thread (sqlite connections belong to one thread); the graph
is reopened when its pointer (``data/graph``) is swapped by a rebuild; the
searcher follows index rebuilds by itself.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from ingest.errors import StoreError
from ingest.store import Store
from saferkg.settings import Settings

from .errors import NotBuilt

#: Most composite views kept per graph build (each key is a page and its parameters).
MAX_CACHED = 512
#: Most search answers kept (least recently used go first); dropped when the index changes.
MAX_RESULTS = 2048


def _pointer(path: Path) -> tuple[str, float] | None:
    """Where a graph/index pointer leads now, and when its target last changed; None if absent."""
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
        self._lock = threading.Lock()
        self._search: Any = None
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._cache_owner: Any = None
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self._results: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()

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

    def cached(self, key: tuple[Any, ...], compute: Any) -> Any:
        """A composite view of the current graph, computed once per graph build.

        The answers only change when the graph is rebuilt, and the matrix or the
        review pack walk every priority: worth keeping between requests.
        """
        knowledge = self.knowledge()
        with self._lock:
            if self._cache_owner is not knowledge:
                self._cache, self._cache_owner, self._computing = {}, knowledge, {}
            if key in self._cache:
                return self._cache[key]
            # One thread computes a missing view; the others wait for it rather than
            # computing the same seconds-long answer side by side.
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if self._cache_owner is knowledge and key in self._cache:
                    return self._cache[key]
            value = compute(knowledge)
            with self._lock:
                if self._cache_owner is knowledge and len(self._cache) < MAX_CACHED:
                    self._cache[key] = value
                self._computing.pop(key, None)
        return value

    def knowledge(self) -> Any:
        """The knowledge graph facade (graph.knowledge.Knowledge)."""

        def opener(path: Path) -> Any:
            from graph.knowledge import Knowledge

            return Knowledge.open(path)

        return self._knowledge.get(opener)

    def searcher(self) -> Any:
        """The search index (search.query.Searcher); it follows index rebuilds by itself."""
        with self._lock:
            if self._search is None:
                if _pointer(self.settings.index_dir) is None:
                    raise NotBuilt("the search index has not been built yet: run `saferkg build`")
                from graph.themes import Thesaurus
                from search.query import Searcher

                # The thesaurus lets "ASB" find "anti-social behaviour" and theme filters by name.
                self._search = Searcher.open(self.settings.index_dir, thesaurus=Thesaurus.load())
            return self._search

    def search(self, q: str, **options: Any) -> dict[str, Any]:
        """A search answer, reused while the index is unchanged (people repeat searches).

        whoosh takes tens of milliseconds a query at 10,000 documents and its searcher
        runs one query at a time, so repeated queries are answered from memory.
        """
        searcher = self.searcher()
        version = _pointer(self.settings.index_dir)
        key = (version, q, tuple(sorted(options.items())))
        with self._lock:
            hit = self._results.get(key)
            if hit is not None:
                self._results.move_to_end(key)
                return hit
        result: dict[str, Any] = searcher.search(q, **options)
        with self._lock:
            self._results[key] = result
            while len(self._results) > MAX_RESULTS:
                self._results.popitem(last=False)
        return result
