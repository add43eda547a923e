"""Querying the index: the reused searcher, ranking, grouping per document, facets.

    >>> searcher = Searcher.open(Path("data/index"), thesaurus=Thesaurus.load())  # doctest: +SKIP
    >>> result = searcher.search("ASB", partner="safer-leicester")                # doctest: +SKIP
    >>> result["hits"][0]["snippet"]                                              # doctest: +SKIP
    'reduce <mark>anti</mark>-<mark>social</mark> <mark>behaviour</mark> ...'

One whoosh searcher is opened and reused; each search checks (cheaply) whether
the index pointer or generation changed and refreshes under a lock. Searches
are serialised by the same lock: whoosh is pure Python, so threads would not
run them in parallel anyway, and its file readers are not documented as
thread-safe.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.qparser import MultifieldParser
from whoosh.qparser.common import QueryParserError
from whoosh.searching import Searcher as WhooshSearcher

from graph.errors import GraphError

from .errors import QueryError
from .index import FileIndex, current_dir, open_index
from .parse import (
    MAX_QUERY_CHARS,
    PLACEHOLDER,
    STEM,
    TEXT_FIELDS,
    TOKEN,
    analyse,
    clean,
    clean_value,
    filter_query,
    fuzzy,
    inline_filters,
    is_word,
    make_parser,
    normalise,
    pairs_query,
    slot_query,
    synonym_table,
    text_of,
)
from .scoring import QueryScorer
from .snippets import SNIPPET_CHARS, Marks, highlight, highlight_terms

__all__ = ["MAX_QUERY_CHARS", "SNIPPET_CHARS", "Searcher", "highlight", "synonym_table"]

FACETS = ("partner", "theme", "kind", "year")
SORTS = ("relevance", "date")
MAX_LIMIT = 100
PASSAGES_PER_HIT = 3
TITLE_PHRASE_BOOST = 3.0
DEPTH_WEIGHT = 0.25


@dataclass
class _DocMeta:
    docnum: int
    partner: str
    partner_name: str
    kind: str
    date: str
    years: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)


class _View:
    """Per-generation lookups: record -> document, and each document's facet values."""

    def __init__(self, searcher: WhooshSearcher) -> None:
        reader = searcher.reader()
        self.scorer = QueryScorer(searcher)
        self.url_of: list[str] = [text_of(v) for v in reader.column_reader("doc_url")]
        partner = reader.column_reader("partner")
        pname = reader.column_reader("partner_name")
        kind = reader.column_reader("kind")
        date = reader.column_reader("date")
        self.docs: dict[str, _DocMeta] = {}
        for d in searcher.docs_for_query(wq.Term("rtype", "doc")):
            self.docs[self.url_of[d]] = _DocMeta(
                d, text_of(partner[d]), text_of(pname[d]), text_of(kind[d]), text_of(date[d])
            )
        for fname, attr in (("year", "years"), ("themes", "themes")):
            for term in reader.field_terms(fname):
                for d in searcher.docs_for_query(wq.Term(fname, term)):
                    meta = self.docs.get(self.url_of[d])
                    if meta is not None and meta.docnum == d:
                        getattr(meta, attr).append(term)


class Searcher:
    """A reusable searcher over the current index; see the module docstring."""

    def __init__(self, index_dir: str | Path, *, thesaurus: Any = None) -> None:
        self.index_dir = Path(index_dir)
        self.thesaurus = thesaurus
        self._lock = threading.RLock()
        self._real: Path | None = None
        self._ix: FileIndex | None = None
        self._searcher: WhooshSearcher | None = None
        self._view: _View | None = None
        self._synonyms: dict[str, list[str]] = {}
        self._max_words = 1
        if thesaurus is not None:
            self._synonyms = synonym_table(thesaurus)
            self._max_words = max((len(k.split()) for k in self._synonyms), default=1)
        self._parser: MultifieldParser | None = None

    @classmethod
    def open(cls, index_dir: str | Path, *, thesaurus: Any = None) -> Searcher:
        """Open the current index (IndexMissing when none was built)."""
        s = cls(index_dir, thesaurus=thesaurus)
        with s._lock:
            s._ensure()
        return s

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            if self._ix is not None:
                self._ix.close()
            self._searcher = self._ix = self._view = None
            self._real = None

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keeping up with the index ------------------------------------------------

    def _ensure(self) -> tuple[WhooshSearcher, _View]:
        real = current_dir(self.index_dir)
        if real != self._real or self._searcher is None:
            ix = open_index(self.index_dir)
            old_s, old_ix = self._searcher, self._ix
            self._ix, self._searcher, self._real = ix, ix.searcher(), real
            self._view = None
            if old_s is not None:
                old_s.close()
            if old_ix is not None:
                old_ix.close()
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
            self._view = None
        if self._view is None:
            self._view = _View(self._searcher)
        if self._parser is None:
            self._parser = make_parser(self._searcher.schema)
        return self._searcher, self._view

    # -- the public call ------------------------------------------------------------

    def search(
        self,
        q: str,
        *,
        partner: str | None = None,
        theme: str | None = None,
        kind: str | None = None,
        year: str | int | None = None,
        limit: int = 10,
        page: int = 1,
        sort: str = "relevance",
    ) -> dict[str, Any]:
        """Search; returns the CLI/API JSON shape (see docs/design.md)."""
        if not 1 <= int(limit) <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if int(page) < 1:
            raise QueryError(f"page must be 1 or more, not {page}")
        if sort not in SORTS:
            raise QueryError(f'sort must be one of {", ".join(SORTS)}, not "{sort}"')
        if not isinstance(q, str):
            raise QueryError("the query must be text")
        notes: list[str] = []
        text = clean(q, notes)
        text, inline = inline_filters(text)
        given: dict[str, Any] = {"partner": partner, "theme": theme, "kind": kind, "year": year}
        for name, value in inline.items():
            if given[name] is None:
                given[name] = value
        filters = {k: clean_value(v) for k, v in given.items() if v not in (None, "")}
        filters = {k: v for k, v in filters.items() if v}
        if filters.get("theme") and self.thesaurus is not None:
            filters["theme"] = self._theme_id(str(filters["theme"]))
        with self._lock:
            s, view = self._ensure()
            return self._run(s, view, text, filters, int(limit), int(page), sort, notes)

    def _theme_id(self, name: str) -> str:
        """Accept a theme id or any of its labels."""
        themes = getattr(self.thesaurus, "themes", {})
        if name in themes:
            return name
        resolve = getattr(self.thesaurus, "resolve", None)
        if resolve is None:
            return name
        try:
            return str(resolve(name).id)
        except GraphError as e:  # UnknownName, with its "did you mean"
            raise QueryError(str(e)) from e

    # -- the work -------------------------------------------------------------------

    def _run(
        self,
        s: WhooshSearcher,
        view: _View,
        text: str,
        filters: dict[str, str],
        limit: int,
        page: int,
        sort: str,
        notes: list[str],
    ) -> dict[str, Any]:
        filter_q = filter_query(filters)
        suggestion = None
        groups: dict[str, list[tuple[float, int]]] = {}
        query: wq.Query | None = None
        if not text.strip():
            matched = _docs(s, wq.Term("rtype", "doc") if filter_q is None else filter_q)
            urls = {view.url_of[d] for d in matched}
            if not filters:
                notes.append("empty query: showing every document, newest first")
            sort = "date"
        else:
            query, suggestion = self._parse(s, text)
            if query is None or query is wq.NullQuery:
                notes.append("nothing searchable in the query")
                query = None
            else:
                # One scoring pass over every match gives the ranking, the
                # total and the facets together; see search/scoring.py.
                url_of = view.url_of
                for hit in view.scorer.scored(query, filter_q):
                    groups.setdefault(url_of[hit[1]], []).append(hit)
            urls = set(groups)
        urls &= view.docs.keys()
        total = len(urls)
        pages = max(1, math.ceil(total / limit))
        start, end = (page - 1) * limit, page * limit
        if sort == "date":
            page_urls = sorted(urls, key=lambda u: (view.docs[u].date, u), reverse=True)[start:end]
        else:
            page_urls = sorted(urls, key=lambda u: -_doc_score(groups[u]))[start:end]
        stems = highlight_terms(s, query)
        hits = [self._hit(s, view, u, groups.get(u, []), stems) for u in page_urls]
        result: dict[str, Any] = {
            "query": text,
            "total": total,
            "page": page,
            "pages": pages,
            "limit": limit,
            "sort": sort,
            "filters": filters,
            "facets": self._facets(view, urls),
            "suggestion": suggestion,
            "hits": hits,
        }
        if notes:
            result["note"] = "; ".join(notes)
        return result

    def _hit(
        self,
        s: WhooshSearcher,
        view: _View,
        url: str,
        scored: list[tuple[float, int]],
        stems: Marks,
    ) -> dict[str, Any]:
        meta = view.docs[url]
        head = s.stored_fields(meta.docnum)
        passages = []
        for score, docnum in sorted(scored, reverse=True):
            if docnum == meta.docnum:
                continue
            f = s.stored_fields(docnum)
            passages.append(
                {
                    "section": f.get("section") or "",
                    "snippet": highlight(f.get("text", ""), stems),
                    "page": f.get("page"),
                    "score": round(score, 3),
                }
            )
            if len(passages) >= PASSAGES_PER_HIT:
                break
        score = _doc_score(scored)
        if passages:
            snippet, section = passages[0]["snippet"], passages[0]["section"]
        else:
            snippet, section = highlight(head.get("text", ""), stems), ""
        return {
            "url": url,
            "title": head.get("title") or url,
            "partner": meta.partner_name or meta.partner,
            "partner_id": meta.partner,
            "partner_type": head.get("partner_type", ""),
            "section": section,
            "snippet": snippet,
            "score": round(score, 3),
            "kind": meta.kind,
            "period": head.get("period") or None,
            "date": meta.date or None,
            "fetched_at": head.get("fetched") or None,
            "themes": list(meta.themes),
            "passages": passages,
        }

    def _facets(self, view: _View, urls: set[str]) -> dict[str, list[dict[str, Any]]]:
        # Lists first, then one C-level count each: broad queries match thousands.
        metas = list(map(view.docs.__getitem__, urls))
        partner = Counter([m.partner for m in metas])
        names = {m.partner: m.partner_name for m in metas}
        kind = Counter([m.kind for m in metas])
        kind.pop("", None)
        year = Counter(chain.from_iterable([m.years for m in metas]))
        theme = Counter(chain.from_iterable([m.themes for m in metas]))
        themes = getattr(self.thesaurus, "themes", {}) if self.thesaurus is not None else {}

        def rows(c: Counter[str], label: Any) -> list[dict[str, Any]]:
            out = [{"value": v, "label": label(v), "count": n} for v, n in c.items()]
            out.sort(key=lambda r: (-r["count"], str(r["label"]).lower()))
            return out

        return {
            "partner": rows(partner, lambda v: names.get(v) or v),
            "theme": rows(theme, lambda v: themes[v].label if v in themes else v),
            "kind": rows(kind, lambda v: v),
            "year": sorted(rows(year, lambda v: v), key=lambda r: r["value"], reverse=True),
        }

    # -- parsing --------------------------------------------------------------------

    def _parse(self, s: WhooshSearcher, text: str) -> tuple[wq.Query | None, str | None]:
        assert self._parser is not None
        rewritten, slots, words = self._placeholders(text)
        try:
            parsed = self._parser.parse(rewritten)
        except (QueryParserError, ValueError, TypeError, IndexError) as e:
            raise QueryError(f"cannot understand the query: {e}") from e
        reader = s.reader()

        def rewrite(node: wq.Query) -> wq.Query:
            if isinstance(node, wq.Term) and node.fieldname in TEXT_FIELDS:
                m = PLACEHOLDER.fullmatch(str(node.text))
                if m is not None and int(m.group(1)) < len(slots):
                    return slot_query(node.fieldname, slots[int(m.group(1))])
                if reader.doc_frequency(node.fieldname, node.text) == 0:
                    return fuzzy(s, node)
                return node
            if node.is_leaf():
                return node
            return node.apply(rewrite)

        query = rewrite(parsed).normalize()
        plain = [t for t in TOKEN.findall(text) if is_word(t)]
        if len(plain) >= 2 and len(plain) == len(TOKEN.findall(text)):
            # Free text of several words: the words together, in the title or in
            # one passage, count for more than the words scattered.
            stems = analyse(STEM, " ".join(plain))
            if len(stems) >= 2:
                together = wq.Or(
                    [
                        wq.Phrase("title", stems, boost=TITLE_PHRASE_BOOST),
                        pairs_query(" ".join(plain)),
                    ]
                )
                query = wq.AndMaybe(query, together)
        return query, self._suggest(s, text, words)

    def _placeholders(self, text: str) -> tuple[str, list[tuple[str, list[str]]], list[str]]:
        """Phrases and thesaurus labels become placeholder words the parser leaves alone."""
        tokens = TOKEN.findall(text)
        out: list[str] = []
        slots: list[tuple[str, list[str]]] = []  # (kind, labels or phrase words)
        plain: list[str] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.startswith('"'):
                phrase = tok.strip('"').strip()
                if phrase:
                    labels = self._synonyms.get(normalise(phrase))
                    slots.append(("syn", labels) if labels else ("phrase", [phrase]))
                    out.append(f"zzq{len(slots) - 1}q")
                i += 1
                continue
            matched = 0
            if self._synonyms and is_word(tok):
                for n in range(min(self._max_words, len(tokens) - i), 0, -1):
                    run = tokens[i : i + n]
                    if not all(is_word(t) for t in run):
                        continue
                    labels = self._synonyms.get(normalise(" ".join(run)))
                    if labels:
                        # The user's own words weigh more than their synonyms.
                        slots.append(("syn", [" ".join(run), *labels]))
                        out.append(f"zzq{len(slots) - 1}q")
                        matched = n
                        break
            if matched:
                i += matched
                continue
            out.append(tok)
            i += 1
        for tok in tokens:
            # Every word may be misspelt, except the thesaurus's own single-word names.
            if is_word(tok) and normalise(tok) not in self._synonyms:
                plain.append(tok)
        return " ".join(out), slots, plain

    def _suggest(self, s: WhooshSearcher, text: str, words: list[str]) -> str | None:
        """A "did you mean" query when some words are not in the index vocabulary."""
        reader = s.reader()
        suggestion = text
        changed = False
        corrector = None
        for w in words:
            low = w.lower()
            if len(low) < 4 or not low.isalpha() or reader.doc_frequency("exact", low) > 0:
                continue
            corrector = corrector or s.corrector("exact")
            best = corrector.suggest(low, limit=1, maxdist=2, prefix=1)
            if best and best[0] != low:
                suggestion = re.sub(rf"(?<!\w){re.escape(w)}(?!\w)", best[0], suggestion, count=1)
                changed = True
        return suggestion if changed else None


# -- helpers -------------------------------------------------------------------------


def _doc_score(hits: list[tuple[float, int]]) -> float:
    """A document's score: its best record, plus a little for each further matching passage."""
    scores = sorted((sc for sc, _ in hits), reverse=True)
    return scores[0] + DEPTH_WEIGHT * sum(scores[1:4]) if scores else 0.0


def _docs(s: WhooshSearcher, q: wq.Query) -> set[int]:
    return set(s.docs_for_query(q))
