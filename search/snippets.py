"""Highlighted snippets: HTML-escaped text with the matching words in <mark>.

The text is escaped first and only our own <mark> tags are added, so crawled
markup can never reach a page through a snippet.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher as WhooshSearcher

from .parse import STEM, TEXT_FIELDS, analyse, text_of

SNIPPET_CHARS = 220


class Marks:
    """What to mark in a snippet: single stems, and phrases (marked only where they occur whole)."""

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.phrases: set[tuple[str, ...]] = set()

    def spans(self, text: str) -> list[tuple[int, int]]:
        toks = [(t.text, t.startchar, t.endchar) for t in STEM(text, chars=True, removestops=False)]
        marked = [w in self.words for w, _, _ in toks]
        if self.phrases:
            stems = [w for w, _, _ in toks]
            firsts = {p[0] for p in self.phrases}
            for i, w in enumerate(stems):
                if w not in firsts:
                    continue
                for p in self.phrases:
                    if tuple(stems[i : i + len(p)]) == p:
                        for j in range(i, i + len(p)):
                            marked[j] = True
        return [(a, b) for (_, a, b), m in zip(toks, marked, strict=True) if m]


def highlight_terms(s: WhooshSearcher, query: wq.Query | None) -> Marks:
    """The words and phrases the query matches (prefixes and fuzzy terms expanded)."""
    marks = Marks()
    if query is None:
        return marks
    reader = s.reader()
    for leaf in query.leaves():
        if isinstance(leaf, wq.Phrase):
            words = [str(w) for w in leaf.words]
            if leaf.fieldname == "exact":
                words = [st for w in words for st in analyse(STEM, w)]
            if words:
                marks.phrases.add(tuple(words))
            continue
        if isinstance(leaf, wq.Term):
            pairs: Iterable[tuple[str, Any]] = [(leaf.fieldname, leaf.text)]
        else:  # prefix, wildcard, fuzzy: the words of the index they expand to
            pairs = leaf.existing_terms(reader, expand=True)
        for fieldname, term in pairs:
            word = text_of(term)
            if fieldname in TEXT_FIELDS:
                marks.words.add(word)
            elif fieldname == "exact":
                marks.words.update(analyse(STEM, word))
            elif fieldname == "pairs":
                marks.phrases.add(tuple(word.split(" ")))
    return marks


def highlight(text: str, marks: Marks | Iterable[str], width: int = SNIPPET_CHARS) -> str:
    """An HTML-escaped fragment of ``text`` around the matching words, each in <mark>."""
    if not isinstance(marks, Marks):
        words = set(marks)
        marks = Marks()
        marks.words = words
    spans = marks.spans(text)
    if not spans:
        end = len(text) if len(text) <= width else text.rfind(" ", 0, width)
        end = end if end > 0 else width
        return html.escape(text[:end]) + ("…" if end < len(text) else "")
    # The window of `width` characters holding the most matches.
    best, best_n = 0, 0
    for i, (a, _) in enumerate(spans):
        n = sum(1 for x, y in spans[i:] if y <= a + width)
        if n > best_n:
            best, best_n = i, n
    first = spans[best][0]
    start = max(0, first - 40)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", spans[best][1], end)
        end = space if space != -1 else end
    out = ["…" if start else ""]
    pos = start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(html.escape(text[pos:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    out.append(html.escape(text[pos:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)
