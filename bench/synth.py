"""A synthetic corpus: a real Store filled with plausible partner strategies.

Used by the benchmarks (graph build and load, search index) to measure at a
scale well beyond the bundled corpus. Deterministic for a given seed.

    python -m bench.synth /tmp/synth/data --partners 350 --documents 10000
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.model import Document, Link, Section
from ingest.store import Store

# Used when the thesaurus cannot be loaded; the usual labels of community safety themes.
FALLBACK_LABELS = [
    "domestic abuse",
    "anti-social behaviour",
    "ASB",
    "hate crime",
    "hate incidents",
    "county lines",
    "child criminal exploitation",
    "serious violence",
    "knife crime",
    "modern slavery",
    "cyber crime",
    "bullying",
    "alcohol misuse",
    "drug misuse",
    "substance misuse",
    "mental health",
    "sexual violence",
    "reoffending",
    "Prevent",
    "radicalisation",
    "fear of crime",
    "vulnerable people",
    "road safety",
    "fraud and scams",
    "community cohesion",
    "serious and organised crime",
    "violence against women and girls",
    "youth offending",
    "rural crime",
    "burglary",
]

PRIORITY_HEADINGS = [
    "Our priorities",
    "Strategic priorities",
    "Priorities for {period}",
    "Key priorities",
    "What we will focus on",
    "Our delivery themes",
]
VERBS = [
    "Reduce",
    "Tackle",
    "Protect people from",
    "Increase reporting of",
    "Prevent",
    "Respond to",
    "Work together to reduce",
    "Raise awareness of",
]
QUALIFIERS = [
    "",
    " and protect the most vulnerable",
    " in our localities",
    " through early intervention",
    " with partners across the county",
    " and support victims",
]
FILLER = (
    "The partnership brings together the council, police, fire and rescue, probation and "
    "health to work with communities. We share information, commission services and review "
    "our performance every quarter. Residents told us in consultation what matters to them. "
    "This plan sets out how we will keep people safe and how we will measure progress."
).split(". ")
AREA_WORDS = [
    "North",
    "South",
    "East",
    "West",
    "Upper",
    "Lower",
    "Great",
    "Market",
    "Vale",
    "Forest",
    "Bridge",
    "Wold",
    "Heath",
    "Moor",
    "Brook",
]
AREA_TAILS = ["shire", "ton", "ham", "field", "borough", "ford", "ley", "by", "wick", "worth"]
TYPES = ["CSP", "CSP", "CSP", "LocalAuthority", "Police", "Fire", "Health", "Probation", "Board"]


def theme_labels() -> list[str]:
    """Labels to write priorities from: the thesaurus's own, or a fallback list."""
    try:
        from graph.themes import Thesaurus
    except ImportError:
        return list(FALLBACK_LABELS)
    thesaurus = Thesaurus.load()
    labels: list[str] = []
    for theme in thesaurus.themes:
        labels.append(str(getattr(theme, "label", "")))
        labels.extend(str(a) for a in getattr(theme, "alt_labels", ()) or ())
    labels = [label for label in labels if label]
    return labels or list(FALLBACK_LABELS)


def partner_specs(n: int, rng: random.Random) -> list[dict[str, str]]:
    """``n`` partners with unique ids, names, types and home pages."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    while len(out) < n:
        area = rng.choice(AREA_WORDS) + rng.choice(AREA_TAILS).capitalize().lower()
        area = f"{area} {rng.choice(AREA_WORDS)}" if rng.random() < 0.3 else area
        ptype = rng.choice(TYPES)
        pid = f"{area.lower().replace(' ', '-')}-{ptype.lower()}"
        if pid in seen:
            pid = f"{pid}-{len(out)}"
        seen.add(pid)
        name = {
            "CSP": f"Safer {area} Partnership",
            "LocalAuthority": f"{area} District Council",
            "Police": f"{area} Police",
            "Fire": f"{area} Fire and Rescue Service",
            "Health": f"{area} Clinical Commissioning Group",
            "Probation": f"{area} Probation Service",
            "Board": f"{area} Safer Communities Board",
        }[ptype]
        out.append(
            {
                "id": pid,
                "name": name,
                "type": ptype,
                "area": area,
                "homepage": f"https://www.{pid}.example.gov.uk/",
            }
        )
    return out


def _period(rng: random.Random) -> tuple[str, int, int]:
    start = rng.randint(2012, 2024)
    end = start + rng.choice([2, 3, 3, 4])
    sep = rng.choice(["-", " - ", " to "])
    end_text = str(end) if rng.random() < 0.6 else str(end)[2:]
    return f"{start}{sep}{end_text}", start, end


def make_document(
    partner: dict[str, str], index: int, rng: random.Random, labels: list[str], urls: list[str]
) -> Document:
    """One plausible document: a plan with priorities, or a plain page."""
    is_plan = rng.random() < 0.55
    period, start, end = _period(rng)
    kind = "pdf" if rng.random() < 0.4 else "html"
    ext = ".pdf" if kind == "pdf" else "/"
    url = f"{partner['homepage']}community-safety/doc-{index}{ext}"
    sections: list[Section] = []
    if is_plan:
        title = f"{partner['name']} {rng.choice(['Community Safety Plan', 'Strategy', 'Partnership Plan'])} {period}"
        intro = Section("Introduction", 2)
        for _ in range(rng.randint(2, 5)):
            intro.add_paragraph(". ".join(rng.sample(FILLER, 3)) + ".")
        sections.append(intro)
        heading = rng.choice(PRIORITY_HEADINGS).format(period=period)
        prio = Section(heading, 2)
        items = []
        for theme in rng.sample(labels, k=min(len(labels), rng.randint(3, 8))):
            items.append(f"{rng.choice(VERBS)} {theme}{rng.choice(QUALIFIERS)}")
        prio.add_list(items, ordered=rng.random() < 0.5)
        sections.append(prio)
        for item in items[: rng.randint(1, 3)]:
            sub = Section(item, 3)
            sub.add_paragraph(
                f"We will {item[0].lower()}{item[1:]}. " + ". ".join(rng.sample(FILLER, 2)) + "."
            )
            sections.append(sub)
    else:
        title = f"{partner['name']}: {rng.choice(['news', 'meeting minutes', 'about us', 'contact', 'annual report'])} {index}"
        for h in rng.sample(["About", "Meetings", "News", "Contact us", "Reports"], 2):
            s = Section(h, 2)
            for _ in range(rng.randint(1, 4)):
                s.add_paragraph(". ".join(rng.sample(FILLER, 3)) + ".")
            sections.append(s)
    links = [
        Link(url=rng.choice(urls), anchor=f"{rng.choice(AREA_WORDS)} plan {_period(rng)[0]}")
        for _ in range(rng.randint(0, 4))
        if urls
    ]
    body = f"{url}\n{title}".encode()
    day = rng.randint(1, 28)
    return Document(
        url=url,
        partner=partner["id"],
        title=title,
        kind=kind,
        fetched_at=f"2025-01-{day:02d}T10:00:00+00:00",
        published=f"{start}-{rng.randint(1, 12):02d}-{day:02d}",
        period=period if is_plan else None,
        period_start=start if is_plan else None,
        period_end=end if is_plan else None,
        sections=sections,
        links=links,
        content_hash=hashlib.sha256(body).hexdigest(),
        content_type="application/pdf" if kind == "pdf" else "text/html",
        pages=rng.randint(4, 40) if kind == "pdf" else None,
    )


def generate(
    store_path: str | Path, *, partners: int = 350, documents: int = 10_000, seed: int = 0
) -> list[dict[str, str]]:
    """Write a Store (the file at ``store_path``, or a data directory) and return the partners."""
    rng = random.Random(seed)
    labels = theme_labels()
    specs = partner_specs(partners, rng)
    path = Path(store_path)
    store = Store(path) if path.suffix == ".sqlite" else Store.open(path)
    urls: list[str] = []
    try:
        batch: list[Document] = []
        for i in range(documents):
            partner = specs[i % len(specs)]
            doc = make_document(partner, i, rng, labels, urls[-200:])
            urls.append(doc.url)
            batch.append(doc)
        with store.transaction():
            # One transaction: save_document's own transaction would nest, so write rows directly.
            for doc in batch:
                store.db.execute(
                    "INSERT OR REPLACE INTO documents(url, partner, title, kind, content_type, "
                    "fetched_at, published, period, period_start, period_end, content_hash, "
                    "version, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,1,?)",
                    (
                        doc.url,
                        doc.partner,
                        doc.title,
                        doc.kind,
                        doc.content_type,
                        doc.fetched_at,
                        doc.published,
                        doc.period,
                        doc.period_start,
                        doc.period_end,
                        doc.content_hash,
                        doc.to_json(),
                    ),
                )
                store.db.executemany(
                    "INSERT OR IGNORE INTO links(source_url, target_url, anchor, partner, "
                    "in_scope) VALUES (?, ?, ?, ?, 1)",
                    [(doc.url, link.url, link.anchor, doc.partner) for link in doc.links],
                )
    finally:
        store.close()
    return specs


def write_sources(path: str | Path, specs: list[dict[str, str]]) -> None:
    """A sources.toml listing the synthetic partners (for the graph build)."""
    lines: list[str] = []
    for p in specs:
        lines += [
            "[[partner]]",
            f'id = "{p["id"]}"',
            f'name = "{p["name"]}"',
            f'type = "{p["type"]}"',
            f'area = "{p["area"]}"',
            f'homepage = "{p["homepage"]}"',
            f'start = ["{p["homepage"]}community-safety/"]',
            "",
        ]
    Path(path).write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command line: generate a synthetic store (and its sources.toml) in a data directory."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--partners", type=int, default=350)
    ap.add_argument("--documents", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    specs = generate(
        args.data_dir, partners=args.partners, documents=args.documents, seed=args.seed
    )
    write_sources(args.data_dir / "sources.toml", specs)
    print(f"{args.documents} documents from {len(specs)} partners in {args.data_dir}")


if __name__ == "__main__":
    main()
