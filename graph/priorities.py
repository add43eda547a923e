"""What a document is, and the priority statements of the plans among them.

``analyse(doc, thesaurus, today=...)`` classifies a document (strategy, plan,
minutes, report...), works out its period and whether that period is current,
and for plans only finds the priority statements, generically:

- list items and table rows under a lead-in paragraph that names priorities,
  themes, objectives, outcomes or aims ("The 4 strategic priorities for X
  are:", "our priorities are as follows:");
- lists and tables in a section whose heading names them ("Our priorities",
  "Cross cutting themes");
- sub-headings under such a heading ("Delivery themes" > "Serious violence"):
  each sub-heading is a priority and the list items under it its sub-themes;
- numbered headings or lines "Priority 1: ...", "Objective 2 - ...".

Lists that are plainly something else (members, contacts, statutory duties,
recommendations, links) are skipped. A priority that no theme matches is kept
with ``themes == []``.

Classification and the status rule live in graph.doctypes.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from graph.doctypes import PLAN_TYPES, classify, status_of
from graph.themes import ThemeMatch, Thesaurus
from ingest.dates import find_period
from ingest.model import Document, Section

# -- the result ---------------------------------------------------------------


@dataclass
class Priority:
    """One priority statement of a plan, with the passage that says so."""

    text: str
    order: int
    group: str
    level: str
    passage: str
    section: str | None = None
    page: int | None = None
    themes: list[ThemeMatch] = field(default_factory=list)
    themes_from: str | None = None  # "item" | "item+group" | None when nothing matched
    parent: str | None = None

    @property
    def theme_ids(self) -> list[str]:
        """Distinct theme ids, in order of appearance."""
        return list(dict.fromkeys(m.theme_id for m in self.themes))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["theme_ids"] = self.theme_ids
        return d


@dataclass
class StrategyInfo:
    """What ``analyse`` knows about a document."""

    url: str
    partner: str
    title: str
    doc_type: str
    is_plan: bool
    period: str | None
    period_start: int | None
    period_end: int | None
    status: str
    priorities: list[Priority] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["priorities"] = [p.to_dict() for p in self.priorities]
        return d


# -- finding priorities -------------------------------------------------------

_KEYWORDS = (
    r"priorit(?:y|ies)|themes?|objectives?|outcomes?|aims?|goals?|workstreams?|work-streams?"
    r"|what we will do|focus areas?|areas of focus|ambitions?"
)
_KEYWORD = re.compile(rf"\b(?:{_KEYWORDS})\b", re.I)
# A lead-in announces a list: it ends with a colon, a dash or "are as follows".
_LEAD_END = re.compile(
    r"(?::|-|–|—|\bas follows\.?|\bare|\binclude|\bincludes|\bidentified as|\bbe)\s*$", re.I
)
_EXCLUDE = re.compile(
    r"statutory (?:requirement|duty|duties)|\brecommend|\bcontacts?\b|\bmembers?\b|\bmembership\b"
    r"|\battendees\b|responsible authorities|co-?operating bodies|\blinks?\b|\bnavigation\b"
    r"|further information|useful|\bglossary\b|\babbreviations\b|\breferences\b|\bwe expect\b"
    r"|\bbackground papers\b|\bappendices\b|\bin particular\b|\bnational priorities\b"
    r"|\bachievements?\b|\bsuccesses\b|\bdeclarations?\b|\bapologies\b",
    re.I,
)
_NUMBERED = re.compile(
    r"^\s*(?:(?P<kind>strategic priority|priority|objective|outcome|aim|theme|goal)\s*"
    r"(?P<num>\d{1,2}|[ivx]{1,4}|one|two|three|four|five|six|seven|eight|nine|ten)\b)\s*"
    r"[:.)\-–—]?\s*(?P<rest>.*)$",
    re.I,
)
_BULLET = re.compile(r"^\s*(?:[•●▪■◦○·\x7f\uf0b7\uf0a7*]|-\s|–\s|\d{1,2}[.)]\s|[a-h][.)]\s)\s*")
_NOT_AN_ITEM = re.compile(r"@|https?://|www\.|\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\btel\b", re.I)
_TRAILING = re.compile(r"(?:\s*[;,]\s*(?:and|or)?|\s+(?:and|or))\s*$", re.I)
_HEADER_CELL = re.compile(
    rf"^(?:{_KEYWORDS}|lead|leads?|actions?|measures?|owner|by when|timescale|rag|status|"
    r"how we will.*|what.*|why.*|key.*|area|ref|no\.?|#)$",
    re.I,
)
_MAX_ITEM_WORDS = 60


def _clean(text: str) -> str:
    return " ".join(text.split())


def _item_text(raw: str) -> str:
    """An item as written, whitespace-normalised, without list separators ("; and")."""
    t = _clean(raw)
    t = _TRAILING.sub("", t)
    return t.rstrip(";,").strip()


def _last_sentence(para: str) -> str:
    p = _clean(para)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", p)
    return parts[-1] if parts else p


def _is_lead_in(para: str) -> bool:
    s = _last_sentence(para)
    return bool(_KEYWORD.search(s) and _LEAD_END.search(s) and not _EXCLUDE.search(s))


def _group_of_lead(sentence: str) -> str:
    g = re.sub(
        r"\s*(?:are as follows|are|include|includes|identified as|be)?\s*[:\-–—.]*\s*$",
        "",
        sentence,
        flags=re.I,
    )
    return g or sentence


#: What a heading or lead-in names -> the level of its items; the first that matches wins.
_LEVELS = [
    (re.compile(p), level)
    for p, level in (
        (r"cross[- ]?cutting", "cross-cutting"),
        (r"\bsub[- ]?themes?\b", "sub-theme"),
        (r"\bpriorit(?:y|ies)\b", "strategic"),
        (r"\bthemes?\b", "theme"),
        (r"\bobjectives?\b", "objective"),
        (r"\boutcomes?\b", "outcome"),
        (r"\bwork-?streams?\b", "workstream"),
        (r"\b(?:aims?|goals?|ambitions?)\b", "aim"),
    )
]


def _level_for(text: str) -> str | None:
    """The level a heading or lead-in gives its items; None when it names none."""
    t = text.lower()
    return next((level for pattern, level in _LEVELS if pattern.search(t)), None)


class _Finder:
    """Walks a plan's sections and collects its priorities."""

    def __init__(self, doc: Document, thesaurus: Thesaurus) -> None:
        self.doc = doc
        self.th = thesaurus
        self.out: list[Priority] = []
        self.seen: set[tuple[str, str]] = set()

    def add(
        self,
        text: str,
        *,
        order: int,
        group: str,
        level: str,
        passage: str,
        section: Section,
        parent: str | None = None,
        context: str | None = None,
    ) -> None:
        text = _item_text(text)
        if not text or _NOT_AN_ITEM.search(text) or len(text.split()) > _MAX_ITEM_WORDS:
            return
        key = (group, text)
        if key in self.seen:
            return
        self.seen.add(key)
        themes = self.th.match(text)
        source: str | None = "item" if themes else None
        if not themes and context:
            themes = self.th.match(f"{text}\n{context}")
            source = "item+group" if themes else None
        self.out.append(
            Priority(
                text=text,
                order=order,
                group=group,
                level=level,
                passage=passage,
                section=section.heading,
                page=section.page,
                themes=themes,
                themes_from=source,
                parent=parent,
            )
        )

    def run(self) -> list[Priority]:
        sections = self.doc.sections
        consumed: set[int] = set()  # sections read as sub-headings of a themes heading
        for i, sec in enumerate(sections):
            if i in consumed:
                continue
            heading = _clean(sec.heading or "")
            if self._numbered(sec, heading):
                continue
            heading_names = bool(
                heading and _KEYWORD.search(heading) and not _EXCLUDE.search(heading)
            )
            self._blocks(sec, heading, heading_names)
            if heading_names and not any(b["type"] in ("list", "table") for b in sec.blocks):
                consumed |= self._sub_headings(i, heading)
        return self.out

    def _numbered(self, sec: Section, heading: str) -> bool:
        """A heading "Priority 1: Safer streets" is itself a priority."""
        m = _NUMBERED.match(heading) if heading else None
        if not m:
            return False
        rest = m.group("rest").strip()
        if not rest:
            paras = sec.paragraphs
            rest = _clean(paras[0]) if paras else ""
        if not rest:
            return False
        num = m.group("num")
        order = int(num) if num.isdigit() else len(self.out) + 1
        kind = m.group("kind")
        group = self._parent_heading(sec) or kind.title()
        self.add(
            rest,
            order=order,
            group=group,
            level=_level_for(kind) or "strategic",
            passage=heading if m.group("rest").strip() else f"{heading}\n{rest}",
            section=sec,
        )
        return True

    def _parent_heading(self, sec: Section) -> str | None:
        idx = self.doc.sections.index(sec)
        for s in reversed(self.doc.sections[:idx]):
            if s.heading and s.level < sec.level:
                return _clean(s.heading)
        return None

    def _blocks(self, sec: Section, heading: str, heading_names: bool) -> None:
        blocks = sec.blocks
        lead: str | None = None  # the lead-in sentence just before, if any
        lead_blocked = False  # the paragraph just before announces something else
        j = 0
        while j < len(blocks):
            b = blocks[j]
            if b["type"] == "p":
                text = b["text"]
                m = _NUMBERED.match(_clean(text))
                if m and m.group("rest").strip() and len(text) < 400:
                    num = m.group("num")
                    self.add(
                        m.group("rest"),
                        order=int(num) if num.isdigit() else len(self.out) + 1,
                        group=heading or m.group("kind").title(),
                        level=_level_for(m.group("kind")) or "strategic",
                        passage=_clean(text),
                        section=sec,
                    )
                    lead, lead_blocked = None, False
                    j += 1
                    continue
                # Bullet lines kept as paragraphs (PDF text) after a lead-in.
                if lead and _BULLET.match(text):
                    run = []
                    while (
                        j < len(blocks)
                        and blocks[j]["type"] == "p"
                        and _BULLET.match(blocks[j]["text"])
                    ):
                        run.append(_BULLET.sub("", blocks[j]["text"], count=1))
                        j += 1
                    self._items(run, lead, sec, heading, lead_is_heading=False)
                    lead, lead_blocked = None, False
                    continue
                last = _last_sentence(text)
                if _is_lead_in(text):
                    lead, lead_blocked = last, False
                else:
                    lead = None
                    # a colon-ended paragraph announces a list of something else
                    lead_blocked = bool(_LEAD_END.search(last) and not last.endswith(".")) or bool(
                        _EXCLUDE.search(last)
                    )
                j += 1
                continue
            if b["type"] in ("list", "table"):
                if lead:
                    source, is_heading = lead, False
                elif heading_names and not lead_blocked:
                    source, is_heading = heading, True
                else:
                    source = None
                    is_heading = False
                if source:
                    if b["type"] == "list":
                        self._items(
                            list(b["items"]), source, sec, heading, lead_is_heading=is_heading
                        )
                    else:
                        self._rows(b["rows"], source, sec, heading, lead_is_heading=is_heading)
                lead, lead_blocked = None, False
            j += 1

    def _items(
        self, items: list[str], lead: str, sec: Section, heading: str, *, lead_is_heading: bool
    ) -> None:
        group = lead if lead_is_heading else _group_of_lead(lead)
        # the lead-in says what its list is; the heading only when it does not
        level = _level_for(group) or _level_for(heading) or "strategic"
        entries = [(raw, _clean(raw)) for raw in items if _clean(raw)]
        self._add_all(entries, lead=lead, group=group, level=level, sec=sec)

    def _add_all(
        self, entries: list[tuple[str, str]], *, lead: str, group: str, level: str, sec: Section
    ) -> None:
        """Each (statement, what its item says in full) as a priority, numbered under ``lead``."""
        for order, (text, said) in enumerate(entries, 1):
            self.add(
                text,
                order=order,
                group=group,
                level=level,
                passage=f"{lead}\n{said}",
                section=sec,
                context=group,
            )

    def _rows(
        self, rows: list[list[str]], lead: str, sec: Section, heading: str, *, lead_is_heading: bool
    ) -> None:
        rows = [r for r in rows if any(_clean(c) for c in r)]
        if not rows:
            return
        col = 0
        cells = [_clean(c) for c in rows[0]]
        if any(cells) and all(not c or _HEADER_CELL.match(c) for c in cells):
            col = next((k for k, c in enumerate(cells) if c and _KEYWORD.search(c)), 0)
            rows = rows[1:]
        else:
            cells = []
        group = lead if lead_is_heading else _group_of_lead(lead)
        named = cells[col] if cells else ""
        level = _level_for(named) or _level_for(group) or _level_for(heading) or "strategic"
        entries = []
        for r in rows:
            text = _clean(r[col]) if col < len(r) else ""
            if not text:
                text = next((_clean(c) for c in r if _clean(c)), "")
            if text:
                entries.append((text, " | ".join(_clean(c) for c in r if _clean(c))))
        self._add_all(entries, lead=lead, group=group, level=level, sec=sec)

    def _sub_headings(self, i: int, heading: str) -> set[int]:
        """Sub-headings under a "Themes" heading: each a priority, its list items sub-themes."""
        sections = self.doc.sections
        top = sections[i]
        keep_items = bool(re.search(r"\bthemes?\b|\bpriorit", heading, re.I))
        consumed: set[int] = set()
        below: list[int] = []
        for k in range(i + 1, len(sections)):
            if sections[k].heading and sections[k].level <= top.level:
                break
            below.append(k)
        child_level = min((sections[k].level for k in below if sections[k].heading), default=0)
        order = 0
        for k in below:
            sub = sections[k]
            consumed.add(k)
            if not sub.heading or sub.level != child_level:
                continue  # deeper headings belong to the sub-heading above them
            order += 1
            title = _clean(sub.heading)
            self.add(
                title,
                order=order,
                group=heading,
                level=_level_for(heading) or "theme",
                passage=f"{heading}\n{title}",
                section=sub,
            )
            if not keep_items:
                continue
            n = 0
            for item in sub.items:
                if not _clean(item):
                    continue
                n += 1
                self.add(
                    item,
                    order=n,
                    group=f"{heading} > {title}",
                    level="sub-theme",
                    passage=f"{title}\n{_clean(item)}",
                    section=sub,
                    parent=title,
                    context=title,
                )
        return consumed


def analyse(doc: Document, thesaurus: Thesaurus, *, today: date) -> StrategyInfo:
    """Classify a document, date it, and for plans find its priorities and their themes."""
    doc_type = classify(doc)
    title_text = doc.title or ""
    is_plan = doc_type in PLAN_TYPES
    if doc_type == "statement" and not re.search(r"str?ateg", title_text, re.I):
        is_plan = False
    period, start, end = doc.period, doc.period_start, doc.period_end
    if start is None and end is None:
        first_heading = next((s.heading for s in doc.sections if s.heading), "") or ""
        found = find_period(title_text) or find_period(first_heading)
        if found:
            period, start, end = found.label, found.start, found.end
    priorities = _Finder(doc, thesaurus).run() if is_plan else []
    return StrategyInfo(
        url=doc.url,
        partner=doc.partner,
        title=doc.title,
        doc_type=doc_type,
        is_plan=is_plan,
        period=period,
        period_start=start,
        period_end=end,
        status=status_of(start, end, today),
        priorities=priorities,
    )
