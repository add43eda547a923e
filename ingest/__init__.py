"""Crawl partner sites (or the bundled mirror), extract documents, keep them in the store."""
