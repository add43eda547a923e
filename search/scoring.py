"""Scoring a parsed query over cached postings, with whoosh's own BM25F figures.

Whoosh's collector walks every posting of every query term through several
layers of Python matchers; for the words a community safety corpus is made
of ("community", "plan", "people", in most passages) that cost 50-200 ms a
query at 10,000 documents. Here each term's postings are read once per index
generation (whole blocks at a time) into a docnum -> BM25F score table, the
boolean structure is evaluated with set operations, and only the records
that match are scored, by summing the tables of the terms that take part
(as whoosh's union, intersection, and-maybe and and-not matchers do, boosts
included). Nodes this module does not model (phrases, prefixes, ranges)
are handed to whoosh and their results cached the same way.

    >>> scorer = QueryScorer(whoosh_searcher)                 # doctest: +SKIP
    >>> scorer.scored(query, filter_query)                    # doctest: +SKIP
    [(12.3, 4051), (11.9, 77), ...]
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.scoring import BM25F
from whoosh.searching import Searcher as WhooshSearcher

#: Cached postings held per index generation (about 250 bytes each with their key sets).
CACHE_POSTINGS = 1_000_000

Scores = dict[int, float]


class QueryScorer:
    """Per-generation posting tables and the evaluation of queries over them."""

    def __init__(self, searcher: WhooshSearcher, *, budget: int = CACHE_POSTINGS) -> None:
        self.s = searcher
        self.reader = searcher.reader()
        self.leaves = list(self.reader.leaf_readers())
        w = searcher.weighting
        # Only plain BM25F is modelled; anything else is left to whoosh entirely.
        self.modelled = type(w) is BM25F and not getattr(w, "_field_B", None)
        self.B = float(getattr(w, "B", 0.75))
        self.K1 = float(getattr(w, "K1", 1.2))
        self.budget = budget
        self._held = 0
        self._tables: OrderedDict[tuple[str, str], Scores] = OrderedDict()
        self._norms: dict[str, list[float]] = {}
        # id(table) -> (table, its keys): the table is held so the id stays its own.
        self._sets: dict[int, tuple[Scores, frozenset[int]]] = {}

    # -- the public call ---------------------------------------------------------

    def scored(self, query: wq.Query, filter_q: wq.Query | None = None) -> list[tuple[float, int]]:
        """(score, docnum) of every live record matching ``query`` (and ``filter_q``)."""
        if not self.modelled:
            return [(h[0], h[1]) for h in self.s.search(query, filter=filter_q, limit=None).top_n]
        docs = set(self._matches(query))
        if filter_q is not None:
            docs &= self._matches(filter_q)
        if not docs:
            return []
        acc: Scores = dict.fromkeys(docs, 0.0)
        self._score(query, docs, 1.0, acc)
        return [(sc, d) for d, sc in acc.items()]

    # -- matching: sets of docnums ------------------------------------------------

    def _matches(self, node: wq.Query) -> frozenset[int] | set[int]:
        if isinstance(node, wq.Term) and self._plain_term(node):
            return self._keys(node.fieldname, node.text)
        if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
            return set()
        if isinstance(node, wq.And) and node.subqueries:
            parts = [self._matches(q) for q in node.subqueries]
            parts.sort(key=len)
            out = parts[0]
            for p in parts[1:]:
                out = out & p
            return out
        if isinstance(node, wq.Or) and node.subqueries and not node.scale:
            return set().union(*(self._matches(q) for q in node.subqueries))
        if isinstance(node, wq.AndMaybe):
            return self._matches(node.a)
        if isinstance(node, wq.AndNot):
            return self._matches(node.a) - self._matches(node.b)
        return self._keys("\0query", repr(node), node)

    # -- scoring: add each taking-part term's score ----------------------------------

    def _score(self, node: wq.Query, docs: set[int], boost: float, acc: Scores) -> None:
        if not docs:
            return
        if isinstance(node, wq.Term) and self._plain_term(node):
            table = self._table(node.fieldname, node.text)
            b = boost * node.boost
            for d in docs:
                acc[d] += b * table[d]
            return
        if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
            return
        if isinstance(node, wq.And) and node.subqueries:
            b = boost * node.boost
            for q in node.subqueries:
                self._score(q, docs, b, acc)
            return
        if isinstance(node, wq.Or) and node.subqueries and not node.scale:
            b = boost * node.boost
            for q in node.subqueries:
                self._score(q, docs & self._matches(q), b, acc)
            return
        if isinstance(node, wq.AndMaybe):
            self._score(node.a, docs, boost, acc)
            self._score(node.b, docs & self._matches(node.b), boost, acc)
            return
        if isinstance(node, wq.AndNot):
            self._score(node.a, docs, boost, acc)
            return
        table = self._whoosh(node)
        for d in docs:
            acc[d] += boost * table.get(d, 0.0)

    # -- tables ----------------------------------------------------------------------

    def _plain_term(self, node: wq.Term) -> bool:
        field = self.s.schema[node.fieldname] if node.fieldname in self.s.schema else None
        return field is not None and field.scorable and not node.minquality

    def _table(self, fieldname: str, text: Any) -> Scores:
        """docnum -> unboosted BM25F score of one term, read once per generation."""
        field = self.s.schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return {}
        key = (fieldname, btext)
        table = self._tables.get(key)
        if table is not None:
            self._tables.move_to_end(key)
            return table
        table = {}
        if (fieldname, btext) in self.reader:
            idf = self.s.idf(fieldname, btext)
            c = idf * (self.K1 + 1)
            norm = self._norm(fieldname)
            for leaf, base in self.leaves:
                if (fieldname, btext) not in leaf:
                    continue
                ids, weights = _postings(leaf, fieldname, btext)
                for d, w in zip(ids, weights, strict=True):
                    g = base + d
                    table[g] = c * w / (w + norm[g])
        self._remember(key, table)
        return table

    def _keys(self, fieldname: str, text: Any, node: wq.Query | None = None) -> frozenset[int]:
        """The records a term (or a whoosh-scored node) matches, cached with its table."""
        table = self._table(fieldname, text) if node is None else self._whoosh(node)
        key = id(table)
        keys = self._sets.get(key)
        if keys is None or keys[0] is not table:
            keys = (table, frozenset(table))
            self._sets[key] = keys
        return keys[1]

    def _norm(self, fieldname: str) -> list[float]:
        """Per record, BM25's length normalisation K1 * (1 - B + B * length / average)."""
        norm = self._norms.get(fieldname)
        if norm is None:
            avgfl = self.s.avg_field_length(fieldname) or 1
            k1, b = self.K1, self.B
            norm = []
            for leaf, _base in self.leaves:
                length = leaf.doc_field_length
                norm.extend(
                    k1 * ((1 - b) + b * (length(d, fieldname, 1) or 0) / avgfl)
                    for d in range(leaf.doc_count_all())
                )
            self._norms[fieldname] = norm
        return norm

    def _whoosh(self, node: wq.Query) -> Scores:
        """A node scored by whoosh itself (phrases, prefixes, ranges), cached like a term."""
        key = ("\0query", repr(node))
        table = self._tables.get(key)
        if table is None:
            hits = self.s.search(node, limit=None).top_n
            table = {h[1]: h[0] for h in hits}
            self._remember(key, table)
        return table

    def _remember(self, key: tuple[str, Any], table: Scores) -> None:
        self._tables[key] = table
        self._held += len(table)
        while self._held > self.budget and len(self._tables) > 1:
            _, old = self._tables.popitem(last=False)
            self._held -= len(old)
            self._sets.pop(id(old), None)


def _postings(leaf: Any, fieldname: str, btext: bytes) -> tuple[list[int], list[float]]:
    """A term's (docnum, weight) postings in one segment, deleted records left out."""
    m = leaf.postings(fieldname, btext)
    deleted = set(getattr(leaf, "deleted_docs_set", None) or ())
    raw = getattr(m, "child", m) if deleted else m
    ids: list[int] = []
    weights: list[float] = []
    if isinstance(raw, W3LeafMatcher):
        # Whole blocks at a time: the per-posting matcher calls are the cost we avoid.
        while raw.is_active():
            raw._read_ids()
            raw._read_weights()
            ids.extend(raw._ids[raw._i :])
            weights.extend(raw._weights[raw._i :])
            raw._next_block()
    else:
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        deleted = set()
    if deleted:
        keep = [i for i, d in enumerate(ids) if d not in deleted]
        ids = [ids[i] for i in keep]
        weights = [weights[i] for i in keep]
    return ids, weights
