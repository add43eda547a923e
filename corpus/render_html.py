"""A text source as an HTML page of its publisher's site: head meta tags, site chrome, body, footer."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from source_text import LINK_RE, OGL_LINE, OGL_URL, Block, Source


@dataclass(frozen=True)
class Site:
    """The chrome of one publisher's web site."""

    name: str
    home: str
    nav: tuple[tuple[str, str], ...]
    footer: tuple[tuple[str, str], ...]
    publisher: str


SITES: dict[str, Site] = {
    "www.leicester.gov.uk": Site(
        "Leicester City Council",
        "https://www.leicester.gov.uk/",
        (
            ("Bins and recycling", "https://www.leicester.gov.uk/bins-rubbish-and-recycling/"),
            ("Council tax", "https://www.leicester.gov.uk/council-tax/"),
            ("Housing", "https://www.leicester.gov.uk/housing/"),
            ("Health and social care", "https://www.leicester.gov.uk/health-and-social-care/"),
            ("Your council", "https://www.leicester.gov.uk/your-council/"),
        ),
        (
            ("Accessibility", "https://www.leicester.gov.uk/accessibility/"),
            ("Cookies", "https://www.leicester.gov.uk/cookies/"),
            ("Privacy", "https://www.leicester.gov.uk/privacy/"),
            ("Contact us", "https://www.leicester.gov.uk/contact-us/"),
        ),
        "Leicester City Council",
    ),
    "www.leicestershire.gov.uk": Site(
        "Leicestershire County Council",
        "https://www.leicestershire.gov.uk/",
        (
            ("Roads and travel", "https://www.leicestershire.gov.uk/roads-and-travel"),
            ("Education and children", "https://www.leicestershire.gov.uk/education-and-children"),
            ("Adult social care", "https://www.leicestershire.gov.uk/adult-social-care-and-health"),
            ("Leisure and community", "https://www.leicestershire.gov.uk/leisure-and-community"),
            ("About the council", "https://www.leicestershire.gov.uk/about-the-council"),
        ),
        (
            ("Accessibility", "https://www.leicestershire.gov.uk/accessibility"),
            ("Cookies", "https://www.leicestershire.gov.uk/cookies"),
            ("Privacy", "https://www.leicestershire.gov.uk/privacy-notice"),
            ("Contact us", "https://www.leicestershire.gov.uk/contact-us"),
        ),
        "Leicestershire County Council",
    ),
    "resources.leicestershire.gov.uk": Site(
        "Leicestershire County Council",
        "https://www.leicestershire.gov.uk/",
        (
            (
                "Community safety",
                "https://www.leicestershire.gov.uk/leisure-and-community/community-safety",
            ),
            ("Leisure and community", "https://www.leicestershire.gov.uk/leisure-and-community"),
            ("About the council", "https://www.leicestershire.gov.uk/about-the-council"),
        ),
        (
            ("Accessibility", "https://www.leicestershire.gov.uk/accessibility"),
            ("Cookies", "https://www.leicestershire.gov.uk/cookies"),
            ("Contact us", "https://www.leicestershire.gov.uk/contact-us"),
        ),
        "Leicestershire County Council",
    ),
    "politics.leics.gov.uk": Site(
        "Leicestershire County Council - Democracy",
        "http://politics.leics.gov.uk/",
        (
            ("Councillors", "http://politics.leics.gov.uk/mgMemberIndex.aspx"),
            ("Committees", "http://politics.leics.gov.uk/mgListCommittees.aspx"),
            ("Meetings", "http://politics.leics.gov.uk/ieDocHome.aspx"),
            ("Decisions", "http://politics.leics.gov.uk/mgDelegatedDecisions.aspx"),
        ),
        (
            ("Accessibility", "https://www.leicestershire.gov.uk/accessibility"),
            ("Contact democratic services", "http://politics.leics.gov.uk/mgContactUs.aspx"),
        ),
        "Leicestershire County Council",
    ),
    "www.charnwood.gov.uk": Site(
        "Charnwood Borough Council",
        "https://www.charnwood.gov.uk/",
        (
            ("Bins and recycling", "https://www.charnwood.gov.uk/pages/bins"),
            ("Housing", "https://www.charnwood.gov.uk/pages/housing"),
            ("Community safety", "https://www.charnwood.gov.uk/pages/safety"),
            ("Your council", "https://www.charnwood.gov.uk/pages/council"),
        ),
        (
            ("Accessibility", "https://www.charnwood.gov.uk/pages/accessibility"),
            ("Cookies", "https://www.charnwood.gov.uk/pages/cookies"),
            ("Contact us", "https://www.charnwood.gov.uk/contacts"),
        ),
        "Charnwood Borough Council",
    ),
    "www.rutland.gov.uk": Site(
        "Rutland County Council",
        "https://www.rutland.gov.uk/",
        (
            ("My council", "https://www.rutland.gov.uk/my-council/"),
            ("My community", "https://www.rutland.gov.uk/my-community/"),
            ("My services", "https://www.rutland.gov.uk/my-services/"),
        ),
        (
            ("Accessibility", "https://www.rutland.gov.uk/accessibility/"),
            ("Cookies", "https://www.rutland.gov.uk/cookies/"),
            ("Contact us", "https://www.rutland.gov.uk/contact-us/"),
        ),
        "Rutland County Council",
    ),
}


def _site_for(url: str) -> Site:
    host = re.sub(r"^https?://", "", url).split("/", 1)[0].lower()
    try:
        return SITES[host]
    except KeyError as e:
        raise ValueError(f"no site chrome for host {host!r}") from e


def inline_html(text: str) -> str:
    """Escape text and turn ``[text](url)`` into anchors."""
    out: list[str] = []
    pos = 0
    for m in LINK_RE.finditer(text):
        out.append(html.escape(text[pos : m.start()], quote=False))
        out.append(
            f'<a href="{html.escape(m.group(2))}">{html.escape(m.group(1), quote=False)}</a>'
        )
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _list_tag(marker: str) -> str:
    if marker == "-":
        return "ul"
    if marker[0].isdigit():
        return "ol"
    return "ol-a"


def body_html(blocks: list[Block]) -> str:
    """The blocks as HTML, h2 sections wrapped in <section>, lists nested by level."""
    out: list[str] = []
    open_lists: list[str] = []  # tags of the lists now open, outermost first
    in_section = False

    def close_lists(to_level: int) -> None:
        while len(open_lists) > to_level:
            tag = open_lists.pop()
            out.append(f"</li></{'ol' if tag == 'ol-a' else tag}>")

    for block in blocks:
        if block.kind != "li":
            close_lists(0)
        if block.kind == "h2":
            if in_section:
                out.append("</section>")
            out.append("<section>")
            in_section = True
        if block.kind in ("h1", "h2", "h3", "h4"):
            out.append(f"<{block.kind}>{inline_html(block.text)}</{block.kind}>")
        elif block.kind == "p":
            out.append(f"<p>{inline_html(block.text)}</p>")
        elif block.kind == "note":
            out.append(f'<p class="note"><small>{inline_html(block.text)}</small></p>')
        elif block.kind == "table":
            head, *rows = block.rows
            out.append("<table>")
            out.append(
                "<thead><tr>"
                + "".join(f'<th scope="col">{inline_html(c)}</th>' for c in head)
                + "</tr></thead>"
            )
            out.append("<tbody>")
            for row in rows:
                out.append("<tr>" + "".join(f"<td>{inline_html(c)}</td>" for c in row) + "</tr>")
            out.append("</tbody></table>")
        elif block.kind == "li":
            tag = _list_tag(block.marker)
            depth = block.level + 1
            if len(open_lists) > depth:
                close_lists(depth)
            if len(open_lists) == depth and open_lists[-1] != tag:
                close_lists(depth - 1)
            if len(open_lists) == depth:
                out.append("</li>")
            while len(open_lists) < depth:
                attrs = ""
                if tag == "ol-a":
                    attrs = ' type="a"'
                elif tag == "ol" and block.marker.rstrip(".") != "1":
                    attrs = f' start="{block.marker.rstrip(".")}"'
                out.append(f"<{'ol' if tag == 'ol-a' else tag}{attrs}>")
                open_lists.append(tag)
            out.append(f"<li>{inline_html(block.text)}")
    close_lists(0)
    if in_section:
        out.append("</section>")
    return "\n".join(out)


def render_html(src: Source) -> bytes:
    """A full page: head with meta tags, site chrome, the body in <main>, OGL footer."""
    meta = src.meta
    site = _site_for(src.url)
    title = meta["title"]
    published = src.published.isoformat()
    updated = meta.get("updated", published)
    updated_label = date.fromisoformat(updated).strftime("%-d %B %Y")
    description = meta.get("description", title)
    crumbs = [c.strip() for c in meta.get("breadcrumb", "Home").split("|")]
    crumb_html = "".join(
        f'<li><a href="{html.escape(site.home)}">{html.escape(c)}</a></li>'
        if i == 0
        else f"<li>{html.escape(c)}</li>"
        for i, c in enumerate(crumbs)
    )
    nav = "".join(f'<li><a href="{html.escape(u)}">{html.escape(t)}</a></li>' for t, u in site.nav)
    foot = "".join(
        f'<li><a href="{html.escape(u)}">{html.escape(t)}</a></li>' for t, u in site.footer
    )
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} | {html.escape(site.name)}</title>
<meta name="description" content="{html.escape(description)}">
<meta name="author" content="{html.escape(meta.get("author", site.publisher))}">
<meta name="DC.title" content="{html.escape(title)}">
<meta name="DC.publisher" content="{html.escape(site.publisher)}">
<meta name="DC.date.issued" content="{published}">
<meta name="DC.date.modified" content="{updated}">
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:type" content="website">
<meta property="og:url" content="{html.escape(src.url)}">
<meta property="article:published_time" content="{published}">
<meta property="article:modified_time" content="{updated}">
<link rel="canonical" href="{html.escape(src.url)}">
<link rel="stylesheet" href="/assets/css/site.css">
<script src="/assets/js/site.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main-content">Skip to main content</a>
<div class="cookie-banner" role="region" aria-label="Cookies on this site">
<p>We use some essential cookies to make this website work. We would also like to set analytics cookies to understand how you use the site.</p>
<button type="button">Accept analytics cookies</button> <button type="button">Reject analytics cookies</button> <a href="{html.escape(site.home)}cookies">View cookies</a>
</div>
<header class="site-header">
<a class="logo" href="{html.escape(site.home)}"><span class="logo-text">{html.escape(site.name)}</span></a>
<form class="site-search" action="{html.escape(site.home)}search" method="get"><label for="q">Search</label> <input id="q" name="q" type="search"> <button type="submit">Search</button></form>
<nav class="main-nav" aria-label="Main menu"><ul>{nav}</ul></nav>
</header>
<nav class="breadcrumb" aria-label="Breadcrumb"><ol>{crumb_html}</ol></nav>
<main id="main-content">
<article>
{body_html(src.blocks)}
</article>
<p class="last-updated">Last updated: <time datetime="{updated}">{updated_label}</time></p>
</main>
<footer class="site-footer">
<nav aria-label="Footer"><ul>{foot}</ul></nav>
<p class="licence">All content is available under the <a rel="license" href="{OGL_URL}">Open Government Licence v3.0</a>, except where otherwise stated. {OGL_LINE}</p>
<p>&copy; {html.escape(site.publisher)}</p>
</footer>
</body>
</html>
"""
    return page.encode("utf-8")
