"""One entry point from fetched bytes to a :class:`~ingest.model.Document`.

>>> doc = extract(b"<html><title>Plan</title><p>Our plan for 2021-2024.</p></html>",
...               "https://example.org/plan")
>>> doc.kind, doc.period, doc.content_type
('html', '2021-2024', 'text/html')
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .errors import UnsupportedContent
from .html import extract_html
from .mirror import sniff_type
from .model import Document, content_hash
from .pdf import extract_pdf

HTML_TYPES = {"text/html", "application/xhtml+xml"}
PDF_TYPES = {"application/pdf", "application/x-pdf"}


def extract(
    body: bytes,
    url: str,
    *,
    content_type: str = "",
    partner: str = "",
    fetched_at: str = "",
) -> Document:
    """Extract an HTML page or a PDF; UnsupportedContent for anything else."""
    kind = sniff_type(body, content_type, urlsplit(url).path)
    if kind in HTML_TYPES:
        doc = extract_html(
            body, url, content_type=content_type, partner=partner, fetched_at=fetched_at
        )
    elif kind in PDF_TYPES:
        doc = extract_pdf(body, url, partner=partner, fetched_at=fetched_at)
    else:
        raise UnsupportedContent(f"{url}: cannot extract {kind or 'unknown'} content")
    doc.content_hash = content_hash(body)
    doc.content_type = kind
    return doc
