"""Extraction speed on one core: HTML documents/s and PDF pages/s.

Reads every HTML page and PDF of the bundled mirror (corpus/sites) plus
synthetic ones: council pages with heavy chrome (about 30 KB each) and a
20-page PDF with headings, bullets and a two-column table (made with
fpdf2). Each set is extracted repeatedly until ``--seconds`` have passed,
and the median of ``--rounds`` rounds is printed.

    python bench/extract.py
    python bench/extract.py --seconds 3 --rounds 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.extract import extract
from ingest.mirror import sniff_type

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "corpus" / "sites"
WORDS = (
    "partnership community safety crime disorder priority reduce harm victims domestic abuse "
    "anti-social behaviour county lines exploitation police council residents strategy plan "
    "delivery theme support prevention vulnerable young people hate incidents reporting"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def synthetic_html(seed: int) -> bytes:
    """A council page: cookie banner, mega menu, breadcrumbs, side navigation, footer, content."""
    rng = random.Random(seed)
    menu = "".join(f'<li><a href="/s/{i}">{_sentence(rng, 2)}</a></li>' for i in range(120))
    side = "".join(f'<li><a href="/side/{i}">{_sentence(rng, 3)}</a></li>' for i in range(30))
    body = []
    for h in range(8):
        body.append(f"<h2>{_sentence(rng, 4)}</h2>")
        for _ in range(4):
            body.append(f"<p>{_sentence(rng, 40)} <a href='/doc/{h}'>more</a></p>")
        items = "".join(f"<li>{_sentence(rng, 8)}</li>" for _ in range(6))
        body.append(f"<ul>{items}</ul>")
    rows = "".join(
        f"<tr><td>{_sentence(rng, 3)}</td><td>{_sentence(rng, 6)}</td></tr>" for _ in range(10)
    )
    body.append(f"<table><tr><th>Priority</th><th>Lead</th></tr>{rows}</table>")
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Community safety plan 2021-2024 | Example Borough Council</title>
<meta property="article:modified_time" content="2021-03-12">
<script>{"var x = 1;" * 200}</script><style>{".a{color:red}" * 200}</style></head>
<body><div class="cookie-banner"><p>{_sentence(rng, 30)}</p><button>Accept</button></div>
<header><nav><ul>{menu}</ul></nav></header>
<nav class="breadcrumb"><a href="/">Home</a> <a href="/community">Community</a></nav>
<div id="wrap"><aside><ul>{side}</ul></aside><main><h1>Community safety plan</h1>
{"".join(body)}</main></div>
<footer><p>Page last updated 3 June 2021</p><ul>{menu[:3000]}</ul></footer></body></html>"""
    return page.encode("utf-8")


def synthetic_pdf(pages: int = 20) -> bytes:
    """A strategy PDF with headings, paragraphs, bullets and a two-column table on each page."""
    from fpdf import FPDF  # a test dependency: only the benchmark needs it

    rng = random.Random(7)
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_title("Synthetic Community Safety Strategy 2021-2024")
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 15)
        pdf.cell(0, 8, f"{n}. {_sentence(rng, 3)}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10.5)
        for _ in range(2):
            pdf.multi_cell(0, 5.2, _sentence(rng, 70), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        for _ in range(5):
            pdf.multi_cell(0, 5.2, "\u2022 " + _sentence(rng, 18), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        with pdf.table(col_widths=(60, 110), first_row_as_headings=True) as table:
            for _ in range(5):
                row = table.row()
                row.cell(_sentence(rng, 3))
                row.cell(_sentence(rng, 8))
    return bytes(pdf.output())


def _corpus() -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    html: list[tuple[str, bytes]] = []
    pdf: list[tuple[str, bytes]] = []
    if SITES.is_dir():
        for path in sorted(SITES.rglob("*")):
            if not path.is_file() or path.name == "robots.txt":
                continue
            body = path.read_bytes()
            url = "https://" + path.relative_to(SITES).as_posix()
            kind = sniff_type(body, "", path.name)
            if kind == "text/html":
                html.append((url, body))
            elif kind == "application/pdf":
                pdf.append((url, body))
    return html, pdf


def _rate(
    docs: list[tuple[str, bytes]], unit: Callable[[str, bytes], int], seconds: float
) -> float:
    """Units per second over repeated passes of ``docs`` lasting at least ``seconds``."""
    done = 0
    start = time.perf_counter()
    while True:
        for url, body in docs:
            done += unit(url, body)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def _one_doc(url: str, body: bytes) -> int:
    extract(body, url)
    return 1


def _pages(url: str, body: bytes) -> int:
    return extract(body, url).pages or 0


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median is printed")
    args = parser.parse_args(argv)

    corpus_html, corpus_pdf = _corpus()
    synth_html = [(f"https://www.example.gov.uk/page/{i}", synthetic_html(i)) for i in range(20)]
    synth_pdf = [("https://www.example.gov.uk/strategy.pdf", synthetic_pdf())]
    sets = [
        ("corpus HTML", corpus_html, _one_doc, "documents/s"),
        ("synthetic HTML (heavy chrome)", synth_html, _one_doc, "documents/s"),
        ("corpus PDF", corpus_pdf, _pages, "pages/s"),
        ("synthetic PDF (20 pages)", synth_pdf, _pages, "pages/s"),
    ]
    for name, docs, unit, label in sets:
        if not docs:
            print(f"{name:40s} (none found)")
            continue
        size = sum(len(b) for _, b in docs) / len(docs) / 1024
        rates = [_rate(docs, unit, args.seconds) for _ in range(args.rounds)]
        print(
            f"{name:40s} {statistics.median(rates):8.1f} {label:12s}"
            f" ({len(docs)} files, mean {size:.0f} KB; rounds: {', '.join(f'{r:.0f}' for r in rates)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
