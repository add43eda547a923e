"""Search benchmark: whoosh index and queries against a SQLite FTS5 baseline.

At the bundled corpus (crawled offline from the mirror) and at a synthetic
corpus (bench/synth.py): index build time and size, then query latency p50/p95
over the same mixed queries with snippets and facets, in process, one searcher
reused; the same documents and queries through FTS5 (search/fts5.py).

    python -m bench.search --documents 10000
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.store import Store
from search.fts5 import Fts5Index
from search.index import build_index, current_dir
from search.query import Searcher

BASE_QUERIES = [
    "domestic abuse",
    "ASB",
    "county lines",
    "hate incidents reporting",
    '"serious violence"',
    "knife OR knives",
    "drug*",
    "anti social behavour",
    "partnership priorities",
    "modern slavery NOT fraud",
    "vulnerable people",
    "DA",
    "community safety plan",
    "reoffending",
    "cyber crime bullying",
    "radicalisation",
    "youth offending",
    "road safety",
    "rural crime",
    "burglary",
    "alcohol misuse",
    "mental health",
    '"fear of crime"',
    "sexual violence",
    "MARAC",
]


def mixed_queries(n: int, partners: list[str], seed: int = 0) -> list[dict[str, Any]]:
    """``n`` queries: free text, phrases, operators, typos, prefixes; some with a filter, a sort or page 2."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(n):
        q: dict[str, Any] = {"q": BASE_QUERIES[i % len(BASE_QUERIES)]}
        r = rng.random()
        if r < 0.15 and partners:
            q["partner"] = rng.choice(partners)
        elif r < 0.25:
            q["sort"] = "date"
        elif r < 0.35:
            q["page"] = 2
        out.append(q)
    return out


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run(
    name: str, data: Path, n_queries: int, thesaurus: Any, *, reuse: bool = False
) -> dict[str, Any]:
    """Build both indexes over the store in ``data`` (or reuse them) and time the queries."""
    built = (data / "index").exists() and (data / "fts5.sqlite").exists()
    with Store.open(data) as store:
        n_docs = store.counts()["documents"]
        partners = sorted({d["partner"] for d in store.document_summaries()})
        fts = Fts5Index(data / "fts5.sqlite")
        if reuse and built:
            build_s = fts_build_s = float("nan")
            records = _records(data / "index")
            fts_records = records
        else:
            build_s, report = timed(
                partial(build_index, store, data / "index", thesaurus=thesaurus, rebuild=True)
            )
            records = report.records
            fts_build_s, fts_records = timed(partial(fts.build, store.documents()))
    queries = mixed_queries(n_queries, partners)
    open_s, searcher = timed(lambda: Searcher.open(data / "index", thesaurus=thesaurus))
    first_s, _ = timed(lambda: searcher.search("community safety"))
    lat: list[float] = []
    for q in queries:
        args = dict(q)
        text = args.pop("q")
        dt, _ = timed(partial(searcher.search, text, **args))
        lat.append(dt * 1000)
    fts_lat: list[float] = []
    for q in queries:
        dt, _ = timed(partial(fts.search, q["q"]))
        fts_lat.append(dt * 1000)
    searcher.close()
    fts.close()
    # Each base query's first run after opening: its terms' postings are read
    # and scored then; later runs reuse them (search/scoring.py).
    first = lat[: len(BASE_QUERIES)]
    row: dict[str, Any] = {
        "corpus": name,
        "documents": n_docs,
        "records": records,
        "whoosh_build_s": round(build_s, 1),
        "whoosh_mb": round(size_mb(current_dir(data / "index")), 1),
        "fts5_build_s": round(fts_build_s, 1),
        "fts5_records": fts_records,
        "fts5_mb": round(size_mb(data / "fts5.sqlite"), 1),
        "open_ms": round(open_s * 1000, 1),
        "first_query_ms": round(first_s * 1000, 1),
        "whoosh_p50": round(statistics.median(lat), 1),
        "whoosh_p95": round(pct(lat, 95), 1),
        "first_pass_p50": round(statistics.median(first), 1),
        "first_pass_p95": round(pct(first, 95), 1),
        "fts5_p50": round(statistics.median(fts_lat), 2),
        "fts5_p95": round(pct(fts_lat, 95), 2),
    }
    row["ratio_p50"] = round(row["whoosh_p50"] / max(row["fts5_p50"], 0.01), 1)
    row["ratio_p95"] = round(row["whoosh_p95"] / max(row["fts5_p95"], 0.01), 1)
    return row


def _secs(v: float) -> str:
    return "reused" if v != v else f"{v} s"  # NaN: the index was reused, not built


def _records(index_dir: Path) -> int:
    from search.index import open_index

    ix = open_index(index_dir)
    try:
        return int(ix.doc_count())
    finally:
        ix.close()


def corpus_store(into: Path) -> bool:
    """Crawl the bundled mirror offline into ``into``; False when the crawl is not available."""
    from click.testing import CliRunner

    from saferkg.cli import main

    result = CliRunner().invoke(main, ["--data", str(into), "crawl"])
    return result.exit_code == 0 and Store.open(into).counts()["documents"] > 0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--documents", type=int, default=10_000)
    ap.add_argument("--partners", type=int, default=350)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument(
        "--workdir", type=Path, default=None, help="Keep the data here (default: temp)."
    )
    ap.add_argument("--skip-corpus", action="store_true", help="Only the synthetic corpus.")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="With --workdir: reuse the stores and indexes a previous run left there.",
    )
    args = ap.parse_args(argv)
    from graph.themes import Thesaurus

    thesaurus = Thesaurus.load()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-search-"))
    rows = []
    try:
        reuse = bool(args.reuse and args.workdir)
        corpus = work / "corpus"
        if not args.skip_corpus and (
            (reuse and (corpus / "index").exists()) or corpus_store(corpus)
        ):
            rows.append(run("bundled", corpus, args.queries, thesaurus, reuse=reuse))
            print(rows[-1], flush=True)
        if args.documents:
            from bench.synth import generate

            synth = work / "synth"
            if not (reuse and (synth / "index").exists()):
                gen_s, _ = timed(
                    lambda: generate(synth, partners=args.partners, documents=args.documents)
                )
                print(f"synthetic store: {args.documents} documents in {gen_s:.1f} s", flush=True)
            name = f"synthetic {args.documents}"
            rows.append(run(name, synth, args.queries, thesaurus, reuse=reuse))
            print(rows[-1], flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        "| corpus | documents (records) | whoosh build | size | FTS5 build | size "
        "| whoosh p50 / p95 | first pass p50 / p95 | FTS5 p50 / p95 | ratio p50 / p95 "
        "| open + first query |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['corpus']} | {r['documents']} ({r['records']}) | {_secs(r['whoosh_build_s'])} "
            f"| {r['whoosh_mb']} MB | {_secs(r['fts5_build_s'])} | {r['fts5_mb']} MB "
            f"| {r['whoosh_p50']} / {r['whoosh_p95']} ms "
            f"| {r['first_pass_p50']} / {r['first_pass_p95']} ms "
            f"| {r['fts5_p50']} / {r['fts5_p95']} ms "
            f"| {r['ratio_p50']}x / {r['ratio_p95']}x | {r['open_ms']} + {r['first_query_ms']} ms |"
        )


if __name__ == "__main__":
    main()
