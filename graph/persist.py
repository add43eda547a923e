"""The built graph on disk: an oxigraph store plus a pickle of the derived views.

Layout of the data directory::

    graph-<stamp>/oxigraph/    the RDF, bulk-loaded into a pyoxigraph store (SPARQL)
    graph-<stamp>/views.pickle the derived views (networkx, priority table, ...)
    graph-<stamp>/meta.json    counts and when it was built
    graph -> graph-<stamp>     the current graph: a symlink swapped atomically

A build writes a new ``graph-<stamp>`` directory and only then points
``graph`` at it (``os.replace`` of a symlink), so a build that fails or is
interrupted leaves the last good graph in place. Opening reads the pickle
(milliseconds) and opens the oxigraph store lazily, never parsing RDF.

    >>> write(built, Path("data"))                 # doctest: +SKIP
    PosixPath('data/graph-20250101T120000-1a2b')
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph

from .errors import GraphError
from .model import Built, Views

VIEWS_FILE = "views.pickle"
META_FILE = "meta.json"
OXI_DIR = "oxigraph"
#: How many superseded graph directories to keep besides the current one.
KEEP = 1


class GraphMissing(GraphError):
    """No built graph in the data directory."""


def _stamp() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid():x}{time.monotonic_ns() % 65536:04x}"


def write(built: Built, data_dir: str | Path, *, link_name: str = "graph") -> Path:
    """Persist a built graph and make it the current one; returns its directory."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / f"{link_name}-{_stamp()}"
    tmp = data_dir / f".{target.name}.partial"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        rdf_file = tmp / "graph.ttl"
        with open(rdf_file, "w", encoding="utf-8") as f:
            f.writelines(built.triples.turtle_lines())
        store = pyoxigraph.Store(str(tmp / OXI_DIR))
        store.bulk_load(path=rdf_file, format=pyoxigraph.RdfFormat.TURTLE)
        store.flush()
        del store
        rdf_file.unlink()
        with open(tmp / VIEWS_FILE, "wb") as f:
            pickle.dump(built.views, f, protocol=pickle.HIGHEST_PROTOCOL)
        meta = {
            "built_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "counts": built.views.counts,
            "today": built.views.today,
        }
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    swap(data_dir / link_name, target)
    _prune(data_dir, link_name, keep={target.name})
    return target


def swap(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` atomically (a new symlink renamed over the old)."""
    tmp_link = link.with_name(f".{link.name}.swap-{os.getpid()}")
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(target.name, target_is_directory=True)
    if link.exists() and not link.is_symlink():
        # An old layout with a real directory: move it aside, it stays readable.
        link.rename(link.with_name(f"{link.name}-legacy-{_stamp()}"))
    os.replace(tmp_link, link)


def _prune(data_dir: Path, link_name: str, keep: set[str]) -> None:
    """Remove superseded graph directories, keeping the newest few for readers still open."""
    old = sorted(
        (p for p in data_dir.glob(f"{link_name}-*") if p.is_dir() and p.name not in keep),
        key=lambda p: p.name,
    )
    for p in old[: max(0, len(old) - KEEP)]:
        shutil.rmtree(p, ignore_errors=True)


def resolve(graph_dir: str | Path) -> Path:
    """The real directory of the current graph; GraphMissing when there is none."""
    path = Path(graph_dir)
    if not (path / VIEWS_FILE).is_file():
        raise GraphMissing(f"no knowledge graph in {path}: run `saferkg build` first")
    return path.resolve()


def load_views(graph_dir: str | Path) -> Views:
    """Unpickle the derived views of the current graph."""
    real = resolve(graph_dir)
    # Many small objects: the collector would walk them again and again while they load.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with open(real / VIEWS_FILE, "rb") as f:
            views = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as e:
        raise GraphMissing(
            f"the knowledge graph in {graph_dir} is unreadable ({e}): run `saferkg build` again"
        ) from e
    finally:
        if enabled:
            gc.enable()
    # The views are long-lived: keep the collector from walking them again and again.
    gc.freeze()
    if not isinstance(views, Views):
        raise GraphMissing(f"{real / VIEWS_FILE} is not a saferkg graph: run `saferkg build`")
    return views


def open_store(graph_dir: str | Path) -> pyoxigraph.Store:
    """Open the oxigraph store of the current graph read-only."""
    real = resolve(graph_dir)
    try:
        return pyoxigraph.Store.read_only(str(real / OXI_DIR))
    except OSError as e:
        raise GraphMissing(f"cannot open the RDF store in {real}: {e}") from e


def meta(graph_dir: str | Path) -> dict[str, Any]:
    """Counts and build time of the current graph."""
    real = resolve(graph_dir)
    try:
        data: dict[str, Any] = json.loads((real / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data["path"] = real.name
    return data
