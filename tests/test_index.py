"""The index: full builds, incremental updates, and rebuilds that fail or are killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from search_support import PARTNERS, fill_store, make_doc, sample_docs

from ingest.store import Store
from search.errors import IndexMissing
from search.index import build_index, current_dir, records
from search.query import Searcher

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return fill_store(tmp_path / "data", sample_docs())


def build(data: Path, thesaurus: object = None, **kw: object):  # type: ignore[no-untyped-def]
    with Store.open(data) as store:
        return build_index(store, data / "index", thesaurus=thesaurus, partners=PARTNERS, **kw)  # type: ignore[arg-type]


def urls(data: Path, q: str) -> set[str]:
    with Searcher.open(data / "index") as s:
        return {h["url"] for h in s.search(q, limit=50)["hits"]}


def test_first_build_points_index_at_a_stamped_directory(data: Path) -> None:
    report = build(data)
    assert report.rebuilt and report.added == 4
    link = data / "index"
    assert link.is_symlink() and current_dir(link).name.startswith("index-")
    assert urls(data, "Sentinel") == {"https://county.example/strategy.pdf"}


def test_records_are_one_per_document_and_one_per_passage() -> None:
    doc = sample_docs()[0]
    recs = records(doc, partners=PARTNERS)
    assert [r["rtype"] for r in recs] == ["doc", "passage", "passage", "passage"]
    assert recs[0]["partner_name"] == "Safer Town Partnership"
    assert recs[0]["year"] == "2021 2022 2023 2024"
    assert recs[2]["section"] == "Domestic abuse"


def test_incremental_build_adds_changes_and_removes_by_hash(data: Path) -> None:
    build(data)
    with Store.open(data) as store:
        store.remove_document("https://town.example/minutes.pdf")
        changed = sample_docs()[2]
        changed.sections[1].blocks[0]["text"] = "ASB case reviews now use the Guardian system."
        changed.content_hash = "changed"
        store.save_document(changed)
        store.save_document(
            make_doc("https://new.example/a", "opcc", "New plan", [("Knife crime", ["Knives."])])
        )
    first = current_dir(data / "index")
    report = build(data)
    assert not report.rebuilt
    assert (report.added, report.updated, report.deleted, report.unchanged) == (1, 1, 1, 2)
    assert current_dir(data / "index") == first  # updated in place
    assert urls(data, "Sentinel") == set()
    assert urls(data, "Guardian") == {"https://county.example/strategy.pdf"}
    assert urls(data, "knives") == {"https://new.example/a"}
    assert "https://town.example/minutes.pdf" not in urls(data, "county lines")
    again = build(data)
    assert (again.added, again.updated, again.deleted) == (0, 0, 0)


def test_rebuild_swaps_in_a_new_directory_and_removes_the_old(data: Path) -> None:
    build(data)
    old = current_dir(data / "index")
    build(data, rebuild=True)
    new = current_dir(data / "index")
    # The previous generation outlives one rebuild, for readers that resolved the pointer
    # just before the swap; the rebuild after removes it.
    assert new != old and old.exists()
    build(data, rebuild=True)
    newest = current_dir(data / "index")
    assert not old.exists()
    assert sorted(p.name for p in data.glob("index-*")) == [new.name, newest.name]


class BrokenThesaurus:
    """Fails part-way through a build, like a crash in the middle of indexing."""

    def __init__(self, after: int) -> None:
        self.calls = 0
        self.after = after

    def match(self, text: str) -> list[object]:
        self.calls += 1
        if self.calls > self.after:
            raise RuntimeError("disk on fire")
        return []


def test_failed_rebuild_leaves_the_last_good_index(data: Path) -> None:
    build(data)
    good = current_dir(data / "index")
    with Searcher.open(data / "index") as s:
        before = s.search("county lines")["total"]
        with pytest.raises(RuntimeError):
            build(data, thesaurus=BrokenThesaurus(after=3), rebuild=True)
        assert current_dir(data / "index") == good
        assert s.search("county lines")["total"] == before == 2
    assert [p.name for p in data.glob("index-*")] == [good.name]


def test_killed_rebuild_leaves_the_last_good_index(data: Path) -> None:
    build(data)
    good = current_dir(data / "index")
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from ingest.store import Store
        from search.index import build_index

        class Slow:
            def match(self, text):
                time.sleep(0.2)
                return []

        with Store.open({str(data)!r}) as store:
            build_index(store, {str(data / "index")!r}, thesaurus=Slow(), rebuild=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        for _ in range(300):  # wait until the new directory exists: the build is under way
            if [p for p in data.glob("index-*") if p != good]:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the rebuild finished before it could be interrupted"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert current_dir(data / "index") == good
    assert urls(data, "People Zones") == {"https://opcc.example/governance.pdf"}
    build(data, rebuild=True)  # the next good rebuild clears the leftover directory
    newest = current_dir(data / "index")
    assert sorted(p.name for p in data.glob("index-*")) == [good.name, newest.name]


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="saferkg index"):
        Searcher.open(tmp_path / "index")
