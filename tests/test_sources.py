"""The sources file: partners load with their scope, and mistakes are named clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.errors import SourcesError
from ingest.sources import Partner, load_sources, normalize_url

GOOD = """
[[partner]]
id = "safer-example"
name = "Safer Example Partnership"
type = "CSP"
area = "Example"
homepage = "https://www.example.gov.uk/"
start = ["https://WWW.Example.gov.uk:443/community-safety/plan.html#top"]
max_depth = 1
notes = "kept as extra"

[[partner]]
id = "example-police"
name = "Example Police"
type = "Police"
start = "https://police.example.org/about/strategy/"
scope = ["https://police.example.org/"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_partners_load_with_default_scope_and_extras(tmp_path: Path) -> None:
    csp, police = load_sources(write(tmp_path, GOOD))
    assert csp.id == "safer-example" and csp.type == "CSP" and csp.max_depth == 1
    assert csp.start == ("https://www.example.gov.uk/community-safety/plan.html",)
    assert csp.scope == ("https://www.example.gov.uk/community-safety/",)
    assert csp.extra == {"notes": "kept as extra"}
    assert police.start == ("https://police.example.org/about/strategy/",)
    assert police.scope == ("https://police.example.org/",)
    assert police.max_depth is None


def test_scope_covers_the_directory_only(tmp_path: Path) -> None:
    csp, police = load_sources(write(tmp_path, GOOD))
    assert csp.in_scope("https://www.example.gov.uk/community-safety/deep/page.pdf")
    assert csp.in_scope("http://www.example.gov.uk/community-safety/other.html")
    assert not csp.in_scope("https://www.example.gov.uk/planning/")
    assert not csp.in_scope("https://other.example.gov.uk/community-safety/")
    assert police.in_scope("https://police.example.org/news/")


def test_url_normalisation() -> None:
    assert normalize_url("HTTP://Example.ORG:80/a/b?x=1#frag") == "http://example.org/a/b?x=1"
    assert normalize_url("https://example.org") == "https://example.org/"
    assert normalize_url("https://example.org:8443/x") == "https://example.org:8443/x"
    spaced = "https://example.org/docs/Plan 2021-24.pdf?a=b c"
    assert normalize_url(spaced) == "https://example.org/docs/Plan%202021-24.pdf?a=b%20c"
    assert normalize_url(normalize_url(spaced)) == normalize_url(spaced)
    assert normalize_url("https://example.org/caf\u00e9") == "https://example.org/caf%C3%A9"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[partner]]\nname = "X"\nstart = "https://x.org/"\n', "partner entry 1 has no 'id'"),
        ('[[partner]]\nid = "x"\nstart = "https://x.org/"\n', "partner 'x': missing 'name'"),
        ('[[partner]]\nid = "x"\nname = "X"\n', "partner 'x': missing 'start'"),
        (
            '[[partner]]\nid = "x"\nname = "X"\ntype = "Council"\nstart = "https://x.org/"\n',
            "partner 'x': unknown type 'Council'",
        ),
        (
            '[[partner]]\nid = "x"\nname = "X"\nstart = "ftp://x.org/"\n',
            "partner 'x': 'start' URL 'ftp://x.org/' is not an http(s) URL",
        ),
        (
            '[[partner]]\nid = "x"\nname = "X"\nstart = "https://x.org/"\nmax_depth = -1\n',
            "partner 'x': bad max_depth -1",
        ),
        (
            '[[partner]]\nid = "x"\nname = "X"\nstart = "https://x.org/"\n'
            '[[partner]]\nid = "x"\nname = "Y"\nstart = "https://y.org/"\n',
            "partner 'x' (entry 2) has the same id as entry 1",
        ),
        ('[[partner]]\nid = "x"\nname = "X\n', "TOML syntax error"),
        ('title = "no partners"\n', "no [[partner]] tables"),
    ],
)
def test_mistakes_name_the_partner_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(SourcesError) as info:
        load_sources(write(tmp_path, text))
    assert expected in str(info.value)


def test_syntax_error_gives_the_line(tmp_path: Path) -> None:
    text = GOOD + '\n[[partner]]\nid = "broken\n'
    with pytest.raises(SourcesError, match=r"line 2[0-9]"):
        load_sources(write(tmp_path, text))


def test_missing_file_is_a_sources_error(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "nope.toml")


def test_partner_can_be_built_directly() -> None:
    p = Partner(id="x", name="X", start=("https://a.example/dir/page",))
    assert p.scope == ("https://a.example/dir/",)


@given(
    host=st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}(\.[A-Za-z]{2,5}){1,2}", fullmatch=True),
    path=st.from_regex(r"(/[a-z0-9._-]{0,8}){0,4}/?", fullmatch=True),
    query=st.from_regex(r"([a-z]=[0-9]{1,3})?", fullmatch=True),
    fragment=st.from_regex(r"[a-z]{0,5}", fullmatch=True),
)
def test_normalisation_is_stable(host: str, path: str, query: str, fragment: str) -> None:
    url = f"HTTPS://{host}:443{path}" + (f"?{query}" if query else "") + f"#{fragment}"
    once = normalize_url(url)
    assert normalize_url(once) == once  # idempotent
    assert "#" not in once and ":443" not in once and once.startswith("https://" + host.lower())
    assert query in once
    p = Partner(id="x", name="X", start=(url,))
    assert p.in_scope(url)  # a start URL is always in its own scope
