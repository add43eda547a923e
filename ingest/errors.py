"""Errors raised by ingest.

IngestError
├── SourcesError          the sources file is malformed (names the partner or line)
├── StoreError            the store file cannot be opened or is too new
├── FetchError            a URL could not be fetched
│   ├── FetchTimeout      connect or read took longer than allowed
│   ├── ConnectFailed     DNS failure or connection refused
│   ├── HttpStatusError   4xx/5xx answer (carries .status)
│   ├── TooLarge          body larger than the size limit
│   ├── TooManyRedirects  redirect loop or chain too long
│   ├── RobotsDisallowed  robots.txt forbids the URL
│   └── NotArchived       offline mode: the URL is not in the bundled mirror
└── ExtractError          a body could not be turned into a document
    ├── UnsupportedContent  neither HTML nor PDF
    └── BrokenPdf           encrypted, corrupt or text-less PDF
"""

from __future__ import annotations


class IngestError(Exception):
    """Base class of every ingest error."""


class SourcesError(IngestError):
    """The sources file has an error; the message names the partner or line."""


class StoreError(IngestError):
    """The document store cannot be used."""


class FetchError(IngestError):
    """A URL could not be fetched."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class FetchTimeout(FetchError):
    """Connecting or reading took longer than the timeout."""


class ConnectFailed(FetchError):
    """DNS failure or connection refused."""


class HttpStatusError(FetchError):
    """The server answered with a 4xx or 5xx status."""


class TooLarge(FetchError):
    """The body is larger than the size limit."""


class TooManyRedirects(FetchError):
    """A redirect loop or a redirect chain longer than allowed."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids the URL for our User-Agent."""


class NotArchived(FetchError):
    """Offline mode: the bundled mirror has no copy of the URL."""


class ExtractError(IngestError):
    """A body could not be turned into a document."""


class UnsupportedContent(ExtractError):
    """The body is neither HTML nor PDF."""


class BrokenPdf(ExtractError):
    """The PDF is encrypted, corrupt or has no text layer."""
