"""Settings: one frozen value, built once by the CLI and handed down.

Every setting has a default and a help text; ``SAFERKG_<NAME>`` environment
variables override the defaults, and CLI options override both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from . import __version__

#: The project checkout holding ``corpus/`` (the bundled mirror and registry).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """All settings of saferkg, with their defaults."""

    data_dir: Path = _setting(Path("data"), "Directory for the store, graph and index.")
    sources: Path = _setting(
        PROJECT_ROOT / "corpus" / "sources.toml", "The registry of partners to crawl (TOML)."
    )
    mirror_dir: Path = _setting(
        PROJECT_ROOT / "corpus" / "sites", "The bundled offline mirror of partner sites."
    )
    structure: Path = _setting(
        PROJECT_ROOT / "corpus" / "structure.ttl",
        "Curated partnership structure (bodies, reporting lines, memberships) in Turtle.",
    )
    user_agent: str = _setting(
        f"saferkg/{__version__} (community safety knowledge graph crawler)",
        "User-Agent sent to partner sites and matched against robots.txt.",
    )
    delay: float = _setting(1.0, "Seconds to wait between two requests to the same host.")
    connect_timeout: float = _setting(5.0, "Seconds allowed to connect.")
    read_timeout: float = _setting(20.0, "Seconds allowed between bytes of a response.")
    max_bytes: int = _setting(25_000_000, "Largest body fetched, in bytes.")
    max_redirects: int = _setting(5, "Most redirects followed for one URL.")
    max_pages: int = _setting(200, "Most pages fetched per partner in one crawl.")
    max_depth: int = _setting(2, "Default link depth from a partner's start URLs.")
    link_check_ttl: float = _setting(
        24.0, "Hours a link check result is reused before the link is checked again."
    )
    host: str = _setting("127.0.0.1", "Address the web UI listens on.")
    port: int = _setting(5000, "Port the web UI listens on.")
    threads: int = _setting(8, "Worker threads of the web server.")
    sparql_timeout: float = _setting(10.0, "Seconds a SPARQL query may run.")
    sparql_row_limit: int = _setting(10_000, "Most rows a SPARQL query returns.")

    @property
    def store_path(self) -> Path:
        return self.data_dir / "saferkg.sqlite"

    @property
    def graph_dir(self) -> Path:
        return self.data_dir / "graph"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``SAFERKG_*`` variables, then explicit overrides (None is ignored)."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"SAFERKG_{f.name.upper()}")
            if f.name == "data_dir" and raw is None:
                raw = env.get("SAFERKG_DATA")
            if raw is not None:
                values[f.name] = _convert(f.default, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for k, v in list(values.items()):
            default = getattr(cls, k, None)
            if isinstance(default, Path) and not isinstance(v, Path):
                values[k] = Path(v)
        return replace(cls(), **values)

    @classmethod
    def describe(cls) -> list[tuple[str, Any, str]]:
        """(name, default, help) of every setting, for the docs and ``saferkg settings``."""
        return [(f.name, f.default, f.metadata["help"]) for f in fields(cls)]


def _convert(default: Any, raw: str) -> Any:
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, Path):
        return Path(raw)
    return raw
