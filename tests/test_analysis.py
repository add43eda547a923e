"""Analyses on the bundled corpus: routes, shared priorities, gaps, duplicates, matrix."""

from __future__ import annotations

import pytest
from graph_support import corpus_data, knowledge

from graph.errors import UnknownName
from graph.knowledge import Knowledge


@pytest.fixture(scope="module")
def k(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return knowledge(corpus_data(tmp_path_factory.getbasetemp()))


def test_route_from_jag_to_spb_follows_the_formal_chain_with_roles_and_sources(
    k: Knowledge,
) -> None:
    r = k.route("JAG", "SPB")
    assert [s["id"] for s in r["path"]] == ["jag", "csp", "sog", "lscsb", "spb"]
    assert r["direction"] == "up" and r["formal"]
    for step in r["path"]:
        assert step["role"] and step["source"]["passage"] and step["source"]["url"]
    # Each step after the first says which documented line leads to it.
    assert {s["line"]["property"] for s in r["path"][1:]} == {"escalatesTo"}
    assert "escalate issues up" in r["path"][1]["line"]["source"]["passage"]
    side = {(s["from_id"], s["to_id"], s["property"]) for s in r["side_routes"]}
    assert ("body:sog", "body:spb", "feedsInto") in side


def test_route_back_down_and_names_are_forgiving(k: Knowledge) -> None:
    r = k.route("strategic partnership board", "Joint Action Groups")
    assert [s["id"] for s in r["path"]] == ["spb", "lscsb", "sog", "csp", "jag"]
    assert r["direction"] == "down"
    # A partner enters the chain at its tier.
    r = k.route("Safer Leicester Partnership", "lscsb")
    assert [s["id"] for s in r["path"]] == ["safer-leicester", "csp", "sog", "lscsb"]


def test_unknown_body_suggests_the_closest_name(k: Knowledge) -> None:
    with pytest.raises(UnknownName) as e:
        k.route("Joint Acton Group", "SPB")
    assert "did you mean" in str(e.value) and "Joint Action Group" in str(e.value)


def test_who_monitors_the_hate_strategy(k: Knowledge) -> None:
    r = k.route_for_theme("hate")
    strategy = r["strategies"][0]
    assert {b["id"] for b in strategy["monitored_by"]} == {"sog", "asb-hate-group"}
    assert [b["id"] for b in strategy["delivered_by"]] == ["hate-prevent-delivery"]
    assert {b["id"] for b in strategy["reports_to"]} == {"csp", "sog"}
    assert all(b["source"]["passage"] for b in strategy["monitored_by"])


def test_shared_domestic_abuse_lists_the_county_priority_and_leicester(k: Knowledge) -> None:
    r = k.shared("domestic abuse")
    assert r["theme"]["id"] == "domestic-abuse"
    by_partner = {h["partner_id"]: h for h in r["holders"]}
    assert "lscsb" in by_partner and "safer-leicester" in by_partner
    county = by_partner["lscsb"]
    assert "domestic abuse" in county["priority"].lower()
    assert county["evidence"] and county["source_url"].startswith("http")
    leicester = by_partner["safer-leicester"]
    assert leicester["matched_label"] and leicester["evidence"]
    # The abbreviation finds the same holders.
    assert {h["partner_id"] for h in k.shared("DA")["holders"]} == set(by_partner)


def test_gaps_for_leicester_against_the_county_wide_priorities(k: Knowledge) -> None:
    r = k.gaps(partner="safer-leicester")
    missing = {m["theme_id"] for m in r["missing"]}
    assert {"cyber-crime", "bullying"} <= missing
    assert "domestic-abuse" not in missing
    # "Reduce harm from alcohol & substance misuse" speaks of substance misuse as a
    # whole: the partner's cross-cutting "Substance misuse" covers it.
    assert not {"alcohol", "substance-misuse"} & missing
    for m in r["missing"]:
        assert m["required_by"] and m["source_url"]


def test_gaps_find_the_link_whose_label_and_document_disagree(k: Knowledge) -> None:
    r = k.gaps()
    hinckley = [m for m in r["mismatches"] if "Hinckley" in m["anchor"]]
    assert hinckley, r["mismatches"]
    assert hinckley[0]["label_period"] == "2017-2020"
    assert hinckley[0]["document_period"] == "2014-2017"


def test_gaps_against_another_partner_and_unknown_partner(k: Knowledge) -> None:
    r = k.gaps(partner="lscsb", against="Safer Leicester Partnership")
    assert r["against"]["partner_id"] == "safer-leicester"
    assert r["required"]
    with pytest.raises(UnknownName):
        k.gaps(partner="Safer Leicster")


def test_duplicates_name_county_and_district_owners(k: Knowledge) -> None:
    r = k.duplicates()
    themes = {t["theme_id"]: t for t in r["themes"]}
    assert "domestic-abuse" in themes
    da = themes["domestic-abuse"]
    assert {h["partner_id"] for h in da["district"]} == {"safer-leicester"}
    assert "lscsb" in {h["partner_id"] for h in da["county"]}
    # The county strategy restates the CSA priorities almost word for word.
    assert any(
        {s["a"]["partner_id"], s["b"]["partner_id"]} == {"lscsb", "lcc"} and s["similarity"] >= 0.8
        for s in r["statements"]
    )
    # Written differently ("&" for "and"), still near-identical.
    near = [s for s in r["statements"] if s["similarity"] < 1.0]
    assert any("alcohol" in s["a"]["text"] and "alcohol" in s["b"]["text"] for s in near)


def test_matrix_and_priorities(k: Knowledge) -> None:
    m = k.matrix("CSP")
    assert {p["id"] for p in m["partners"]} >= {"safer-leicester"}
    cell = m["cells"]["safer-leicester"]["domestic-abuse"]
    assert cell[0]["source_url"] and cell[0]["evidence"]
    rows = k.priorities(partner="Safer Leicester Partnership")["priorities"]
    assert rows and all(r["partner_id"] == "safer-leicester" for r in rows)
    unmatched = k.priorities(unmatched=True)["priorities"]
    assert all(not r["themes"] for r in unmatched)


def test_partners_carry_strategies_and_memberships(k: Knowledge) -> None:
    lcc = k.partner("Leicestershire County Council")
    assert any(m["body"] == "body:lscsb" and m["role"] == "chair" for m in lcc["memberships"])
    slp = k.partner("safer-leicester")
    assert slp["tier"] == "csp" and slp["covers"] == ["Leicester"]
    assert slp["strategies"][0]["status"] == "current"
