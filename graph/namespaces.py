"""The vocabularies of the knowledge graph and the URI scheme of its resources.

Standard vocabularies first (W3C ORG, SKOS, DCTERMS, PROV-O, OWL-Time, Web
Annotation); the project namespace ``SKG`` holds only what they lack.

    >>> str(partner_uri("safer-leicester"))
    'https://w3id.org/saferkg/id/partner/safer-leicester'
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/saferkg/"
SKG = Namespace(BASE + "def#")
ID = Namespace(BASE + "id/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")

PREFIXES: dict[str, Any] = {
    "skg": SKG,
    "org": ORG,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "oa": OA,
    "time": TIME,
    "foaf": FOAF,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
}

__all__ = [
    "BASE",
    "DCTERMS",
    "FOAF",
    "ID",
    "iri",
    "OA",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SKG",
    "SKOS",
    "TIME",
    "XSD",
    "bind_prefixes",
    "body_uri",
    "document_uri",
    "partner_uri",
    "priority_uri",
    "sparql_prologue",
    "theme_uri",
    "url_key",
]


def url_key(url: str) -> str:
    """The short stable key of a URL: the first 16 hex digits of its SHA-1."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def iri(url: str) -> URIRef:
    """A URL as an IRI: spaces and other characters IRIs forbid are percent-encoded."""
    return URIRef(quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~"))


def partner_uri(pid: str) -> URIRef:
    return ID[f"partner/{pid}"]


def body_uri(bid: str) -> URIRef:
    return ID[f"body/{bid}"]


def theme_uri(tid: str) -> URIRef:
    return ID[f"theme/{tid}"]


def document_uri(url: str) -> URIRef:
    return ID[f"document/{url_key(url)}"]


def priority_uri(url: str, order: int) -> URIRef:
    """A priority: the document it is stated in and its position there."""
    return ID[f"priority/{url_key(url)}-{order}"]


def snapshot_uri(url: str, content_hash: str) -> URIRef:
    """One fetched version of a document (a prov:Entity)."""
    return ID[f"snapshot/{url_key(url)}-{content_hash[:12]}"]


def bind_prefixes(g: Graph) -> Graph:
    """Bind the usual prefixes so Turtle output reads well."""
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    g.bind("id", ID)
    return g


def sparql_prologue() -> str:
    """PREFIX lines for every vocabulary, prepended to user queries that lack them."""
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()]
    lines.append(f"PREFIX id: <{ID}>")
    return "\n".join(lines) + "\n"
