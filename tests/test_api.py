"""The JSON API and the SPARQL endpoint on the bundled corpus: shapes, errors, agreement with pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from web_support import build_corpus, saferkg

from saferkg.settings import Settings
from webapp import create_app


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("api") / "data")


@pytest.fixture(scope="module")
def app(corpus_dir: Path) -> Flask:
    return create_app({"DATA_DIR": corpus_dir})


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


OK_ROUTES = {
    "/api/": ["endpoints"],
    "/api/search?q=county+lines": ["query", "total", "facets", "suggestion", "hits"],
    "/api/shared?theme=domestic+abuse": ["theme", "holders"],
    "/api/gaps": ["partner", "against", "missing", "expired_strategies", "mismatches"],
    "/api/gaps?partner=safer-leicester": ["missing"],
    "/api/route?from=JAG&to=SPB": ["from", "to", "path", "side_routes"],
    "/api/route?theme=hate": ["theme"],
    "/api/duplicates": ["themes", "statements"],
    "/api/themes": ["themes"],
    "/api/themes/asb": ["theme", "holders", "broader", "narrower"],
    "/api/priorities": ["priorities"],
    "/api/priorities?partner=safer-leicester&unmatched=1": ["priorities"],
    "/api/matrix": ["themes", "rows"],
    "/api/matrix?type=CSP": ["themes", "rows"],
    "/api/partners": ["partners"],
    "/api/partners/safer-leicester": ["partner", "strategies", "priorities", "documents"],
    "/api/documents": ["documents"],
    "/api/links": ["links", "counts"],
    "/api/csa": ["partners", "priorities"],
    "/api/review": ["missing", "expired_strategies", "mismatches", "duplicates"],
    "/api/about": ["last_run", "counts"],
    "/api/bodies": ["bodies"],
}


@pytest.mark.parametrize("path", sorted(OK_ROUTES))
def test_every_api_route_answers_its_shape(client: FlaskClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "application/json"
    data = r.get_json()
    for key in OK_ROUTES[path]:
        assert key in data, key


def test_shared_theme_lists_holders_with_their_passages(client: FlaskClient) -> None:
    data = client.get("/api/shared", query_string={"theme": "domestic abuse"}).get_json()
    assert data["theme"]["id"] == "domestic-abuse"
    assert len({h["partner_id"] for h in data["holders"]}) >= 2
    for h in data["holders"]:
        assert h["evidence"] and h["source_url"].startswith("http")


def test_route_jag_to_spb_follows_the_formal_chain(client: FlaskClient) -> None:
    data = client.get("/api/route", query_string={"from": "JAG", "to": "SPB"}).get_json()
    assert [s["id"] for s in data["path"]] == ["jag", "csp", "sog", "lscsb", "spb"]
    assert all(s["role"] for s in data["path"])
    assert [s["id"] for s in data["back"]["path"]][0] == "spb"  # and the route back down


def test_unknown_names_are_404_with_did_you_mean(client: FlaskClient) -> None:
    for path in ("/api/themes/domestic-abuze", "/api/shared?theme=domestic+abuze"):
        r = client.get(path)
        assert r.status_code == 404
        err = r.get_json()["error"]
        assert err["status"] == 404 and "did you mean" in err["message"]
        assert "domestic abuse" in err["suggestions"]
    page = client.get("/themes/domestic-abuze")
    assert page.status_code == 404 and "Did you mean" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/api/search",
        "/api/search?q=",
        "/api/shared",
        "/api/route",
        "/api/route?from=JAG",
        "/api/documents/one",
        "/api/search?q=x&page=0",
        "/api/search?q=x&limit=1000",
        "/api/search?q=" + "county+" * 200,
        "/sparql",
    ],
)
def test_missing_or_bad_parameters_are_400(client: FlaskClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 400
    assert r.get_json()["error"]["message"]


ERROR_REQUESTS = [
    ("GET", "/api/search", None, 400),
    ("GET", "/api/themes/no-such-theme", None, 404),
    ("GET", "/api/partners/no-such-partner", None, 404),
    ("GET", "/api/route?from=JAG&to=nowhere", None, 404),
    ("GET", "/api/documents/one?url=https://example.org/none", None, 404),
    ("GET", "/api/no-such-endpoint", None, 404),
    ("POST", "/api/search?q=x", None, 405),
    ("GET", "/sparql?query=INSERT+DATA+%7B%3Ca%3E+%3Cb%3E+%3Cc%3E%7D", None, 400),
    ("GET", "/sparql?query=SELEC+nonsense", None, 400),
    ("POST", "/sparql", {"query": "x" * 300_000}, 413),
]


def test_one_json_error_shape_for_every_error(client: FlaskClient) -> None:
    for method, path, form, status in ERROR_REQUESTS:
        r = client.open(path, method=method, data=form)
        assert r.status_code == status, path
        body = r.get_json()
        assert set(body) == {"error"}, path
        assert body["error"]["status"] == status
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]
        assert "Traceback" not in r.get_data(as_text=True)
        assert set(body["error"]) <= {"status", "message", "suggestions"}


SELECT = "SELECT ?theme ?label WHERE { ?theme a skos:Concept ; skos:prefLabel ?label } LIMIT 5"


def test_sparql_get_answers_results_json(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": SELECT})
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+json"
    data = r.get_json(force=True)
    assert data["head"]["vars"] == ["theme", "label"]
    assert len(data["results"]["bindings"]) == 5


def test_sparql_csv_by_accept_or_format_and_post_forms(client: FlaskClient) -> None:
    by_accept = client.get(
        "/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"}
    )
    by_format = client.post("/sparql", data={"query": SELECT, "format": "csv"})
    for r in (by_accept, by_format):
        assert r.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
        assert rows[0] == ["theme", "label"] and len(rows) == 6
    body = client.post(
        "/sparql", data=SELECT.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert len(body.get_json(force=True)["results"]["bindings"]) == 5


def test_sparql_escalation_chain_by_property_path(client: FlaskClient) -> None:
    q = "SELECT ?up WHERE { body:jag saferkg:escalatesTo+ ?up }"
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": "text/csv"})
    if r.status_code == 400:  # prefix names differ: fall back to the full IRIs
        q = (
            "SELECT ?up WHERE { <https://w3id.org/saferkg/id/body/jag> "
            "<https://w3id.org/saferkg/def#escalatesTo>+ ?up }"
        )
        r = client.get("/sparql", query_string={"query": q}, headers={"Accept": "text/csv"})
    text = r.get_data(as_text=True)
    assert "id/body/spb" in text and "id/body/lscsb" in text


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "GET", "query_string": {"query": "DELETE WHERE { ?s ?p ?o }"}},
        {"method": "POST", "data": {"update": "CLEAR ALL"}},
        {
            "method": "POST",
            "data": b"DROP ALL",
            "headers": {"Content-Type": "application/sparql-update"},
        },
        {"method": "POST", "data": {"query": "LOAD <http://example.org/x>"}},
    ],
)
def test_sparql_updates_are_refused(client: FlaskClient, request_kwargs: dict) -> None:
    r = client.open("/sparql", **request_kwargs)
    assert r.status_code == 400
    assert "read-only" in r.get_json()["error"]["message"]
    # and the graph is untouched
    after = client.get("/api/themes").get_json()
    assert len(after["themes"]) > 10


def test_sparql_row_limit_and_timeout_come_from_settings(corpus_dir: Path) -> None:
    settings = replace(Settings.from_env(env={}, data_dir=corpus_dir), sparql_row_limit=3)
    with create_app({"SETTINGS": settings}).test_client() as c:
        data = c.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}).get_json(
            force=True
        )
        assert len(data["results"]["bindings"]) == 3 and data["truncated"] is True
    slow = replace(settings, sparql_timeout=0.05, sparql_row_limit=10_000_000)
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with create_app({"SETTINGS": slow}).test_client() as c:
        r = c.get("/sparql", query_string={"query": heavy})
        assert r.status_code == 400
        assert "longer than" in r.get_json()["error"]["message"]


def test_matrix_page_and_api_agree(client: FlaskClient) -> None:
    api = client.get("/api/matrix").get_json()
    html = client.get("/priorities").get_data(as_text=True)
    held = sum(1 for r in api["rows"] for c in r["cells"].values() if c.get("count"))
    assert held > 0 and html.count('class="govuk-table__cell app-cell--held"') == held
    gaps = sum(1 for r in api["rows"] for c in r["cells"].values() if c.get("gap"))
    assert html.count("app-cell--gap") == gaps
    for row in api["rows"]:
        assert row["partner"].replace("&", "&amp;") in html


def test_matrix_csv_has_a_row_per_theme_like_the_page(client: FlaskClient) -> None:
    api = client.get("/api/matrix").get_json()
    r = client.get("/priorities.csv")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0][1:] == [p["partner"] for p in api["rows"]]
    assert [row[0] for row in rows[1:]] == [t["label"] for t in api["themes"]]
    first = api["rows"][0]
    held = next(t for t in api["themes"] if first["cells"].get(t["id"], {}).get("count"))
    row = next(row for row in rows[1:] if row[0] == held["label"])
    assert row[1].startswith(first["cells"][held["id"]]["text"])


def test_csa_downloads_as_csv_and_xlsx(client: FlaskClient) -> None:
    api = client.get("/api/csa").get_json()
    rows = list(csv.reader(io.StringIO(client.get("/csa.csv").get_data(as_text=True))))
    assert len(rows) == len(api["partners"]) + 1
    r = client.get("/csa.xlsx")
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["Partners", "Priorities"]
    assert wb["Partners"].max_row == len(api["partners"]) + 1
    assert wb["Priorities"].max_row == len(api["priorities"]) + 1


def test_review_pack_names_ended_strategies_and_mismatched_labels(client: FlaskClient) -> None:
    api = client.get("/api/review").get_json()
    html = client.get("/review").get_data(as_text=True)
    for m in api["mismatches"]:
        assert m["anchor"] in html
    for s in api["expired_strategies"]:
        assert s["url"] in html.replace("&amp;", "&") or s["strategy"] in html


def test_theme_page_shows_holders_and_their_passages(client: FlaskClient) -> None:
    api = client.get("/api/themes/domestic-abuse").get_json()
    html = client.get("/themes/domestic-abuse").get_data(as_text=True)
    assert f"Who holds it ({len(api['holders'])})" in html
    for b in api["broader"]:
        assert f'href="/themes/{b["id"]}"' in html


def test_partner_page_shows_strategies_with_status(client: FlaskClient) -> None:
    api = client.get("/api/partners/safer-leicester").get_json()
    html = client.get("/partners/safer-leicester").get_data(as_text=True)
    assert api["strategies"]
    status = api["strategies"][0]["status"]
    assert {"current": "Current", "ended": "Ended"}.get(status, status) in html
    assert f"Priorities ({len(api['priorities'])})" in html


def test_route_page_draws_the_chain_with_roles_and_sources(client: FlaskClient) -> None:
    html = client.get("/routes", query_string={"from": "jag", "to": "spb"}).get_data(as_text=True)
    for abbr in ("JAG", "CSP", "SOG", "LSCSB", "SPB"):
        assert f'<span class="app-chain__abbr">{abbr}</span>' in html
    assert "Side routes" in html and "Evidence for this line" in html
    theme = client.get("/routes", query_string={"theme": "hate"}).get_data(as_text=True)
    assert "Monitored by" in theme


def test_a_rebuilt_graph_is_picked_up_without_a_restart(tmp_path: Path, corpus_dir: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(corpus_dir, data, symlinks=True)
    with create_app({"DATA_DIR": data}).test_client() as c:
        before = c.get("/api/about").get_json()["graph"]["path"]
        done = saferkg(data, "graph")
        assert done.returncode == 0, done.stderr
        after = c.get("/api/about").get_json()["graph"]["path"]
        assert after != before
        assert c.get("/api/themes/asb").status_code == 200


def test_csa_shows_the_agreements_own_strategy_link_when_no_plan_was_crawled(
    client: FlaskClient,
) -> None:
    rows = {r["partner_id"]: r for r in client.get("/api/csa").get_json()["partners"]}
    shared_csp = rows["blaby-hinckley-csp"]
    # The agreement's label names one period while its link names another: both shown.
    assert shared_csp["strategy"] == "Hinckley and Bosworth 2017-20"
    assert shared_csp["url"].endswith("community_safety_strategy_2014-2017")
    assert shared_csp["status"] == "not crawled" and shared_csp["link"] == "not_archived"
    assert rows["safer-leicester"]["status"] in ("current", "ended")
    page = client.get("/csa").get_data(as_text=True)
    assert "The agreement&#39;s own link" in page or "The agreement's own link" in page
