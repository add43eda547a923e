"""Dates and plan periods found in free text.

Plans name their period in many ways ("2021-2024", "2021–24", "2021/22 -
2023/24", "2021 to 2024", "2017-20"); pages and reports write dates as
"12 March 2021", "17th December 2019", "12/03/2021" (day first, UK) or ISO.

    >>> find_period("Community Safety Plan 2021–24")
    Period(label='2021–24', start=2021, end=2024)
    >>> parse_date("17th December 2019")
    '2019-12-17'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, NamedTuple

from .model import Document, Link, Section

MIN_YEAR = 1990
MAX_YEAR = 2100
MAX_SPAN = 10  # no partnership plan runs longer than this; longer spans are something else

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"


class Period(NamedTuple):
    """A plan period as written, with its first and last year."""

    label: str
    start: int
    end: int


_YEAR = r"(?:19|20)\d\d"
_DASH = r"\s*(?:-|–|—|‐|‑|to|until|till)\s*"
# "2021/22 - 2023/24" and "2021/2022 to 2023/2024": financial years
_FY_RANGE = re.compile(
    rf"(?<![\d/])(?P<a>{_YEAR})\s*/\s*(?:\d\d|{_YEAR}){_DASH}(?P<b>{_YEAR})\s*/\s*(?P<bb>\d\d(?:\d\d)?)(?![\d/])",
    re.IGNORECASE,
)
# "2021-2024", "2021 – 24", "2021 to 2024", "2017-20"
_RANGE = re.compile(
    rf"(?<![\d/£$.,])(?P<a>{_YEAR}){_DASH}(?P<b>{_YEAR}|\d\d)(?![\d/%]|\.\d)",
    re.IGNORECASE,
)
# a single financial year "2021/22" is a one-year plan
_FY = re.compile(rf"(?<![\d/])(?P<a>{_YEAR})\s*/\s*(?P<b>\d\d)(?![\d/])")


def _full_year(start: int, end_text: str) -> int:
    """Expand a two-digit end year relative to the start year."""
    if len(end_text) == 4:
        return int(end_text)
    end = start // 100 * 100 + int(end_text)
    if end < start:
        end += 100
    return end


def _plausible(start: int, end: int) -> bool:
    return MIN_YEAR <= start <= end <= MAX_YEAR and end - start <= MAX_SPAN


def _periods_in(text: str) -> list[tuple[int, Period]]:
    """Every plausible period in one text, with its offset."""
    found: list[tuple[int, Period]] = []
    taken: list[tuple[int, int]] = []
    for m in _FY_RANGE.finditer(text):
        start = int(m.group("a"))
        last_fy_start = int(m.group("b"))
        end = _full_year(last_fy_start, m.group("bb"))
        if _plausible(start, end):
            found.append((m.start(), Period(m.group(0).strip(), start, end)))
            taken.append(m.span())
    # a range ("2017-20") spans years; a lone financial year ("2021/22") exactly one
    rules: tuple[tuple[re.Pattern[str], Callable[[int, int], bool]], ...] = (
        (_RANGE, lambda start, end: start != end),
        (_FY, lambda start, end: end == start + 1),
    )
    for pattern, fits in rules:
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            start = int(m.group("a"))
            end = _full_year(start, m.group("b"))
            if fits(start, end) and _plausible(start, end):
                found.append((m.start(), Period(m.group(0).strip(), start, end)))
                taken.append(m.span())
    found.sort(key=lambda x: x[0])
    return found


def find_period(text: str | None) -> Period | None:
    """The first plausible plan period written in ``text``, or None."""
    if not text:
        return None
    found = _periods_in(text)
    # a range beats a lone financial year mentioned earlier ("2020/21 results ... plan 2021-2024")
    ranges = [p for _, p in found if p.end - p.start >= 2]
    if ranges:
        return ranges[0]
    return found[0][1] if found else None


def find_period_in(texts: Iterable[str | None]) -> Period | None:
    """The period from the first text that has one: pass title, headings, then body."""
    for text in texts:
        period = find_period(text)
        if period:
            return period
    return None


_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH},?\s+(?P<year>{_YEAR})\b",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,\s*(?P<year>{_YEAR})\b", re.IGNORECASE
)
_ISO = re.compile(rf"\b(?P<year>{_YEAR})-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?![\d])")
_NUMERIC = re.compile(rf"\b(?P<day>[0-3]?\d)[/.](?P<month>[01]?\d)[/.](?P<year>{_YEAR})\b")
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(?P<year>{_YEAR})\b", re.IGNORECASE)


def _iso(year: int, month: int, day: int) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _month(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")]


def find_dates(text: str | None) -> list[str]:
    """Every date written in ``text``, as ISO strings, in order of appearance."""
    if not text:
        return []
    # an impossible date ("31 February 2020") still claims its span, so that
    # "February 2020" inside it is not read as a date of its own
    hits: list[tuple[int, int, str | None]] = []

    def add(m: re.Match[str], value: str | None) -> None:
        if not any(a <= m.start() < b or m.start() <= a < m.end() for a, b, _ in hits):
            hits.append((m.start(), m.end(), value))

    for m in _ISO.finditer(text):
        add(m, _iso(int(m["year"]), int(m["month"]), int(m["day"])))
    for m in _DAY_MONTH_YEAR.finditer(text):
        add(m, _iso(int(m["year"]), _month(m["month"]), int(m["day"])))
    for m in _MONTH_DAY_YEAR.finditer(text):
        add(m, _iso(int(m["year"]), _month(m["month"]), int(m["day"])))
    for m in _NUMERIC.finditer(text):
        add(m, _iso(int(m["year"]), int(m["month"]), int(m["day"])))
    for m in _MONTH_YEAR.finditer(text):
        add(m, _iso(int(m["year"]), _month(m["month"]), 1))
    hits.sort(key=lambda h: h[0])
    return [v for _, _, v in hits if v]


def parse_date(text: str | None) -> str | None:
    """The first date in ``text`` as ISO YYYY-MM-DD (a month alone gives its 1st), or None."""
    found = find_dates(text)
    return found[0] if found else None


def set_plan_period(doc: Document) -> None:
    """Give a document its own period: from its title, its headings, then its opening paragraphs."""
    headings = [s.heading for s in doc.sections if s.heading]
    period = find_period_in([doc.title, *headings, doc.lead()])
    if period:
        doc.period, doc.period_start, doc.period_end = period


#: The content type each extractor's documents carry until the sniffed type replaces it.
CONTENT_TYPES = {"html": "text/html", "pdf": "application/pdf"}


def dated_document(
    kind: str,
    url: str,
    title: str,
    dates: tuple[str | None, str | None],
    sections: list[Section],
    links: list[Link],
    **fields: Any,
) -> Document:
    """An extractor's Document (``dates`` is published, updated) with its plan period set."""
    doc = Document(url=url, title=title, kind=kind, sections=sections, links=links, **fields)
    doc.published, doc.updated = dates
    doc.content_type = CONTENT_TYPES[kind]
    set_plan_period(doc)
    return doc
