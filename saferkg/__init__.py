"""saferkg: knowledge graph and search over community safety partnership strategies."""

__version__ = "0.1.0"
