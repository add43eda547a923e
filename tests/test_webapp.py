"""The HTML side of the web app: pages, safety headers, escaping, downloads, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import HOSTILE, serving, small_store

from graph.themes import Thesaurus
from ingest.model import Document, Section
from search.index import build_index
from webapp import create_app


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("web-small") / "data"
    store = small_store(data)
    build_index(store, data / "index", thesaurus=Thesaurus.load())
    store.close()
    return data


@pytest.fixture
def app(small_dir: Path) -> Flask:
    return create_app({"DATA_DIR": small_dir})


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


def test_every_response_carries_the_security_headers(client: FlaskClient) -> None:
    for path in ("/", "/about", "/api/about", "/no-such-page", "/static/app.css"):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"]


def test_pages_have_landmarks_skip_link_and_one_h1(client: FlaskClient) -> None:
    html = client.get("/about").get_data(as_text=True)
    assert 'href="#main-content"' in html and 'id="main-content"' in html
    assert "<header" in html and "<main" in html and "<footer" in html
    assert html.count("<h1") == 1
    assert 'lang="en"' in html
    assert "<script" not in html  # the pages work without JavaScript


def test_about_says_what_is_stored_and_how_to_use_the_api(client: FlaskClient) -> None:
    html = client.get("/about").get_data(as_text=True)
    assert "curl" in html and "/api/search" in html and "/sparql" in html
    data = client.get("/api/about").get_json()
    assert data["counts"]["documents"] == 3


def test_document_list_and_page_show_the_extracted_text(client: FlaskClient) -> None:
    html = client.get("/documents").get_data(as_text=True)
    assert "Community Safety Plan 2021-2024" in html
    page = client.get("/documents/one", query_string={"url": "https://example.org/plan"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Tackling domestic abuse" in text and "2021-2024" in text
    assert "/documents/original?url=" in text


def test_crawled_markup_is_shown_escaped_never_run(client: FlaskClient) -> None:
    page = client.get("/documents/one", query_string={"url": "https://example.org/hostile"})
    text = page.get_data(as_text=True)
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
    assert "&lt;script&gt;alert(&#34;title&#34;)" in text


def test_original_html_is_served_as_plain_text_in_a_sandbox(client: FlaskClient) -> None:
    r = client.get("/documents/original", query_string={"url": "https://example.org/hostile"})
    assert r.status_code == 200
    assert r.mimetype == "text/plain"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert HOSTILE.encode() in r.data  # the source as fetched, to read, not to render


def test_original_pdf_is_served_as_pdf(client: FlaskClient) -> None:
    r = client.get("/documents/original", query_string={"url": "https://example.org/strategy.pdf"})
    assert r.mimetype == "application/pdf" and r.data.startswith(b"%PDF-")


def test_unknown_document_is_a_404_page_without_traceback(client: FlaskClient) -> None:
    r = client.get("/documents/one", query_string={"url": "https://example.org/nope"})
    assert r.status_code == 404
    text = r.get_data(as_text=True)
    assert "https://example.org/nope" in text and "Traceback" not in text
    assert client.get("/documents/one").status_code == 400


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "Page not found" in r.get_data(as_text=True)


def test_link_health_lists_broken_links_with_where_found(client: FlaskClient) -> None:
    text = client.get("/links").get_data(as_text=True)
    assert "https://example.org/gone" in text and "Broken" in text
    assert "https://example.org/plan" in text  # where it was found
    data = client.get("/api/links").get_json()
    assert [link["url"] for link in data["links"]] == ["https://example.org/gone"]


def test_a_request_body_over_the_limit_is_refused(client: FlaskClient) -> None:
    r = client.post("/sparql", data={"query": "x" * 300_000})
    assert r.status_code == 413
    assert r.get_json()["error"]["status"] == 413


def test_pages_needing_the_graph_say_it_is_not_built(tmp_path: Path) -> None:
    app = create_app({"DATA_DIR": tmp_path / "empty"})
    with app.test_client() as c:
        r = c.get("/priorities")
        assert r.status_code == 503 and "saferkg build" in r.get_data(as_text=True)
        assert c.get("/api/matrix").get_json()["error"]["status"] == 503


def test_serve_prints_its_address_and_answers(small_dir: Path) -> None:
    with serving(small_dir) as base:
        r = httpx.get(base + "/about")
        assert r.status_code == 200 and "About this service" in r.text
        assert r.headers["X-Frame-Options"] == "DENY"


def test_search_shows_highlighted_passages_with_crawled_markup_escaped(client: FlaskClient) -> None:
    html = client.get("/", query_string={"q": "county lines"}).get_data(as_text=True)
    assert "<mark>County</mark> <mark>lines</mark>" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html  # the hostile title, shown as text
    assert 'href="https://example.org/hostile"' in html  # the source link


def test_search_facets_are_links_that_filter(client: FlaskClient) -> None:
    html = client.get("/", query_string={"q": "priorities"}).get_data(as_text=True)
    assert "/?q=priorities&amp;partner=example-csp" in html
    filtered = client.get("/", query_string={"q": "crime", "kind": "pdf"}).get_data(as_text=True)
    assert "Strategy 2014-2017" in filtered and "Community Safety Plan" not in filtered
    assert "Remove filter: PDF" in filtered


def test_search_page_and_api_agree(client: FlaskClient) -> None:
    api = client.get("/api/search", query_string={"q": "domestic abuse"}).get_json()
    html = client.get("/", query_string={"q": "domestic abuse"}).get_data(as_text=True)
    assert api["total"] >= 1
    assert f"{api['total']} result" in html
    for hit in api["hits"]:
        assert hit["url"] in html


def test_search_bad_parameters_are_400(client: FlaskClient) -> None:
    assert client.get("/", query_string={"q": "x", "page": "zero"}).status_code == 400
    assert client.get("/", query_string={"q": "x" * 600}).status_code == 400
    r = client.get("/api/search", query_string={"q": "x", "page": "-1"})
    assert r.status_code == 400 and "page" in r.get_json()["error"]["message"]


def test_search_sees_an_updated_index_without_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = small_store(data)
    build_index(store, data / "index", thesaurus=Thesaurus.load())
    with create_app({"DATA_DIR": data}).test_client() as c:
        assert c.get("/api/search", query_string={"q": "shoplifting"}).get_json()["total"] == 0
        doc = Document(
            url="https://example.org/retail",
            partner="example-csp",
            title="Retail crime plan",
            kind="html",
            sections=[Section("Shoplifting", 2, paragraphs=["Tackle shoplifting in towns"])],
            content_hash="retail-1",
        )
        store.save_document(doc, body=b"<p>Tackle shoplifting in towns</p>")
        build_index(store, data / "index", thesaurus=Thesaurus.load())
        hits = c.get("/api/search", query_string={"q": "shoplifting"}).get_json()["hits"]
        assert [h["url"] for h in hits] == ["https://example.org/retail"]
    store.close()
