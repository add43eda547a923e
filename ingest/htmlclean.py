"""Reading an HTML page: decoding its bytes, and finding its main content.

Decoding honours a byte-order mark, then the HTTP charset, then
``<meta charset>``, then UTF-8, then windows-1252 (pages declared latin-1 or
ASCII are read as windows-1252, as browsers do). Site chrome (navigation,
header, footer, cookie and consent banners, skip links, breadcrumbs,
scripts, forms, hidden elements) is removed before the main content is
chosen: ``<main>``, ``role=main``, a content id or ``<article>``, otherwise
the element with the densest text.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree
from lxml import html as lxml_html

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
DROP_TAGS = set(
    "script style noscript template iframe object embed svg canvas form button select "
    "textarea input label dialog title meta link base nav aside footer menu".split()
)
CHROME_ROLES = set("banner contentinfo navigation dialog alertdialog search complementary".split())
CHROME_WORDS = re.compile(
    r"cookie|consent|gdpr|banner|breadcrumb|skip-?(?:link|to|nav|content)|skiplink"
    r"|share-?(?:this|bar|links|buttons)|social-?(?:links|media|share)|back-?to-?top"
    r"|feedback|rating|page-?helpful|sr-only|visually-?hidden|screen-?reader"
    r"|last-?(?:updated|modified|reviewed)|page-?(?:updated|meta)",
    re.IGNORECASE,
)
HIDDEN_CLASSES = {"hidden", "hide", "d-none", "invisible", "is-hidden", "js-hidden", "u-hidden"}
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
MAIN_XPATHS = (
    "//main",
    "//*[@role='main']",
    "//*[@id='main-content' or @id='maincontent' or @id='content' or @id='main' or @id='page-content']",
    "//article",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' main-content ')]",
)
VISIBLE_TEXT = "//text()[not(ancestor::script) and not(ancestor::style)]"
MIN_MAIN_TEXT = 80  # a "main" holding less text than this is a stub; look further
_SPACE = re.compile(r"[\s\u00a0\u200b\u200c\u200d\ufeff]+")
_BAD_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_SINGLE_BYTE = {"cp1252", "latin-1", "iso8859-1", "ascii"}
BLOCK_TAGS = set(
    "address article blockquote body center dd details div dl dt fieldset figcaption "
    "figure footer header hgroup hr html li main ol p pre section summary table tbody "
    "td tfoot th thead tr ul caption".split()
) | set(HEADINGS)


def norm(text: str) -> str:
    """Collapse runs of whitespace (non-breaking spaces included) to one space."""
    return _SPACE.sub(" ", text).strip()


def _charset_of(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'")
    return ""


def _codec(name: str) -> str | None:
    """The Python codec for a declared charset, with the WHATWG single-byte aliases."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # browsers read latin-1 and ASCII declarations as windows-1252 (curly quotes, £, €)
    if codec in {"latin-1", "iso8859-1", "ascii"}:
        return "cp1252"
    return codec


def decode_html(body: bytes, content_type: str = "") -> str:
    """Decode an HTML body: BOM, HTTP charset, <meta charset>, then UTF-8, then windows-1252."""
    # a BOM is the strongest signal (WHATWG "BOM sniffing" runs before the HTTP charset)
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace")
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", "replace")
    declared = [_charset_of(content_type)]
    m = _META_CHARSET.search(body[:4096])
    if m:
        declared.append(m.group(1).decode("ascii", "replace"))
    for name in declared:
        codec = _codec(name)
        if codec is None:
            continue
        if codec in _SINGLE_BYTE and not body.isascii():
            # servers often default to latin-1 for UTF-8 pages; valid multi-byte
            # UTF-8 almost never occurs by chance in windows-1252 text
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                pass
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue  # the declaration is wrong; try the next signal
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace")


def parse_html(text: str) -> lxml_html.HtmlElement | None:
    text = _BAD_XML_CHARS.sub("", _XML_DECL.sub("", text, count=1))
    if not text.strip():
        return None
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root


def is_element(el: object) -> bool:
    return isinstance(el, lxml_html.HtmlElement) and isinstance(el.tag, str)


def own_text(el: lxml_html.HtmlElement) -> str:
    """Text of an element with <br> as a newline and dropped tags skipped."""
    out: list[str] = []

    def walk(node: lxml_html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "br":
            out.append("\n")
        elif tag and tag not in DROP_TAGS:
            if node.text:
                out.append(node.text)
            for child in node:
                walk(child)
                if child.tail:
                    out.append(child.tail)
            if tag in BLOCK_TAGS:
                out.append("\n")

    walk(el)
    return "".join(out)


def flat_text(el: lxml_html.HtmlElement) -> str:
    return norm(own_text(el))


def is_chrome(el: lxml_html.HtmlElement) -> bool:
    tag = el.tag
    if tag in DROP_TAGS:
        return True
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    if style and HIDDEN_STYLE.search(style):
        return True
    classes = el.get("class")
    if classes and not HIDDEN_CLASSES.isdisjoint(classes.lower().split()):
        return True
    role = (el.get("role") or "").lower()
    if role in CHROME_ROLES:
        return True
    if tag == "header":
        # a page header is chrome; an article's own header holds its heading
        return not any(h in HEADINGS for h in (d.tag for d in el.iter() if isinstance(d.tag, str)))
    names = " ".join(filter(None, (el.get("id"), el.get("class"), el.get("aria-label"))))
    return bool(names and CHROME_WORDS.search(names))


def strip_chrome(body: lxml_html.HtmlElement) -> None:
    """Remove chrome in place, never an element that holds the main content."""
    protected: set[lxml_html.HtmlElement] = set()
    for xp in MAIN_XPATHS[:2]:
        for el in body.xpath(xp):
            protected.update(el.iterancestors())
            protected.add(el)
    doomed = []
    for el in body.iter():
        if not isinstance(el.tag, str) or el is body or el in protected:
            continue
        if is_chrome(el):
            doomed.append(el)
    for el in doomed:
        # skip elements already removed with an ancestor
        if el.getparent() is not None and not any(a in doomed for a in el.iterancestors()):
            el.drop_tree()


def _text_lengths(el: lxml_html.HtmlElement, sizes: dict[lxml_html.HtmlElement, int]) -> int:
    """Non-link text length of every element, bottom-up in one pass."""
    total = len((el.text or "").strip()) if el.tag not in ("a",) else 0
    for child in el:
        if isinstance(child.tag, str):
            total += _text_lengths(child, sizes)
        total += len((child.tail or "").strip())
    if el.tag == "a":
        total //= 4  # link text counts, but little: menus are mostly links
    sizes[el] = total
    return total


def main_content(body: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """The element holding the main content."""
    total = len(norm(body.text_content()))
    for xp in MAIN_XPATHS:
        for el in body.xpath(xp):
            size = len(norm(el.text_content()))
            if size >= MIN_MAIN_TEXT or size >= 0.5 * total:
                return el
    # no semantic container: go down while one child holds most of the text
    sizes: dict[lxml_html.HtmlElement, int] = {}
    _text_lengths(body, sizes)
    node = body
    while True:
        children = [c for c in node if isinstance(c.tag, str)]
        if not children:
            return node
        best = max(children, key=lambda c: sizes.get(c, 0))
        if sizes[node] == 0 or sizes.get(best, 0) < 0.7 * sizes[node]:
            return node
        if best.tag in ("p", "ul", "ol", "table", "dl", "li", "tr", "td", *HEADINGS):
            return node  # a container, not one of its blocks
        node = best
