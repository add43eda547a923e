"""The theme thesaurus (SKOS, ``themes.ttl``) and the matcher built from it.

    >>> th = Thesaurus.load()
    >>> [m.theme_id for m in th.match("Reduce incidence and impact of ASB")]
    ['asb']
    >>> th.resolve("anti social behaviour").id
    'asb'

Matching works on normalised tokens: lower case, punctuation dropped, "&" read
as "and", British spelling and singular forms, so "Anti-social behaviour",
"anti social behavior" and "antisocial behaviours" are the same label.
Abbreviations (altLabels written in capitals, such as ASB or DA) and
``saferkg:caseSensitiveLabel`` values (the programme name "Prevent") match
only as whole words written the same way.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.namespace import RDF, SKOS

from graph.errors import GraphError, UnknownName

SAFERKG = rdflib.Namespace("https://w3id.org/saferkg/def#")
THEME = rdflib.Namespace("https://w3id.org/saferkg/id/theme/")
DEFAULT_PATH = Path(__file__).with_name("themes.ttl")

# A word, a number, or "&" (read as "and"); hyphens and slashes split words.
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|&")
_ABBREVIATION = re.compile(r"^[A-Z][A-Z0-9]{1,6}$")
# American spellings that partners' documents and users write.
_US_UK = {
    "behavior": "behaviour",
    "neighbor": "neighbour",
    "neighborhood": "neighbourhood",
    "offense": "offence",
    "program": "programme",
    "center": "centre",
    "counseling": "counselling",
}
_IRREGULAR = {"children": "child", "women": "woman", "men": "man", "people": "people"}
_NO_S_STRIP = ("ss", "us", "is", "ous", "ics")
_IZE = re.compile(r"iz(e|es|ed|ing|ation|ations)$")


# Documents repeat the same few thousand words: memoising the fold of a word
# halves the time to match a long document.
@functools.lru_cache(maxsize=65536)
def _word(token: str) -> str:
    """One token folded to its matching form: lower case, British spelling, singular."""
    w = token.lower().replace("’", "'")
    if w == "&":
        return "and"
    if w.endswith("'s"):
        w = w[:-2]
    w = w.replace("'", "")
    w = _IZE.sub(r"is\1", w)
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and len(w) > 3 and not w.endswith(_NO_S_STRIP):
        w = w[:-1]
    return _US_UK.get(w, w)


def _fold(text: str) -> str:
    """Unicode compatibility form, so odd dashes and letters from PDFs behave.

    Characters are folded one by one and only when they stay one character, so
    offsets into the folded text are offsets into the original.
    """
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_char, text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_char(m: re.Match[str]) -> str:
    c = m.group()
    f = unicodedata.normalize("NFKC", c)
    return f if len(f) == 1 else c


@dataclass(frozen=True)
class _Token:
    raw: str
    norm: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), _word(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def normalise(text: str) -> str:
    """The matching form of a text: lower case, no punctuation, British spelling, singular words."""
    return " ".join(_word(m.group()) for m in _TOKEN.finditer(_fold(text)))


def _key(text: str) -> str:
    """Lookup key for forgiving name resolution: normalised with spaces removed."""
    return normalise(text).replace(" ", "")


@dataclass
class Theme:
    """A concept of the thesaurus."""

    id: str
    uri: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    hidden_labels: list[str] = field(default_factory=list)
    not_labels: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    narrower: list[str] = field(default_factory=list)
    definition: str = ""
    case_sensitive_labels: list[str] = field(default_factory=list)
    scope_note: str = ""

    @property
    def labels(self) -> list[str]:
        """Preferred, alternative and abbreviation labels (not hidden or negative)."""
        out = [self.label, *self.alt_labels, *self.case_sensitive_labels]
        return list(dict.fromkeys(out))


@dataclass(frozen=True)
class ThemeMatch:
    """A theme found in a text: which label matched and the source text as written."""

    theme_id: str
    label: str
    matched_text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Hit:
    theme_id: str
    label: str
    start: int  # token index
    end: int  # token index, exclusive
    coordinated: bool  # the label joins two things ("domestic and sexual violence")
    negative: bool = False


def _variants(tokens: list[str]) -> Iterator[tuple[str, ...]]:
    """The label's tokens with every choice of adjacent words run together.

    "cyber crime" also matches "cybercrime", "re offending" matches "reoffending".
    """
    n = len(tokens)
    if n == 1 or n > 5:
        yield tuple(tokens)
        return
    for joins in itertools.product((False, True), repeat=n - 1):
        out = [tokens[0]]
        for tok, join in zip(tokens[1:], joins, strict=True):
            if join:
                out[-1] = _word(out[-1] + tok)
            else:
                out.append(tok)
        yield tuple(out)


class Thesaurus:
    """The SKOS theme thesaurus with its matching tables.

    >>> th = Thesaurus.load()
    >>> sorted(m.theme_id for m in th.match("Domestic and sexual violence"))
    ['domestic-abuse', 'sexual-violence']
    """

    def __init__(self, themes: dict[str, Theme], graph: rdflib.Graph) -> None:
        self.themes = themes
        self._graph = graph
        # normalised token tuple -> [(theme id, label, coordinated, negative)]
        self._table: dict[tuple[str, ...], list[tuple[str, str, bool, bool]]] = {}
        # exact raw token tuple -> [(theme id, label)] for capitals-only labels
        self._exact: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        self._lengths: dict[str, set[int]] = {}
        self._exact_lengths: dict[str, set[int]] = {}
        self._names: dict[str, str] = {}  # resolve key -> theme id
        self._build()
        self._max_len = max(
            (len(k) for k in [*self._table, *self._exact]),
            default=1,
        )

    # -- loading --------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> Thesaurus:
        """Parse the thesaurus (default: the ``themes.ttl`` shipped with the package)."""
        p = path or DEFAULT_PATH
        g = rdflib.Graph()
        try:
            g.parse(p, format="turtle")
        except (OSError, SyntaxError, ValueError) as e:
            raise GraphError(f"cannot read the theme thesaurus {p}: {e}") from e
        return cls.from_graph(g)

    @classmethod
    def from_graph(cls, g: rdflib.Graph) -> Thesaurus:
        """Build the thesaurus from an rdflib graph holding a SKOS scheme."""

        def texts(s: rdflib.term.Node, p: rdflib.URIRef) -> list[str]:
            return sorted(str(o) for o in g.objects(s, p))

        def notation_of(s: rdflib.term.Node) -> str:
            n = g.value(s, SKOS.notation)
            if n is not None:
                return str(n)
            return str(s).rstrip("/").rsplit("/", 1)[-1]

        themes: dict[str, Theme] = {}
        by_uri: dict[str, str] = {}
        for s in sorted(set(g.subjects(RDF.type, SKOS.Concept)), key=str):
            tid = notation_of(s)
            if tid in themes:
                raise GraphError(f"two concepts share the notation {tid!r}")
            pref = g.value(s, SKOS.prefLabel)
            if pref is None:
                raise GraphError(f"concept {s} has no skos:prefLabel")
            alts = texts(s, SKOS.altLabel)
            themes[tid] = Theme(
                id=tid,
                uri=str(s),
                label=str(pref),
                alt_labels=[a for a in alts if not _ABBREVIATION.match(a)],
                hidden_labels=texts(s, SKOS.hiddenLabel),
                not_labels=texts(s, SAFERKG.notLabel),
                abbreviations=[a for a in alts if _ABBREVIATION.match(a)],
                definition=str(g.value(s, SKOS.definition) or ""),
                case_sensitive_labels=texts(s, SAFERKG.caseSensitiveLabel),
                scope_note=str(g.value(s, SKOS.scopeNote) or ""),
            )
            by_uri[str(s)] = tid
        for s in g.subjects(RDF.type, SKOS.Concept):
            tid = by_uri[str(s)]
            broader = {by_uri[str(o)] for o in g.objects(s, SKOS.broader) if str(o) in by_uri}
            narrower = {by_uri[str(o)] for o in g.objects(s, SKOS.narrower) if str(o) in by_uri}
            # Either direction may be stated; keep both sides in step.
            for b in broader:
                themes[b].narrower.append(tid)
            for n in narrower:
                themes[n].broader.append(tid)
            themes[tid].broader.extend(broader)
            themes[tid].narrower.extend(narrower)
        for t in themes.values():
            t.broader = sorted(set(t.broader))
            t.narrower = sorted(set(t.narrower))
        return cls(themes, g)

    def _build(self) -> None:
        def add(theme_id: str, label: str, negative: bool = False) -> None:
            toks = [t.norm for t in _tokens(_fold(label))]
            if not toks:
                return
            coordinated = "and" in toks or any(c in label for c in "(/&")
            for v in _variants(toks):
                entry = (theme_id, label, coordinated, negative)
                bucket = self._table.setdefault(v, [])
                if entry not in bucket:
                    bucket.append(entry)
                self._lengths.setdefault(v[0], set()).add(len(v))

        def add_exact(theme_id: str, label: str) -> None:
            raw = tuple(t.raw for t in _tokens(_fold(label)))
            if not raw:
                return
            # Only as written: "PREVENT, PROTECT, PREPARE" in capitals is the
            # generic 4P model, not the Prevent programme.
            self._exact.setdefault(raw, []).append((theme_id, label))
            self._exact_lengths.setdefault(raw[0], set()).add(len(raw))

        for t in self.themes.values():
            for label in [t.label, *t.alt_labels, *t.hidden_labels]:
                add(t.id, label)
            for label in t.not_labels:
                add(t.id, label, negative=True)
            for label in [*t.abbreviations, *t.case_sensitive_labels]:
                add_exact(t.id, label)
            for name in [t.id, t.label, *t.alt_labels, *t.hidden_labels, *t.abbreviations]:
                self._names.setdefault(_key(name), t.id)
            for name in t.case_sensitive_labels:
                self._names.setdefault(_key(name), t.id)

    # -- lookups --------------------------------------------------------------

    def get(self, theme_id: str) -> Theme | None:
        """The theme with this id, or None."""
        return self.themes.get(theme_id)

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self.themes

    def __len__(self) -> int:
        return len(self.themes)

    def resolve(self, name: str) -> Theme:
        """Find a theme by id, label, abbreviation or misspelling; UnknownName if none."""
        tid = self._names.get(_key(name))
        if tid is None and name.strip().isupper():
            tid = self._names.get(_key(name.strip()))
        if tid is not None:
            return self.themes[tid]
        raise UnknownName(name, "theme", self.suggest(name))

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Preferred labels of the themes whose names are closest to ``name``."""
        key = _key(name)
        out: list[str] = []
        for k in difflib.get_close_matches(key, list(self._names), n=n * 3, cutoff=0.6):
            label = self.themes[self._names[k]].label
            if label not in out:
                out.append(label)
        return out[:n]

    def descendants(self, theme_id: str) -> set[str]:
        """The theme and every theme under it (transitive skos:narrower)."""
        return self._closure(theme_id, "narrower")

    def ancestors(self, theme_id: str) -> set[str]:
        """The theme and every theme above it (transitive skos:broader)."""
        return self._closure(theme_id, "broader")

    def _closure(self, theme_id: str, attr: str) -> set[str]:
        if theme_id not in self.themes:
            raise UnknownName(theme_id, "theme", self.suggest(theme_id))
        seen = {theme_id}
        todo = [theme_id]
        while todo:
            for nxt in getattr(self.themes[todo.pop()], attr):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def roots(self) -> list[str]:
        """Ids of the top themes (no broader theme), in id order."""
        return sorted(t.id for t in self.themes.values() if not t.broader)

    def synonyms(self) -> dict[str, list[str]]:
        """Each normalised label or abbreviation -> all the labels of its theme(s), for query expansion."""
        out: dict[str, list[str]] = {}
        for t in self.themes.values():
            labels = [t.label, *t.alt_labels, *t.abbreviations, *t.case_sensitive_labels]
            labels = list(dict.fromkeys(labels))
            for label in labels:
                bucket = out.setdefault(normalise(label), [])
                for lab in labels:
                    if lab not in bucket:
                        bucket.append(lab)
        return out

    def graph(self) -> rdflib.Graph:
        """A copy of the SKOS scheme as an rdflib graph."""
        g = rdflib.Graph()
        for prefix, ns in self._graph.namespaces():
            g.bind(prefix, ns)
        for triple in self._graph:
            g.add(triple)
        return g

    # -- matching -------------------------------------------------------------

    def match(self, text: str) -> list[ThemeMatch]:
        """Themes mentioned in ``text``, in order of appearance, each with the words that matched."""
        if not text:
            return []
        text = _fold(text)
        toks = _tokens(text)
        hits = list(self._hits(toks, text))
        negatives = [h for h in hits if h.negative]
        hits = [h for h in hits if not h.negative]
        if negatives:
            hits = [
                h
                for h in hits
                if not any(
                    n.theme_id == h.theme_id and n.start < h.end and h.start < n.end
                    for n in negatives
                    if abs(n.start - h.start) <= self._max_len
                )
            ]
        # A label inside a longer label of another theme is part of that phrase
        # ("drug" in "drug dealing"), unless the longer label joins two things
        # ("sexual violence" in "domestic and sexual violence").
        kept = [h for h in hits if not _inside_other(h, hits, self._max_len)]
        return self._merge(kept, toks, text)

    def themes_in(self, text: str) -> list[str]:
        """Distinct theme ids found in ``text``, in order of first appearance."""
        return list(dict.fromkeys(m.theme_id for m in self.match(text)))

    def _hits(self, toks: list[_Token], text: str) -> Iterator[_Hit]:
        n = len(toks)
        for i, tok in enumerate(toks):
            for length in self._lengths.get(tok.norm, ()):
                if i + length > n:
                    continue
                key = tuple(t.norm for t in toks[i : i + length])
                for theme_id, label, coordinated, negative in self._table.get(key, ()):
                    yield _Hit(theme_id, label, i, i + length, coordinated, negative)
            for cand in (tok.raw, _singular_abbreviation(tok.raw)):
                if cand is None:
                    continue
                for length in self._exact_lengths.get(cand, ()):
                    if i + length > n:
                        continue
                    raw = (cand, *(t.raw for t in toks[i + 1 : i + length]))
                    if raw not in self._exact or _glued(text, tok.start, toks[i + length - 1].end):
                        continue
                    for theme_id, label in self._exact[raw]:
                        yield _Hit(theme_id, label, i, i + length, False)

    @staticmethod
    def _merge(hits: Iterable[_Hit], toks: list[_Token], text: str) -> list[ThemeMatch]:
        by_theme: dict[str, list[_Hit]] = {}
        for h in hits:
            by_theme.setdefault(h.theme_id, []).append(h)
        out: list[ThemeMatch] = []
        for theme_id, group in by_theme.items():
            group.sort(key=lambda h: (h.start, -(h.end - h.start)))
            cur: list[_Hit] = []
            for h in group:
                if cur and h.start < max(c.end for c in cur):
                    cur.append(h)
                    continue
                if cur:
                    out.append(_to_match(theme_id, cur, toks, text))
                cur = [h]
            if cur:
                out.append(_to_match(theme_id, cur, toks, text))
        out.sort(key=lambda m: (m.start, m.end, m.theme_id))
        return out


def _inside_other(h: _Hit, hits: list[_Hit], max_len: int) -> bool:
    """True when ``h`` lies inside a longer, uncoordinated hit of another theme.

    ``hits`` is in token order, so only neighbours within the longest label's
    reach can contain ``h``.
    """
    lo = bisect.bisect_left(hits, h.start - max_len, key=lambda x: x.start)
    for o in itertools.islice(hits, lo, None):
        if o.start > h.start:
            break
        if (
            o.theme_id != h.theme_id
            and not o.coordinated
            and o.end >= h.end
            and (o.end - o.start) > (h.end - h.start)
        ):
            return True
    return False


def _glued(text: str, start: int, end: int) -> bool:
    """An abbreviation joined to another by "&" is part of a bigger one ("C&DA" is not DA)."""
    return (start > 0 and text[start - 1] == "&") or (end < len(text) and text[end] == "&")


def _singular_abbreviation(raw: str) -> str | None:
    """ "DHRs" -> "DHR": abbreviations take a lower-case plural s."""
    if len(raw) > 2 and raw.endswith("s") and raw[:-1].isupper():
        return raw[:-1]
    return None


def _to_match(theme_id: str, hits: list[_Hit], toks: list[_Token], text: str) -> ThemeMatch:
    start = toks[min(h.start for h in hits)].start
    end = toks[max(h.end for h in hits) - 1].end
    longest = max(hits, key=lambda h: (h.end - h.start, -h.start))
    return ThemeMatch(theme_id, longest.label, text[start:end], start, end)
