"""The registry of partners to crawl: ``corpus/sources.toml``.

Each partner is one table in a ``[[partner]]`` array (``[[partners]]`` is
accepted too)::

    [[partner]]
    id = "safer-leicester"
    name = "Safer Leicester Partnership"
    type = "CSP"
    area = "Leicester"
    homepage = "https://www.leicester.gov.uk/"
    start = ["https://www.leicester.gov.uk/community-safety/"]
    # scope defaults to each start URL's directory
    max_depth = 2

Keys that are not listed in :class:`Partner` are kept in ``Partner.extra``.

    >>> p = Partner(id="x", name="X", start=("https://a.example/dir/page",))
    >>> p.scope
    ('https://a.example/dir/',)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from .errors import SourcesError

PARTNER_TYPES = (
    "CSP",
    "LocalAuthority",
    "Police",
    "Fire",
    "Probation",
    "Health",
    "PCC",
    "Board",
    "Other",
)

_KNOWN_KEYS = {"id", "name", "type", "area", "homepage", "start", "scope", "max_depth"}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def normalize_url(url: str) -> str:
    """The URL as the crawler keys it: no fragment, lower-case host, no default port."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    try:
        port = parts.port
    except ValueError:  # a malformed port: keep what was written, so the fetch reports it
        netloc = parts.netloc.lower()
        return urlunsplit(
            (scheme, netloc, quote(parts.path or "/", safe=_PATH_SAFE), parts.query, "")
        )
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    # Percent-encode what must be (spaces, non-ASCII) and keep existing escapes, so that
    # "Plan 2021.pdf" and "Plan%202021.pdf" are one URL.
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    query = quote(parts.query, safe=_QUERY_SAFE)
    return urlunsplit((scheme, host, path, query, ""))


def default_scope(start: str) -> str:
    """A start URL's directory: the URL up to and including the last "/"."""
    url = normalize_url(start)
    parts = urlsplit(url)
    directory = parts.path[: parts.path.rfind("/") + 1] or "/"
    return urlunsplit((parts.scheme, parts.netloc, directory, "", ""))


def _strip_scheme(url: str) -> str:
    return url.split("://", 1)[-1]


@dataclass(frozen=True)
class Partner:
    """One partner organisation and where to crawl its strategies."""

    id: str
    name: str
    type: str = "Other"
    area: str = ""
    homepage: str = ""
    start: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    max_depth: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", tuple(normalize_url(u) for u in self.start))
        if self.scope:
            scope = tuple(normalize_url(u) for u in self.scope)
        else:
            scope = tuple(dict.fromkeys(default_scope(u) for u in self.start))
        object.__setattr__(self, "scope", scope)

    def in_scope(self, url: str) -> bool:
        """Whether a (normalised) URL lies under one of the scope prefixes; http and https alike."""
        bare = _strip_scheme(normalize_url(url))
        return any(bare.startswith(_strip_scheme(s)) for s in self.scope)


def load_sources(path: str | Path) -> list[Partner]:
    """Read and validate a sources file; raises SourcesError naming the partner or line."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise SourcesError(f"{p}: cannot read the sources file: {e.strerror or e}") from e
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise SourcesError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})") from e
    except tomllib.TOMLDecodeError as e:
        # tomllib's message already says "(at line N, column M)".
        raise SourcesError(f"{p}: TOML syntax error: {e}") from e
    return parse_sources(data, origin=str(p))


def parse_sources(data: dict[str, Any], *, origin: str = "sources") -> list[Partner]:
    """Validate already-parsed TOML data into partners."""
    entries = data.get("partner", data.get("partners"))
    if entries is None:
        raise SourcesError(f"{origin}: no [[partner]] tables found")
    if isinstance(entries, dict):
        # [partners.<id>] tables: the key is the id.
        entries = [{"id": k, **v} if isinstance(v, dict) else v for k, v in entries.items()]
    if not isinstance(entries, list):
        raise SourcesError(f"{origin}: 'partner' must be an array of tables ([[partner]])")
    partners: list[Partner] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        partner = _parse_partner(entry, index, origin)
        if partner.id in seen:
            raise SourcesError(
                f"{origin}: partner {partner.id!r} (entry {index}) has the same id as "
                f"entry {seen[partner.id]}"
            )
        seen[partner.id] = index
        partners.append(partner)
    return partners


def _parse_partner(entry: Any, index: int, origin: str) -> Partner:
    label = f"partner entry {index}"
    if not isinstance(entry, dict):
        raise SourcesError(f"{origin}: {label} is not a table")
    pid = entry.get("id")
    if not isinstance(pid, str) or not pid.strip():
        raise SourcesError(f"{origin}: {label} has no 'id'")
    label = f"partner {pid!r}"

    def fail(problem: str) -> SourcesError:
        return SourcesError(f"{origin}: {label}: {problem}")

    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("missing 'name'")
    ptype = entry.get("type", "Other")
    if ptype not in PARTNER_TYPES:
        raise fail(f"unknown type {ptype!r} (expected one of {', '.join(PARTNER_TYPES)})")
    start = _url_list(entry.get("start"), "start", fail)
    if not start:
        raise fail("missing 'start' (one URL or a list of URLs)")
    scope = _url_list(entry.get("scope"), "scope", fail)
    homepage = entry.get("homepage", "")
    if homepage:
        _check_url(homepage, "homepage", fail)
    max_depth = entry.get("max_depth")
    if max_depth is not None and (
        isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 0
    ):
        raise fail(f"bad max_depth {max_depth!r} (expected a whole number >= 0)")
    area = entry.get("area", "")
    if not isinstance(area, str):
        raise fail("'area' must be text")
    return Partner(
        id=pid.strip(),
        name=name.strip(),
        type=ptype,
        area=area,
        homepage=homepage,
        start=tuple(start),
        scope=tuple(scope),
        max_depth=max_depth,
        extra={k: v for k, v in entry.items() if k not in _KNOWN_KEYS},
    )


def _url_list(value: Any, key: str, fail: Any) -> list[str]:
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        raise fail(f"'{key}' must be a URL or a list of URLs")
    for v in values:
        _check_url(v, key, fail)
    return list(values)


def _check_url(value: Any, key: str, fail: Any) -> None:
    if not isinstance(value, str):
        raise fail(f"'{key}' must be a URL, not {value!r}")
    try:
        parts = urlsplit(value.strip())
    except ValueError as e:
        raise fail(f"'{key}' URL {value!r} is malformed ({e})") from e
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise fail(f"'{key}' URL {value!r} is not an http(s) URL")
