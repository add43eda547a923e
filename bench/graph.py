"""Knowledge graph benchmark: build, persist, load and answer at scale.

    python bench/graph.py                       # 350 partners, 10,000 documents
    python bench/graph.py --partners 50 --documents 1000

Generates a synthetic store (bench/synth.py) in a temporary directory, adds
the bundled partners so the curated structure resolves, builds and persists
the graph, then times opening it and answering shared / gaps / route /
SPARQL, in process and as CLI calls (a new process each, as a user runs them).
Prints the figures; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from bench.synth import generate, write_sources  # noqa: E402
from graph import persist  # noqa: E402
from graph.knowledge import Knowledge  # noqa: E402
from graph.model import build  # noqa: E402
from graph.themes import Thesaurus  # noqa: E402
from ingest.store import Store  # noqa: E402


def rss_mb() -> float:
    """Peak resident memory of this process, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn: object, repeat: int = 5) -> tuple[float, float]:
    """Median and worst wall time of ``repeat`` calls, in ms."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(times), max(times)


def cli(data: Path, *args: str) -> float:
    """Wall time of one ``saferkg`` call in a new process, in ms."""
    t = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "saferkg"), "--data", str(data), *args, "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    return (time.perf_counter() - t) * 1000.0


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partners", type=int, default=350)
    ap.add_argument("--documents", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, default=None, help="Work in this directory and keep it.")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="saferkg-bench-"))
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    figures: dict[str, object] = {"partners": args.partners, "documents": args.documents}

    t = time.perf_counter()
    specs = generate(data, partners=args.partners, documents=args.documents, seed=0)
    figures["generate_s"] = round(time.perf_counter() - t, 2)
    synthetic = work / "synthetic.toml"
    write_sources(synthetic, specs)
    sources = work / "sources.toml"
    sources.write_text(
        (ROOT / "corpus" / "sources.toml").read_text(encoding="utf-8")
        + "\n"
        + synthetic.read_text(encoding="utf-8"),
        encoding="utf-8",
    )

    thesaurus = Thesaurus.load()
    t = time.perf_counter()
    with Store.open(data) as store:
        built = build(
            store,
            structure_path=ROOT / "corpus" / "structure.ttl",
            sources_path=sources,
            thesaurus=thesaurus,
            today=date(2022, 6, 1),
        )
    figures["build_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    target = persist.write(built, data)
    figures["persist_s"] = round(time.perf_counter() - t, 2)
    figures["counts"] = built.views.counts
    figures["views_mb"] = round((target / persist.VIEWS_FILE).stat().st_size / 1e6, 1)
    figures["build_rss_mb"] = round(rss_mb())
    del built
    gc.collect()

    t = time.perf_counter()
    k = Knowledge.open(data / "graph")
    figures["open_ms"] = round((time.perf_counter() - t) * 1000.0, 1)
    t = time.perf_counter()
    k.sparql("ASK { ?s ?p ?o }")
    figures["open_rdf_store_ms"] = round((time.perf_counter() - t) * 1000.0, 1)

    queries = {
        "shared domestic abuse": lambda: k.shared("domestic abuse"),
        "shared crime reduction (broad)": lambda: k.shared("crime reduction"),
        "gaps --partner safer-leicester": lambda: k.gaps(partner="safer-leicester"),
        "gaps (all CSPs)": lambda: k.gaps(),
        "route JAG SPB": lambda: k.route("JAG", "SPB"),
        "duplicates": lambda: k.duplicates(),
        "sparql escalatesTo+": lambda: k.sparql("SELECT ?b WHERE { body:jag skg:escalatesTo+ ?b }"),
        "sparql priorities on a theme": lambda: k.sparql(
            "SELECT ?p ?text WHERE { ?p skg:hasTheme theme:domestic-abuse ; rdfs:label ?text }"
        ),
    }
    answers = {}
    for name, fn in queries.items():
        p50, worst = timed(fn)
        answers[name] = {"p50_ms": round(p50, 1), "max_ms": round(worst, 1)}
    figures["answers"] = answers
    figures["answer_rss_mb"] = round(rss_mb())

    figures["cli_ms"] = {
        "shared": round(cli(data, "shared", "domestic abuse")),
        "gaps": round(cli(data, "gaps", "--partner", "safer-leicester")),
        "route": round(cli(data, "route", "JAG", "SPB")),
        "sparql": round(cli(data, "sparql", "SELECT ?b WHERE { body:jag skg:escalatesTo+ ?b }")),
    }
    print(json.dumps(figures, indent=2))
    if args.keep is None:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
