"""Fixtures shared by the search tests: hand-made documents in a real store, and the bundled corpus."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.model import Document, Section
from ingest.store import Store

PARTNERS = {
    "safer-town": {"name": "Safer Town Partnership", "type": "CSP"},
    "county": {"name": "County Council", "type": "County council"},
    "opcc": {"name": "Police and Crime Commissioner", "type": "OPCC"},
}


def make_doc(
    url: str,
    partner: str,
    title: str,
    sections: list[tuple[str, list[str]]],
    *,
    kind: str = "html",
    period: str | None = None,
    published: str | None = None,
) -> Document:
    """A document with one section per (heading, paragraphs)."""
    start = end = None
    if period:
        a, b = period.split("-")
        start, end = int(a), int(b)
    doc = Document(
        url=url,
        partner=partner,
        title=title,
        kind=kind,
        fetched_at="2024-05-01T10:00:00+00:00",
        published=published,
        period=period,
        period_start=start,
        period_end=end,
        sections=[Section(h, 2, paragraphs=list(ps)) for h, ps in sections],
    )
    doc.content_hash = hashlib.sha256(doc.to_json().encode()).hexdigest()
    return doc


def sample_docs() -> list[Document]:
    """A handful of partner documents about the usual themes."""
    return [
        make_doc(
            "https://town.example/plan",
            "safer-town",
            "Community Safety Plan 2021-2024",
            [
                ("Our priorities", ["Reduce anti-social behaviour in the town centre."]),
                ("Domestic abuse", ["Increase reporting of domestic abuse and support victims."]),
                ("County lines", ["Disrupt county lines drug dealing with the police."]),
            ],
            period="2021-2024",
        ),
        make_doc(
            "https://town.example/minutes.pdf",
            "safer-town",
            "Partnership minutes",
            [
                ("Matters arising", ["The board noted the county lines briefing."]),
                ("Any other business", ["<script>alert('x')</script> was found in a form."]),
            ],
            kind="pdf",
            published="2019-03-12",
        ),
        make_doc(
            "https://county.example/strategy.pdf",
            "county",
            "County Community Safety Strategy",
            [
                ("Introduction", ["The strategy sets county-wide priorities."]),
                ("ASB", ["ASB case reviews are handled by the Sentinel system."]),
                ("Hate", ["Encourage hate incidents reporting through third-party centres."]),
            ],
            kind="pdf",
            period="2019-2021",
        ),
        make_doc(
            "https://opcc.example/governance.pdf",
            "opcc",
            "Governance of community safety",
            [
                ("People Zones", ["People Zones bring residents and agencies together."]),
                ("Joint Action Groups", ["JAGs escalate issues to the CSP."]),
            ],
            kind="pdf",
            published="2018-12-10",
        ),
    ]


def fill_store(data_dir: Path, docs: list[Document]) -> Path:
    """Save documents into a real store file in ``data_dir``; returns the data dir."""
    with Store.open(data_dir) as store:
        for d in docs:
            store.save_document(d)
    return data_dir


@pytest.fixture(scope="session")
def thesaurus():  # type: ignore[no-untyped-def]
    from graph.themes import Thesaurus

    return Thesaurus.load()


@pytest.fixture(scope="session")
def corpus_data(tmp_path_factory: pytest.TempPathFactory, thesaurus) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """The bundled corpus crawled offline from the mirror, then indexed: a data directory."""
    from saferkg.cli import main

    data = tmp_path_factory.mktemp("corpus") / "data"
    runner = CliRunner()
    crawl = runner.invoke(main, ["--data", str(data), "crawl"])
    if crawl.exit_code != 0 or not Store.open(data).counts()["documents"]:
        pytest.skip(f"the offline crawl of the bundled corpus did not run: {crawl.output[-300:]}")
    index = runner.invoke(main, ["--data", str(data), "index", "--rebuild"])
    assert index.exit_code == 0, index.output
    yield data
