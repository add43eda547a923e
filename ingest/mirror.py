"""Where a URL lives in the bundled offline mirror (``corpus/sites``).

The mapping is shared by the fetcher that reads the mirror and the script
that writes it, so the two can never disagree:

- ``sites/<host>/<path>`` with the path percent-decoded;
- a path that is empty or ends in ``/`` gets ``index.html``;
- a last segment without a dot (``/downloads/file/4294/plan``) becomes a
  folder holding a file named ``index``: such URLs often serve PDFs, and the
  fetcher sniffs the type from the bytes;
- a query string is kept in the file name after ``@``, percent-encoded.

    >>> url_to_path("https://www.example.gov.uk/a/b/")
    'www.example.gov.uk/a/b/index.html'
    >>> url_to_path("https://www.example.gov.uk/files/Plan%202017-20.pdf")
    'www.example.gov.uk/files/Plan 2017-20.pdf'
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit


def url_to_path(url: str) -> str:
    """The mirror path (relative to ``corpus/sites``) of an http(s) URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}_{parts.port}"
    path = unquote(parts.path or "/")
    segments = [s for s in path.split("/") if s not in ("", ".", "..")]
    if path.endswith("/") or not segments:
        segments.append("index.html")
    elif "." not in segments[-1]:
        segments.append("index")
    if parts.query:
        segments[-1] += "@" + quote(parts.query, safe="")
    return "/".join([host.lower(), *segments])


def sniff_type(body: bytes, declared: str = "", path: str = "") -> str:
    """The content type from the bytes first, then the declared type, then the extension."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    lowered = head[:256].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<!--")):
        return "text/html"
    declared = declared.split(";")[0].strip().lower()
    if declared:
        return declared
    lower_path = path.lower()
    if lower_path.endswith(".pdf"):
        return "application/pdf"
    if lower_path.endswith((".html", ".htm")) or lower_path.endswith("/index.html"):
        return "text/html"
    if lower_path.endswith(".txt"):
        return "text/plain"
    if head.startswith(b"<"):
        return "text/html"
    return "application/octet-stream"
