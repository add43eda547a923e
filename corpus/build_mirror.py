"""Regenerate the offline mirror ``corpus/sites`` from the text sources in ``corpus/text``.

    python corpus/build_mirror.py            # rewrite corpus/sites
    python corpus/build_mirror.py --out DIR  # write the mirror somewhere else

Each source file is a small header (``key: value`` lines between ``---``
markers: ``url``, ``format`` html or pdf, ``title``, ``published``, ...)
followed by a light markdown body:

- ``#``, ``##``, ``###``, ``####`` headings;
- ``- item`` bullets, ``1. item`` numbered items, ``a) item`` lettered items,
  indented by two spaces per nesting level; a following line that starts no
  new block continues the item;
- ``| a | b |`` table rows (the first row is the header; ``|---|`` rows are skipped);
- ``[text](url)`` links (rendered as anchors in HTML, as text in PDF);
- ``::: pagebreak`` starts a new PDF page; ``::: note text`` is a small print line;
- anything else is a paragraph; blank lines separate blocks.

The output is deterministic: the same sources give the same bytes (PDF dates
and IDs are fixed from the ``published`` date). Files go where
``ingest.mirror.url_to_path`` says, so the fetcher that reads the mirror and
this writer never disagree.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project packages importable
    sys.path.insert(0, str(ROOT))

from render_html import render_html  # noqa: E402
from render_pdf import render_pdf  # noqa: E402
from source_text import Source, load_sources  # noqa: E402

from ingest.mirror import url_to_path  # noqa: E402

CORPUS = Path(__file__).resolve().parent
TEXT_DIR = CORPUS / "text"
SITES_DIR = CORPUS / "sites"


def render(src: Source) -> bytes:
    """The bytes of one source as published."""
    fmt = src.meta["format"]
    if fmt == "html":
        return render_html(src)
    if fmt == "pdf":
        return render_pdf(src)
    if fmt == "text":  # robots.txt and other plain files: the body verbatim
        return (src.path.read_text(encoding="utf-8").split("\n---\n", 1)[1].lstrip("\n")).encode(
            "utf-8"
        )
    raise ValueError(f"{src.path}: unknown format {fmt!r}")


def build(out_dir: Path = SITES_DIR, text_dir: Path = TEXT_DIR) -> dict[str, Path]:
    """Write the whole mirror into ``out_dir`` (emptied first); returns url -> file."""
    sources = load_sources(text_dir)
    written: dict[str, Path] = {}
    targets: dict[str, str] = {}
    for src in sources:
        rel = url_to_path(src.url)
        if rel in targets:
            raise ValueError(f"{src.path}: {src.url} maps to {rel}, as {targets[rel]} does")
        targets[rel] = src.path.name
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for src in sources:
        target = out_dir / url_to_path(src.url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render(src))
        written[src.url] = target
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: rebuild the mirror."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=SITES_DIR, help="output directory (default: corpus/sites)"
    )
    parser.add_argument(
        "--text", type=Path, default=TEXT_DIR, help="text sources (default: corpus/text)"
    )
    args: Any = parser.parse_args(argv)
    written = build(args.out, args.text)
    total = sum(p.stat().st_size for p in written.values())
    print(f"wrote {len(written)} files ({total / 1024:.0f} KiB) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
