"""The links of an HTML page: hrefs resolved to absolute web URLs, each target once with its anchor text.

Council pages carry hundreds of menu links, so the common href shapes are
resolved without ``urljoin`` and each distinct href is resolved once per page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

from .htmlclean import flat_text, norm
from .model import Link


def _base_url(root: lxml_html.HtmlElement, url: str) -> str:
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            try:
                return urljoin(url, href)
            except ValueError:
                return url  # a broken <base> is ignored, as browsers do
    return url


def _anchor_text(a: lxml_html.HtmlElement) -> str:
    text = flat_text(a)
    if text:
        return text
    for attr in ("title", "aria-label"):
        value = norm(a.get(attr) or "")
        if value:
            return value
    for img in a.iter("img"):
        alt = norm(img.get("alt") or "")
        if alt:
            return alt
    return ""


_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "callto:", "file:")
_ABSOLUTE = re.compile(r"^https?://[^/?#\s\\@]+(?:[/?][^#\s]*)?$", re.IGNORECASE)


def _resolver(base: str) -> Callable[[str], str | None]:
    """Resolve hrefs against ``base``; None for targets that are not web pages."""
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

    def resolve(href: str) -> str | None:
        if href[:11].lower().startswith(_SKIP_SCHEMES):
            return None
        # fast paths for the common shapes; urljoin for the rest (it is slow on big menus)
        if "#" not in href and "./" not in href and "\\" not in href:
            if _ABSOLUTE.match(href):
                return href
            if origin and href.startswith("/") and not href.startswith("//") and " " not in href:
                return origin + href
        try:
            target = urlsplit(urljoin(base, href))
        except ValueError:
            return None  # e.g. "http://[broken": not a link anyone can follow
        if target.scheme not in ("http", "https") or not target.netloc:
            return None
        return urlunsplit(target._replace(fragment=""))

    return resolve


def page_links(root: lxml_html.HtmlElement, url: str) -> list[Link]:
    """Every web link of the page, once per target, resolved against its <base> or ``url``."""
    base = _base_url(root, url)
    seen: dict[str, Link] = {}
    resolved: dict[str, str | None] = {}
    resolve = _resolver(base)
    for a in root.iter("a", "area"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        if href in resolved:
            target = resolved[href]
        else:
            target = resolved[href] = resolve(href)
        if target is None:
            continue
        link = seen.get(target)
        if link is None:
            seen[target] = Link(target, _anchor_text(a))
        elif not link.anchor:
            link.anchor = _anchor_text(a)  # an icon link first, its text link later
    return list(seen.values())
