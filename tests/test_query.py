"""Queries as a person types them: synonyms, typos, operators, filters, facets, paging, bad input."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_support import PARTNERS, fill_store, make_doc, sample_docs, thesaurus  # noqa: F401

from ingest.store import Store
from search.errors import QueryError
from search.index import build_index
from search.query import MAX_QUERY_CHARS, Searcher, highlight
from search.scoring import QueryScorer


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, thesaurus) -> Path:  # type: ignore[no-untyped-def]  # noqa: F811
    data = fill_store(tmp_path_factory.mktemp("q") / "data", sample_docs())
    with Store.open(data) as store:
        build_index(store, data / "index", thesaurus=thesaurus, partners=PARTNERS)
    return data


@pytest.fixture(scope="module")
def searcher(data: Path, thesaurus) -> Iterator[Searcher]:  # type: ignore[no-untyped-def]  # noqa: F811
    with Searcher.open(data / "index", thesaurus=thesaurus) as s:
        yield s


def urls(result: dict) -> list[str]:  # type: ignore[type-arg]
    return [h["url"] for h in result["hits"]]


def test_result_has_the_documented_shape(searcher: Searcher) -> None:
    r = searcher.search("county lines")
    assert {"query", "total", "page", "pages", "facets", "suggestion", "hits"} <= r.keys()
    assert set(r["facets"]) == {"partner", "theme", "kind", "year"}
    hit = r["hits"][0]
    for key in ("url", "title", "partner", "partner_id", "section", "snippet", "score"):
        assert key in hit
    assert {"kind", "period", "passages"} <= hit.keys()


def test_asb_finds_passages_that_say_anti_social_behaviour(searcher: Searcher) -> None:
    r = searcher.search("ASB")
    plan = next(h for h in r["hits"] if h["url"] == "https://town.example/plan")
    assert "<mark>anti</mark>-<mark>social</mark> <mark>behaviour</mark>" in plan["snippet"]
    assert "https://county.example/strategy.pdf" in urls(r)


def test_da_finds_domestic_abuse(searcher: Searcher) -> None:
    r = searcher.search("DA")
    assert urls(r) == ["https://town.example/plan"]
    assert "<mark>domestic</mark> <mark>abuse</mark>" in r["hits"][0]["snippet"]


def test_typos_still_find_the_passage_and_suggest_a_spelling(searcher: Searcher) -> None:
    r = searcher.search("anti social behavour")
    assert "https://town.example/plan" in urls(r)
    assert r["suggestion"] == "anti social behaviour"
    assert searcher.search("county lines")["suggestion"] is None


def test_phrases_match_the_words_in_order(searcher: Searcher) -> None:
    assert urls(searcher.search('"people zones"')) == ["https://opcc.example/governance.pdf"]
    assert urls(searcher.search('"residents bring"')) == []


def test_operators_and_prefixes(searcher: Searcher) -> None:
    assert set(urls(searcher.search("county AND lines"))) == {
        "https://town.example/plan",
        "https://town.example/minutes.pdf",
    }
    assert urls(searcher.search("county lines NOT briefing")) == ["https://town.example/plan"]
    assert set(urls(searcher.search("Sentinel OR JAGs"))) == {
        "https://county.example/strategy.pdf",
        "https://opcc.example/governance.pdf",
    }
    assert urls(searcher.search("Sentin*")) == ["https://county.example/strategy.pdf"]


def test_filters_as_arguments_and_inline(searcher: Searcher) -> None:
    both = {"https://town.example/plan", "https://town.example/minutes.pdf"}
    assert set(urls(searcher.search("county lines", partner="safer-town"))) == both
    assert set(urls(searcher.search("county lines partner:safer-town"))) == both
    assert urls(searcher.search("county lines", kind="pdf")) == ["https://town.example/minutes.pdf"]
    assert urls(searcher.search("county lines year:2022")) == ["https://town.example/plan"]
    assert urls(searcher.search("", theme="hate-crime")) == ["https://county.example/strategy.pdf"]
    with pytest.raises(QueryError, match="unknown theme"):
        searcher.search("x", theme="no such theme at all")


def test_facets_count_matching_documents_per_value(data: Path, searcher: Searcher) -> None:
    with Store.open(data) as store:
        docs = list(store.documents())
    for word in ("county", "reporting", "priorities"):
        r = searcher.search(word)
        expected: dict[str, int] = {}
        for d in docs:
            if word in d.text.lower():
                expected[d.partner] = expected.get(d.partner, 0) + 1
        got = {f["value"]: f["count"] for f in r["facets"]["partner"]}
        assert got == expected
        assert r["total"] == sum(expected.values())
    labels = {f["value"]: f["label"] for f in searcher.search("county")["facets"]["partner"]}
    assert labels["county"] == "County Council"


def test_hits_are_grouped_per_document_with_their_best_passages(tmp_path: Path, thesaurus) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    sections = [(f"Part {i}", [f"Burglary figures for ward {i}."]) for i in range(6)]
    data = fill_store(tmp_path / "d", [make_doc("https://x.example/a", "county", "A", sections)])
    with Store.open(data) as store:
        build_index(store, data / "index", thesaurus=thesaurus)
    with Searcher.open(data / "index", thesaurus=thesaurus) as s:
        r = s.search("burglary figures")
    assert r["total"] == 1 and len(r["hits"]) == 1
    assert len(r["hits"][0]["passages"]) == 3


def test_snippets_escape_crawled_html(searcher: Searcher) -> None:
    r = searcher.search("alert form")
    snippet = r["hits"][0]["snippet"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>alert</mark>" in snippet
    assert highlight("a <b> & c", {"c"}) == "a &lt;b&gt; &amp; <mark>c</mark>"


def test_sort_by_date_and_pagination(searcher: Searcher) -> None:
    by_date = searcher.search("community OR county OR people", sort="date", limit=10)
    dates = [h["date"] for h in by_date["hits"]]
    assert dates == sorted(dates, reverse=True)
    first = searcher.search("community OR county OR people", limit=2, page=1)
    second = searcher.search("community OR county OR people", limit=2, page=2)
    assert first["pages"] == second["pages"] == (first["total"] + 1) // 2
    assert not set(urls(first)) & set(urls(second))
    with pytest.raises(QueryError):
        searcher.search("x", sort="colour")
    with pytest.raises(QueryError):
        searcher.search("x", page=0)


def test_empty_query_lists_every_document(searcher: Searcher) -> None:
    r = searcher.search("")
    assert r["total"] == 4 and "every document" in r["note"]


def test_stray_operators_and_long_queries_give_an_answer(searcher: Searcher) -> None:
    for q in ("AND", "NOT NOT", "(((", '"county lines', "county ) lines (", "OR OR county"):
        r = searcher.search(q)
        assert isinstance(r["total"], int)
    assert searcher.search('"county lines')["total"] == 2
    long = searcher.search("county " * 200)
    assert "truncated" in long["note"] and len(long["query"]) <= MAX_QUERY_CHARS


def test_searcher_follows_incremental_updates_and_rebuilds(tmp_path: Path) -> None:
    data = fill_store(tmp_path / "d", sample_docs())
    with Store.open(data) as store:
        build_index(store, data / "index")
        with Searcher.open(data / "index") as s:
            assert s.search("knives")["total"] == 0
            store.save_document(make_doc("https://n.example/k", "opcc", "K", [("K", ["knives"])]))
            build_index(store, data / "index")
            assert s.search("knives")["total"] == 1
            store.remove_document("https://n.example/k")
            build_index(store, data / "index", rebuild=True)
            assert s.search("knives")["total"] == 0


SCORED_QUERIES = [
    "county lines",
    "ASB",
    "DA",
    "anti social behavour",
    '"people zones"',
    "county AND lines",
    "county lines NOT briefing",
    "Sentinel OR JAGs",
    "knife*",
    "community safety plan",
    "residents",
]


def test_ranking_and_scores_are_whooshs_own_after_an_edit(tmp_path: Path, thesaurus) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    # An edited document leaves deleted records in the first segment and adds
    # a second one: the cached posting tables must skip the old records.
    data = fill_store(tmp_path / "d", sample_docs())
    with Store.open(data) as store:
        build_index(store, data / "index", thesaurus=thesaurus, partners=PARTNERS)
        store.save_document(
            make_doc(
                "https://town.example/plan",
                "safer-town",
                "Community Safety Plan 2021-2024",
                [("Priorities", ["Knife crime and county lines, with residents."])],
            )
        )
        assert build_index(store, data / "index", thesaurus=thesaurus).updated == 1
    with Searcher.open(data / "index", thesaurus=thesaurus) as s:
        plan = next(h for h in s.search("knife")["hits"] if h["url"].endswith("/plan"))
        assert "anti-social" not in plan["snippet"]
        assert "https://town.example/plan" not in urls(s.search("anti social behaviour"))
        ws, view = s._ensure()
        scorer = QueryScorer(ws)
        for q in SCORED_QUERIES:
            query, _ = s._parse(ws, q)
            assert query is not None
            theirs = {h[1]: h[0] for h in ws.search(query, limit=None).top_n}
            ours = {d: sc for sc, d in scorer.scored(query)}
            assert ours.keys() == theirs.keys(), q
            assert all(ours[d] == pytest.approx(theirs[d]) for d in ours), q


def test_threads_can_share_one_searcher_while_the_index_is_rebuilt(tmp_path: Path) -> None:
    data = fill_store(tmp_path / "d", sample_docs())
    errors: list[BaseException] = []
    with Store.open(data) as store:
        build_index(store, data / "index")
    with Searcher.open(data / "index") as s:

        def work() -> None:
            try:
                for _ in range(20):
                    assert s.search("county lines")["total"] == 2
            except BaseException as e:  # collected and re-raised in the test thread
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        with Store.open(data) as store:
            for _ in range(3):
                build_index(store, data / "index", rebuild=True)
        for t in threads:
            t.join()
    assert not errors


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.text(max_size=80),
        st.lists(
            st.sampled_from(
                [
                    '"',
                    "(",
                    ")",
                    "AND",
                    "OR",
                    "NOT",
                    "*",
                    "~",
                    ":",
                    "partner:",
                    "county",
                    "ASB",
                    "\x00",
                    "😀",
                    "שלום",
                    "\u202e",
                    "year:abc",
                ]
            ),
            max_size=12,
        ).map(" ".join),
    )
)
def test_any_input_gives_a_result_or_a_clear_error(searcher: Searcher, q: str) -> None:
    try:
        r = searcher.search(q)
    except QueryError as e:
        assert str(e)
        return
    assert r["total"] >= 0 and isinstance(r["hits"], list)
    for h in r["hits"]:
        assert "<script" not in h["snippet"]
