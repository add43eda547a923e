"""What a document is: a strategy or plan, or minutes, a report, a letter...

``classify(doc)`` reads the title, the first headings and the opening
paragraphs: a cover report that presents a strategy stays a report, an
appendix that is the strategy itself is a plan, and "Strategy Board" or
"Strategy Group" names a body, not a strategy. ``status_of`` says whether a
plan's period is current.

Status rule: a period's end year counts in full, so a plan for "2017-20" is
current up to 31 December 2020 and "ended" from 1 January 2021; a period that
starts after this year is "future"; no period gives "unknown".
"""

from __future__ import annotations

import re
from datetime import date

from ingest.model import Document

PLAN_TYPES = ("strategy", "plan", "agreement", "statement")


# "Strategy Board", "Strategy Group": the name of a body, not a strategy.
_BODY_WORDS = (
    r"\s+(?:board|group|groups|meetings?|officers?|leads?|managers?|team|unit|executive|forum"
    r"|committee|planning group|steering group)\b"
)
# Checked in order against the title, then the first heading: the first kind
# that matches wins, so a report that presents a strategy stays a report.
_TITLE_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("minutes", re.compile(r"\bminutes\b", re.I)),
    ("agenda", re.compile(r"\bagenda\b|\bsummons\b", re.I)),
    ("letter", re.compile(r"^\s*dear\b|\bletter\b", re.I)),
    (
        "report",
        re.compile(
            r"\breport (?:of|to|by|from)\b|\bcover report\b|\bupdate\b|\bbriefing\b"
            r"|\bannual report\b|\bcabinet report\b|^\s*report\b|\breport\s*$",
            re.I,
        ),
    ),
    ("performance", re.compile(r"\bperformance\b|\bdashboard\b|\bscorecard\b", re.I)),
    (
        "agreement",
        re.compile(r"\b(?:community )?safety agreement\b|\bpartnership agreement\b", re.I),
    ),
    (
        "statement",
        re.compile(r"\bstr?ategy statement\b|\bstatement of (?:intent|priorities)\b", re.I),
    ),
    ("strategy", re.compile(rf"\bstr?ateg(?:y|ies)\b(?!{_BODY_WORDS})", re.I)),
    ("plan", re.compile(rf"\bplans?\b(?!{_BODY_WORDS})", re.I)),
]
# First headings and opening paragraphs that make any document a non-plan.
_COVER_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("minutes", re.compile(r"^\s*minutes of\b|\bminutes of (?:a|the) meeting\b", re.I)),
    ("letter", re.compile(r"^\s*dear\b", re.I)),
    (
        "report",
        re.compile(r"^\s*report (?:of|to|by)\b|\bpurpose of (?:the|this) (?:report|paper)\b", re.I),
    ),
]
# Opening paragraphs: only phrases that say what this document itself is.
_LEAD_KINDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "strategy",
        re.compile(
            r"\b(?:this|the|our)(?: \w+){0,3} str?ategy (?:document )?(?:sets out|provides|outlines|describes)\b"
            r"|\bth(?:is|e) (?:is )?str?ategy document\b",
            re.I,
        ),
    ),
    (
        "plan",
        re.compile(
            r"\b(?:this|our)(?: [\w-]+){0,4} plan\b[^.]{0,80}\b(?:sets out|outlines|describes)\b"
            r"|\bsets out our (?:strategic )?priorities\b",
            re.I,
        ),
    ),
]


def classify(doc: Document) -> str:
    """The kind of document: strategy, plan, agreement, statement, minutes, report, ... page, other."""
    headings = [s.heading for s in doc.sections if s.heading][:3]
    openings = _opening_paragraphs(doc)
    title_kind = next((k for k, rx in _TITLE_KINDS if rx.search(doc.title or "")), None)
    if title_kind and title_kind not in PLAN_TYPES:
        return title_kind
    # A cover report names the strategy it presents in its title; its first
    # headings or opening paragraph still say it is a report.
    for text in [*headings, *openings]:
        for kind, rx in _COVER_KINDS:
            if rx.search(text):
                return kind
    if title_kind:
        return title_kind
    for text in headings[:1]:
        for kind, rx in _TITLE_KINDS:
            if rx.search(text):
                return kind
    for para in openings:
        for kind, rx in _LEAD_KINDS:
            if rx.search(para):
                return kind
    return "page" if doc.kind == "html" else "other"


def _opening_paragraphs(doc: Document, n: int = 2) -> list[str]:
    out: list[str] = []
    for s in doc.sections:
        for b in s.blocks:
            if b["type"] == "p" and b["text"].strip():
                out.append(b["text"])
                if len(out) >= n:
                    return out
    return out


def status_of(start: int | None, end: int | None, today: date) -> str:
    """current / ended / future / unknown for a period of years (the end year counts in full)."""
    if start is None and end is None:
        return "unknown"
    if end is not None and end < today.year:
        return "ended"
    if start is not None and start > today.year:
        return "future"
    if end is None:
        return "unknown"
    return "current"
