"""A bounded load test of ``saferkg serve`` on loopback: requests/s and latency percentiles.

Starts the real server (waitress) on a free port against a built data
directory, then sends search and matrix requests from N client threads.
Bounded twice: at most ``--requests`` per scenario and at most ``--seconds``.

    python bench/load.py --data data                    # the bundled corpus, already built
    python bench/load.py --synth 10000 --work /tmp/load # 10,000 synthetic documents
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from saferkg.cli import main; main()"]

QUERIES = [
    "domestic abuse",
    "county lines",
    "anti-social behaviour",
    "hate crime",
    "serious violence",
    "alcohol",
    "exploitation",
    "cyber crime",
    "reoffending",
    "community cohesion",
    "vulnerable people",
    "knife crime",
    "drug misuse",
    "fear of crime",
    "modern slavery",
    "road safety",
]


EXTRA_WORDS = [
    "partnership",
    "strategy",
    "victims",
    "young",
    "prevention",
    "safeguarding",
    "police",
    "council",
    "reduce",
    "community",
    "safety",
    "harm",
    "support",
    "plan",
    "priority",
    "offenders",
    "violence",
    "women",
    "children",
    "neighbourhood",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(data: Path, env: dict[str, str], *args: str) -> None:
    done = subprocess.run([*CLI, "--data", str(data), *args], cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"saferkg {' '.join(args)} failed with exit code {done.returncode}")


def prepare_synth(work: Path, documents: int, partners: int, env: dict[str, str]) -> Path:
    """Generate a synthetic store and build its graph and index (reused when already built)."""
    from bench.synth import generate, write_sources
    from saferkg.settings import Settings

    data = work / f"synth-{documents}"
    sources = data / "sources.toml"
    env["SAFERKG_SOURCES"] = str(sources)
    if not (data / "index").exists() or not (data / "graph").exists():
        data.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        specs = generate(data, partners=partners, documents=documents)
        write_sources(sources, specs)
        # The curated structure names the bundled partners: keep them beside the synthetic ones.
        bundled = Settings().sources.read_text(encoding="utf-8")
        sources.write_text(bundled + "\n" + sources.read_text(encoding="utf-8"), encoding="utf-8")
        print(f"generated {documents} documents in {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        run_cli(data, env, "build")
        print(f"built graph and index in {time.perf_counter() - t:.1f} s", flush=True)
    return data


class Server:
    """``saferkg serve`` as a child process."""

    def __init__(self, data: Path, env: dict[str, str], threads: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                *CLI,
                "--data",
                str(data),
                "serve",
                "--port",
                str(self.port),
                "--threads",
                str(threads),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/api/about", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("the server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def scenario(
    base: str,
    paths: list[str],
    *,
    concurrency: int,
    requests: int,
    seconds: float,
    warm: int | None = None,
) -> dict[str, Any]:
    """Send ``requests`` GETs (cycling through ``paths``) from ``concurrency`` threads."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.perf_counter() < stop_at:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                path = paths[i % len(paths)]
                t = time.perf_counter()
                try:
                    ok = client.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(took)
                    errors += 0 if ok else 1

    # Warm up: the first requests open the graph and the searcher (and fill caches when
    # the scenario repeats its paths).
    with httpx.Client(base_url=base, timeout=60) as c:
        for p in paths[: warm or 0]:
            c.get(p)
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0

    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(wall, 2),
        "rps": round(len(latencies) / wall, 1) if wall else 0,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0,
        "p95_ms": round(pct(95), 1),
        "p99_ms": round(pct(99), 1),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, help="A built data directory (crawl + build done).")
    ap.add_argument("--synth", type=int, help="Generate this many synthetic documents instead.")
    ap.add_argument("--partners", type=int, default=350, help="Synthetic partners (with --synth).")
    ap.add_argument(
        "--work", type=Path, default=Path("/tmp/saferkg-load"), help="Where --synth data goes."
    )
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--requests", type=int, default=2000, help="Most requests per scenario.")
    ap.add_argument("--seconds", type=float, default=30.0, help="Most seconds per scenario.")
    ap.add_argument("--threads", type=int, default=8, help="Server worker threads.")
    args = ap.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFERKG_")}
    if args.synth:
        data = prepare_synth(args.work, args.synth, args.partners, env)
    elif args.data:
        data = args.data
    else:
        ap.error("give --data DIR or --synth N")
    server = Server(data, env, args.threads)
    try:
        rng = random.Random(0)
        searches = [f"/api/search?q={q.replace(' ', '+')}" for q in QUERIES]
        searches += [f"/?q={q.replace(' ', '+')}&page=2" for q in rng.sample(QUERIES, 4)]
        words = sorted({w for q in QUERIES for w in q.split()} | set(EXTRA_WORDS))
        pairs = [f"{a}+{b}" for a in words for b in words if a != b]
        rng.shuffle(pairs)
        distinct = [f"/api/search?q={p}" for p in pairs]
        # (paths, how many to request before timing: all of a repeating set, none of a distinct one)
        scenarios = {
            "search, 20 repeated queries (API + HTML)": (searches, len(searches)),
            "search, distinct two-word queries (API)": (distinct, 0),
            "matrix page 1 (HTML)": (["/priorities"], 1),
            "matrix page 1 (API)": (["/api/matrix"], 1),
        }
        n_docs = httpx.get(server.base + "/api/about").json()["counts"].get("documents")
        print(
            f"\n{n_docs} documents, concurrency {args.concurrency}, server threads {args.threads}"
        )
        print("| scenario | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
        print("|---|---|---|---|---|---|---|")
        for name, (paths, warm) in scenarios.items():
            r = scenario(
                server.base,
                paths,
                concurrency=args.concurrency,
                requests=args.requests,
                seconds=args.seconds,
                warm=warm,
            )
            print(
                f"| {name} | {r['requests']} | {r['errors']} | {r['rps']} | {r['p50_ms']} "
                f"| {r['p95_ms']} | {r['p99_ms']} |",
                flush=True,
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
