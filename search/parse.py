"""Turning what an officer typed into a whoosh query.

Cleaning (control characters, length, an unmatched quote), inline filters
(``partner:x``), phrases and thesaurus labels as placeholders the parser
leaves alone, synonyms from the thesaurus, and typo tolerance for words the
index does not know.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from whoosh import query as wq
from whoosh.qparser import MultifieldParser
from whoosh.qparser import plugins as qplugins
from whoosh.searching import Searcher as WhooshSearcher

from .index import exact, stemming, word_pairs

TEXT_FIELDS = ("title", "section", "text")
MAX_QUERY_CHARS = 300
MAX_WORDS = 30

STEM = stemming()
EXACT = exact()
PAIRS = word_pairs()
FILTER = re.compile(r'(?<![\w:])(partner|theme|kind|year):("[^"]*"|[^\s()"]+)', re.IGNORECASE)
TOKEN = re.compile(r'"[^"]*"|[()]|[^\s()"]+')
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
PLACEHOLDER = re.compile(r"zzq(\d+)q")


def normalise(text: str) -> str:
    """The thesaurus's matching form when graph.themes is there, else lower-case words."""
    try:
        from graph.themes import normalise
    except ImportError:  # search works without the graph package
        return " ".join(re.findall(r"\w+", text.lower()))
    return normalise(text)


def synonym_table(thesaurus: Any) -> dict[str, list[str]]:
    """Normalised query words -> the labels they also stand for.

    Only true equivalents: an abbreviation and its theme's label, an alternative
    or misspelt label and the preferred one. Alternative labels are not
    expanded into each other, because a broad theme gathers narrower ideas
    ("People Zones" and "rural crime" both sit under localities).
    """
    themes = getattr(thesaurus, "themes", None)
    if not isinstance(themes, Mapping):
        return {k: list(v) for k, v in thesaurus.synonyms().items()}
    table: dict[str, list[str]] = {}

    def add(name: str, *labels: str) -> None:
        bucket = table.setdefault(normalise(name), [])
        for label in labels:
            if label and label not in bucket:
                bucket.append(label)

    for t in themes.values():
        abbreviations = list(getattr(t, "abbreviations", []))
        add(t.label, t.label, *abbreviations[:1])
        for ab in abbreviations:
            add(ab, ab, t.label)
        for alt in getattr(t, "alt_labels", []):
            add(alt, alt, t.label)
        for hidden in getattr(t, "hidden_labels", []):
            add(hidden, t.label)
    return {k: v for k, v in table.items() if k}


def make_parser(schema: Any) -> MultifieldParser:
    parser = MultifieldParser(list(TEXT_FIELDS), schema)
    for plugin in (
        qplugins.FieldsPlugin,  # field filters are taken out before parsing
        qplugins.RangePlugin,
        qplugins.BoostPlugin,
        qplugins.EveryPlugin,
        qplugins.SingleQuotePlugin,  # apostrophes are part of words here
        qplugins.PhrasePlugin,  # phrases become placeholders for the exact field
    ):
        parser.remove_plugin_class(plugin)
    return parser


def is_word(tok: str) -> bool:
    return tok not in OPERATORS and tok not in "()" and not re.search(r"[*?~\"]", tok)


def clean(q: str, notes: list[str]) -> str:
    """Fold the query to plain searchable text: no control characters, bounded length."""
    text = unicodedata.normalize("NFKC", q)
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") else c for c in text
    )
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
        notes.append(f"query truncated to {MAX_QUERY_CHARS} characters")
    words = text.split()
    if len(words) > MAX_WORDS:
        text = " ".join(words[:MAX_WORDS])
        notes.append(f"query truncated to {MAX_WORDS} words")
    if text.count('"') % 2:
        text = text[::-1].replace('"', "", 1)[::-1]  # drop the unmatched last quote
    return text


def clean_value(v: Any) -> str:
    return str(v).strip().strip('"').strip()


def inline_filters(text: str) -> tuple[str, dict[str, str]]:
    """Take ``partner:x theme:"y z" kind:pdf year:2020`` out of the query text."""
    found: dict[str, str] = {}

    def take(m: re.Match[str]) -> str:
        found.setdefault(m.group(1).lower(), m.group(2).strip('"'))
        return " "

    return " ".join(FILTER.sub(take, text).split()), found


def filter_query(filters: Mapping[str, str]) -> wq.Query | None:
    fields = {"partner": "partner", "theme": "themes", "kind": "kind", "year": "year"}
    terms = [
        wq.Term(fields[k], str(v).lower() if k != "partner" else str(v)) for k, v in filters.items()
    ]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else wq.And(terms)


def analyse(analyzer: Any, text: str) -> list[str]:
    return [t.text for t in analyzer(text)]


def slot_query(fieldname: str, slot: tuple[str, list[str]]) -> wq.Query:
    kind, values = slot
    if kind == "phrase":
        words = analyse(EXACT, values[0])
        if not words:
            return wq.NullQuery
        return wq.Term("exact", words[0]) if len(words) == 1 else wq.Phrase("exact", words)
    alts: list[wq.Query] = []
    for n, label in enumerate(values):
        words = analyse(STEM, label)
        if not words:
            continue
        boost = 1.5 if n == 0 else 0.6
        if len(words) == 1:
            alts.append(wq.Term(fieldname, words[0], boost=boost))
            continue
        if n == 0:  # the user's words also match when not side by side
            alts.append(wq.And([wq.Term(fieldname, w) for w in words]))
        if fieldname == "text":  # once for all fields: the pairs field holds headings too
            alts.append(pairs_query(label, boost))
    return wq.Or(alts) if alts else wq.NullQuery


def pairs_query(text: str, boost: float = 1.0) -> wq.Query:
    """Words side by side, as an AND of adjacent pairs (see search.index.word_pairs)."""
    pairs = analyse(PAIRS, text)
    if not pairs:
        return wq.NullQuery
    if len(pairs) == 1:
        return wq.Term("pairs", pairs[0], boost=boost)
    return wq.And([wq.Term("pairs", p) for p in pairs], boost=boost)


def fuzzy(s: WhooshSearcher, node: wq.Term) -> wq.Query:
    """An unknown word matches its nearest words in the index (typo tolerance)."""
    word = str(node.text)
    if len(word) < 4 or not word.isalpha():
        return node
    close = s.corrector(node.fieldname).suggest(word, limit=3, maxdist=2, prefix=1)
    if not close:
        return node
    return wq.Or([wq.Term(node.fieldname, w, boost=0.9) for w in close])


def text_of(v: Any) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v or "")
