"""The theme thesaurus: valid SKOS, and the matcher on the way partners write their priorities."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, URIRef

from graph.errors import GraphError, UnknownName
from graph.themes import THEME, Thesaurus, normalise


@pytest.fixture(scope="module")
def th() -> Thesaurus:
    return Thesaurus.load()


def ids(th: Thesaurus, text: str) -> set[str]:
    return {m.theme_id for m in th.match(text)}


# -- the scheme ---------------------------------------------------------------


def test_every_concept_is_in_the_scheme_with_a_unique_notation(th: Thesaurus) -> None:
    g = th.graph()
    scheme = URIRef(str(THEME) + "scheme")
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert 35 <= len(concepts) <= 60
    for c in concepts:
        assert (c, SKOS.inScheme, scheme) in g
        assert len(list(g.objects(c, SKOS.prefLabel))) == 1
        assert str(c) == str(THEME) + str(g.value(c, SKOS.notation))
    notations = Counter(str(g.value(c, SKOS.notation)) for c in concepts)
    assert all(n == 1 for n in notations.values())
    assert all(n == n.lower() and " " not in n for n in notations)
    assert set(th.themes) == set(notations)


def test_broader_and_narrower_are_symmetric_without_cycles(th: Thesaurus) -> None:
    g = th.graph()
    for s, o in g.subject_objects(SKOS.broader):
        assert (o, SKOS.narrower, s) in g
    for s, o in g.subject_objects(SKOS.narrower):
        assert (o, SKOS.broader, s) in g
    for tid in th.themes:
        # a theme never sits below itself
        assert tid not in {a for b in th.themes[tid].broader for a in th.ancestors(b)}


def test_top_concepts_are_the_roots(th: Thesaurus) -> None:
    g = th.graph()
    tops = {str(o).rsplit("/", 1)[-1] for o in g.objects(None, SKOS.hasTopConcept)}
    assert tops == set(th.roots())
    assert "domestic-abuse" not in tops and "vawg" in tops


def test_county_lines_sits_under_exploitation_under_serious_organised_crime(
    th: Thesaurus,
) -> None:
    assert {"exploitation", "county-lines", "child-criminal-exploitation"} <= th.descendants("soc")
    assert "county-lines" in th.descendants("exploitation")
    assert th.ancestors("county-lines") == {"county-lines", "exploitation", "soc"}
    assert th.descendants("county-lines") == {"county-lines"}
    assert {"alcohol", "drugs"} <= th.descendants("substance-misuse")


def test_a_broken_thesaurus_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "themes.ttl"
    bad.write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\nthis is not turtle")
    with pytest.raises(GraphError, match="themes.ttl"):
        Thesaurus.load(bad)


# -- matching -----------------------------------------------------------------


def test_abbreviation_and_spellings_of_asb(th: Thesaurus) -> None:
    assert ids(th, "Reduce incidence and impact of ASB") == {"asb"}
    assert ids(th, "anti social behavour") == {"asb"}  # a misspelling (hidden label)
    for text in ("Anti-social behaviour", "anti social behavior", "antisocial behaviours"):
        assert ids(th, text) == {"asb"}, text


def test_match_quotes_the_source_as_written(th: Thesaurus) -> None:
    text = "Continue to reduce Anti-Social Behaviour in town centres"
    [m] = th.match(text)
    assert m.theme_id == "asb"
    assert m.matched_text == "Anti-Social Behaviour" == text[m.start : m.end]
    assert m.label in th.themes["asb"].labels


def test_domestic_and_sexual_violence_is_both_themes(th: Thesaurus) -> None:
    assert ids(th, "Domestic and sexual violence") == {"domestic-abuse", "sexual-violence"}


def test_child_criminal_exploitation_county_lines_is_both_themes(th: Thesaurus) -> None:
    found = ids(th, "Child Criminal Exploitation (County Lines)")
    assert found == {"child-criminal-exploitation", "county-lines"}


def test_prevent_the_programme_is_not_the_verb(th: Thesaurus) -> None:
    assert "prevent" not in ids(th, "Prevention and early intervention")
    assert ids(th, "Prevention and early intervention") == {"early-intervention"}
    assert ids(th, "Prevent Steering Group") == {"prevent"}
    assert "prevent" not in ids(th, "We will work to prevent crime in rural areas")
    assert "prevent" not in ids(th, "Prevent people from re-offending")
    assert "prevent" in ids(th, "Prevent people from being drawn into terrorism")


def test_short_abbreviations_match_only_in_capitals(th: Thesaurus) -> None:
    assert ids(th, "DA needs assessment") == {"domestic-abuse"}
    assert ids(th, "Co-ordinate county DA needs assessment") == {"domestic-abuse"}
    assert ids(th, "the data shows a da capo") == set()
    assert ids(th, "Review of DHRs") == {"domestic-abuse"}


def test_cyber_crime_and_bullying_are_distinct_themes(th: Thesaurus) -> None:
    found = ids(th, "Reduce risk of harm to young people from cyber crime and bullying")
    assert {"cyber-crime", "bullying", "young-people"} <= found
    assert "cyber-crime" in ids(th, "harm from cybercrime")


def test_a_label_inside_a_longer_phrase_of_another_theme_is_not_counted(th: Thesaurus) -> None:
    assert ids(th, "Drug dealing") == {"soc"}
    assert ids(th, "Reduce harm from alcohol and substance misuse") >= {"substance-misuse"}


def test_negative_labels_cancel_only_their_own_theme(th: Thesaurus) -> None:
    # "locality-based plans" is not the localities theme; domestic abuse still counts
    assert ids(th, "locality-based plans to reduce domestic abuse") == {"domestic-abuse"}


def test_text_without_a_theme_matches_nothing(th: Thesaurus) -> None:
    assert th.match("") == []
    assert th.match("Great Communities: people take pride in their local area") == []


def test_leicester_city_delivery_themes(th: Thesaurus) -> None:
    assert ids(th, "Community Safety and ASB in localities") == {"asb", "localities"}
    assert ids(th, "Islamophobia including in educational settings") == {"hate-crime"}
    assert ids(th, "Women’s safety") == {"vawg"}
    assert ids(th, "Reducing re-offending") == {"reoffending"}
    assert ids(th, "Prevent and counter extremism") == {"prevent"}


# -- names and synonyms -------------------------------------------------------


def test_resolve_is_forgiving(th: Thesaurus) -> None:
    asb = th.resolve("ASB")
    assert asb.id == "asb"
    for name in ("anti-social behaviour", "Anti Social Behaviour", "asb", "antisocial behaviours"):
        assert th.resolve(name) is asb
    da = th.resolve("domestic abuse")
    assert th.resolve("Domestic-Abuse") is da and th.resolve("DA") is da
    assert th.resolve("county-lines").label == "county lines"
    assert th.resolve("vulenrability").id == "vulnerability"


def test_unknown_theme_suggests_the_closest(th: Thesaurus) -> None:
    with pytest.raises(UnknownName) as info:
        th.resolve("domestic abus")
    assert str(info.value).endswith('did you mean "domestic abuse"?')
    assert info.value.kind == "theme"
    with pytest.raises(UnknownName):
        th.descendants("no-such-theme")


def test_synonyms_expand_abbreviations_both_ways(th: Thesaurus) -> None:
    syn = th.synonyms()
    assert "anti-social behaviour" in syn["asb"]
    assert "ASB" in syn[normalise("anti-social behaviour")]
    assert "domestic abuse" in syn["da"]
    assert all("behavour" not in label for label in syn["asb"])  # hidden labels stay hidden


def test_normalise_folds_case_punctuation_and_inflection() -> None:
    assert normalise("Anti-Social Behaviours") == normalise("anti social behavior")
    assert normalise("Prevent & Hate") == "prevent and hate"
    assert normalise("Victimization") == normalise("victimisation")


def test_abbreviations_glued_into_others_do_not_count(th: Thesaurus) -> None:
    assert "domestic-abuse" not in ids(th, "The Crime and Disorder Act 1998 (C&DA)")
    assert "domestic-abuse" in ids(th, "LLR SV/DA Service")
    # the generic 4P model in capitals is not the Prevent programme
    assert "prevent" not in ids(th, "the 4Ps: PREVENT, PROTECT, PREPARE AND PURSUE")
