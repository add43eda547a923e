"""The whoosh index: one record per document and one per passage (section).

``data/index`` is a symlink to an ``index-<stamp>/`` directory. An incremental
build (the default) updates the current directory in place, by content hash
per document URL; whoosh commits are atomic, so a reader sees the old or the
new generation, never half of one. A full rebuild writes a NEW directory and
swaps the symlink with ``os.replace``, so a failed or interrupted rebuild
leaves the last good index in place.

    >>> report = build_index(store, Path("data/index"), thesaurus=thesaurus)  # doctest: +SKIP
    >>> report.added, report.deleted                                          # doctest: +SKIP
    (12, 0)
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from whoosh import index as windex
from whoosh.analysis import RegexTokenizer, ShingleFilter, StemmingAnalyzer
from whoosh.analysis.filters import LowercaseFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.index import EmptyIndexError, FileIndex, LockError

from graph.persist import swap
from ingest.model import Document, Section

from .errors import IndexBuildError, IndexMissing

#: Above this many documents a full rebuild uses two writer processes.
PARALLEL_THRESHOLD = 2000
#: A passage longer than this is split at block boundaries.
PASSAGE_CHARS = 1800


class ThesaurusLike(Protocol):
    """What the index needs from graph.themes.Thesaurus."""

    def match(self, text: str) -> Sequence[Any]: ...


def stemming() -> Any:
    """The analyzer of the searchable text fields (English, Porter stems, stop words)."""
    return StemmingAnalyzer()


def exact() -> Any:
    """The analyzer of the unstemmed field: lower-case words, stop words kept, for phrases."""
    return RegexTokenizer() | LowercaseFilter()


def word_pairs() -> Any:
    """Adjacent stem pairs ("anti social", "social behaviour"): phrase matching by term lookup.

    Whoosh's positional phrase matching dominated query time at 10,000
    documents; a label of two or three words becomes an AND of pair terms.
    """
    return StemmingAnalyzer() | ShingleFilter(size=2, sep=" ")


def make_schema() -> Schema:
    """The index schema; title and headings weigh more than body text."""
    return Schema(
        id=ID(stored=True, unique=True),
        doc_url=ID(stored=True, sortable=True),
        rtype=ID(stored=True),
        partner=ID(stored=True, sortable=True),
        partner_name=ID(stored=True, sortable=True),
        partner_type=ID(stored=True),
        title=TEXT(analyzer=stemming(), stored=True, field_boost=3.0),
        section=TEXT(analyzer=stemming(), stored=True, field_boost=2.0),
        text=TEXT(analyzer=stemming(), stored=True),
        exact=TEXT(analyzer=exact(), phrase=True),
        pairs=TEXT(analyzer=word_pairs(), phrase=False),
        kind=ID(stored=True, sortable=True),
        period=STORED(),
        year=KEYWORD(stored=True),
        themes=KEYWORD(stored=True),
        date=ID(stored=True, sortable=True),
        fetched=STORED(),
        dochash=ID(stored=True, sortable=True),
        page=STORED(),
        pos=NUMERIC(stored=True),
    )


@dataclass
class IndexReport:
    """What a build did."""

    path: str
    rebuilt: bool
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    records: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the current-index pointer -------------------------------------------------


def current_dir(index_dir: str | Path) -> Path:
    """The real directory the ``index`` pointer names (raises IndexMissing when there is none)."""
    link = Path(index_dir)
    # A rebuild may swap the pointer and remove the generation it named between
    # our resolve() and our look at it: resolve again rather than report no index.
    for _ in range(3):
        real = link.resolve()
        if real.is_dir() and windex.exists_in(str(real)):
            return real
        if link.resolve() == real:
            break
    raise IndexMissing(f"no search index at {link}; run `saferkg index`")


def open_index(index_dir: str | Path) -> FileIndex:
    """Open the current index."""
    real = current_dir(index_dir)
    try:
        return windex.open_dir(str(real))
    except (EmptyIndexError, OSError) as e:
        raise IndexMissing(f"cannot open the search index at {index_dir}: {e}") from e


def _cleanup(link: Path, keep: Path, previous: Path | None) -> None:
    """Remove index generations older than the one just swapped in, except ``previous``.

    The generation the pointer named before the swap stays until the next
    rebuild: a searcher in another thread or process may have resolved the
    pointer to it a moment before the swap. Leftovers of failed builds go.
    """
    for d in link.parent.glob(f"{link.name}-*"):
        if d.is_dir() and not d.is_symlink() and d.name < keep.name and d != previous:
            shutil.rmtree(d, ignore_errors=True)


# -- records -------------------------------------------------------------------


def _years(doc: Document) -> list[str]:
    years: set[int] = set()
    if doc.period_start and doc.period_end and 0 <= doc.period_end - doc.period_start <= 15:
        years.update(range(doc.period_start, doc.period_end + 1))
    elif doc.period_start or doc.period_end:
        years.update(y for y in (doc.period_start, doc.period_end) if y)
    else:
        for d in (doc.published, doc.updated):
            if d and d[:4].isdigit():
                years.add(int(d[:4]))
    return [str(y) for y in sorted(years)]


def _date(doc: Document) -> str:
    for d in (doc.updated, doc.published, doc.fetched_at):
        if d:
            return d[:10]
    return ""


def _theme_ids(thesaurus: ThesaurusLike | None, text: str) -> list[str]:
    if thesaurus is None or not text.strip():
        return []
    ids = {getattr(m, "theme_id", None) or getattr(m, "id", None) for m in thesaurus.match(text)}
    return sorted(i for i in ids if i)


def _chunks(section: Section) -> Iterator[str]:
    """The section body cut at block boundaries into passages of readable size."""
    buf: list[str] = []
    size = 0
    for line in section.text.split("\n"):
        if not line.strip():
            continue
        if buf and size + len(line) > PASSAGE_CHARS:
            yield "\n".join(buf)
            buf, size = [], 0
        buf.append(line)
        size += len(line) + 1
    if buf:
        yield "\n".join(buf)


def records(
    doc: Document,
    *,
    thesaurus: ThesaurusLike | None = None,
    partners: Mapping[str, Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """The index records of one document: the document itself, then its passages."""
    info = (partners or {}).get(doc.partner, {})
    common: dict[str, Any] = {
        "doc_url": doc.url,
        "partner": doc.partner,
        "partner_name": info.get("name") or doc.partner,
        "partner_type": info.get("type") or "",
        "kind": doc.kind or "",
        "period": doc.period or "",
        "year": " ".join(_years(doc)),
        "date": _date(doc),
        "fetched": doc.fetched_at or "",
    }
    passages: list[dict[str, Any]] = []
    all_themes: set[str] = set()
    for section in doc.sections:
        heading = section.heading or ""
        for body in _chunks(section):
            themes = _theme_ids(thesaurus, f"{heading}\n{body}")
            all_themes.update(themes)
            n = len(passages)
            passages.append(
                dict(
                    common,
                    id=f"{doc.url}#p{n}",
                    rtype="passage",
                    section=heading,
                    text=body,
                    exact=f"{heading}\n{body}",
                    pairs=f"{heading}\n{body}",
                    themes=" ".join(themes),
                    page=section.page,
                    pos=n,
                    dochash="",
                )
            )
    all_themes.update(_theme_ids(thesaurus, doc.title))
    headings = [s.heading for s in doc.sections if s.heading]
    body = "\n".join(s.text for s in doc.sections if s.text)
    head = dict(
        common,
        id=doc.url,
        rtype="doc",
        title=doc.title or doc.url,
        section="\n".join(headings),
        text=body,
        exact=f"{doc.title}\n" + "\n".join(headings) + "\n" + body,
        pairs=f"{doc.title}\n" + "\n".join(headings) + "\n" + body,
        themes=" ".join(sorted(all_themes)),
        page=None,
        pos=-1,
        dochash=doc.content_hash or "-",
    )
    return [head, *passages]


# -- building --------------------------------------------------------------------


def indexed_hashes(ix: FileIndex) -> dict[str, str]:
    """url -> content hash of every document in the index."""
    out: dict[str, str] = {}
    with ix.searcher() as s:
        urls = s.reader().column_reader("doc_url")
        hashes = s.reader().column_reader("dochash")
        for docnum in s.docs_for_query(_doc_records()):
            out[_text(urls[docnum])] = _text(hashes[docnum])
    return out


def _doc_records() -> Any:
    from whoosh.query import Term

    return Term("rtype", "doc")


def _text(v: Any) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v or "")


def _add(writer: Any, recs: Iterable[dict[str, Any]]) -> int:
    n = 0
    for r in recs:
        writer.add_document(**{k: v for k, v in r.items() if v is not None})
        n += 1
    return n


def _full_build(
    store: Any,
    link: Path,
    *,
    thesaurus: ThesaurusLike | None,
    partners: Mapping[str, Mapping[str, str]] | None,
    procs: int | None,
) -> IndexReport:
    # Nanoseconds in the name keep names in creation order, which _cleanup relies on.
    ns = time.time_ns()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(ns / 1e9))
    stamp += f"{ns % 1_000_000_000:09d}-{uuid.uuid4().hex[:4]}"
    new = link.parent / f"{link.name}-{stamp}"
    new.mkdir(parents=True)
    report = IndexReport(path=str(new), rebuilt=True)
    try:
        ix = windex.create_in(str(new), make_schema())
        hashes = store.document_hashes()
        if procs is None:
            procs = 2 if len(hashes) >= PARALLEL_THRESHOLD else 1
        kwargs: dict[str, Any] = {"limitmb": 256}
        if procs > 1:
            kwargs.update(procs=procs, multisegment=True)
        writer = ix.writer(**kwargs)
        try:
            for doc in store.documents():
                report.records += _add(writer, records(doc, thesaurus=thesaurus, partners=partners))
                report.added += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        ix.close()
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    previous = link.resolve() if link.is_symlink() else None
    swap(link, new)  # the same atomic pointer swap as the graph's
    _cleanup(link, new, previous)
    return report


def build_index(
    store: Any,
    index_dir: str | Path,
    *,
    thesaurus: ThesaurusLike | None = None,
    partners: Mapping[str, Mapping[str, str]] | None = None,
    rebuild: bool = False,
    procs: int | None = None,
) -> IndexReport:
    """Bring the index up to date with the store: incrementally, or a full rebuild swapped in."""
    started = time.monotonic()
    link = Path(index_dir)
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        ix = None if rebuild else open_index(link)
    except IndexMissing:
        ix = None
    try:
        if ix is None:
            report = _full_build(store, link, thesaurus=thesaurus, partners=partners, procs=procs)
        else:
            report = _incremental(store, ix, link, thesaurus=thesaurus, partners=partners)
    except LockError as e:
        raise IndexBuildError(f"another index build is running on {link}") from e
    except OSError as e:
        raise IndexBuildError(f"cannot write the search index at {link}: {e}") from e
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _incremental(
    store: Any,
    ix: FileIndex,
    link: Path,
    *,
    thesaurus: ThesaurusLike | None,
    partners: Mapping[str, Mapping[str, str]] | None,
) -> IndexReport:
    report = IndexReport(path=str(link.resolve()), rebuilt=False)
    try:
        existing = indexed_hashes(ix)
        current = store.document_hashes()
        changed = [u for u, h in current.items() if existing.get(u) != (h or "-")]
        removed = [u for u in existing if u not in current]
        report.unchanged = len(current) - len(changed)
        if not changed and not removed:
            return report
        writer = ix.writer(limitmb=128)
        try:
            for url in removed:
                writer.delete_by_term("doc_url", url)
                report.deleted += 1
            for url in changed:
                doc = store.document(url)
                if doc is None:  # removed while we were reading
                    continue
                if url in existing:
                    writer.delete_by_term("doc_url", url)
                    report.updated += 1
                else:
                    report.added += 1
                report.records += _add(writer, records(doc, thesaurus=thesaurus, partners=partners))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return report
    finally:
        ix.close()
