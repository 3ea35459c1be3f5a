"""Markdown (agendas, minutes) to HTML that is safe to show: rendered by ``markdown``, then cleaned
by ``nh3`` against an allow-list. Raw HTML written in the Markdown is escaped or removed; links keep
http(s) and mailto only and get rel="noopener nofollow". A pure module (no database, no Flask
except Markup)."""
import markdown as _markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "abbr",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Dropped with what they contain (not just their tags).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript"})
EXTENSIONS = ("tables", "sane_lists", "nl2br", "fenced_code")


def to_html(text: str | None) -> Markup:
    """Sanitised HTML for a Markdown text ('' for none). A level-1 heading becomes level 2: the page
    already has its h1."""
    if not text or not text.strip():
        return Markup("")
    html = _markdown.markdown(text, extensions=list(EXTENSIONS), output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaned = nh3.clean(html, tags=set(ALLOWED_TAGS), clean_content_tags=set(DROPPED_WITH_CONTENT),
                        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
                        url_schemes=set(URL_SCHEMES), link_rel="noopener nofollow", strip_comments=True)
    return Markup(cleaned)  # cleaned by nh3 just above


def to_text(text: str | None) -> str:
    """The Markdown source as plain text for e-mails (it reads well as it is)."""
    return (text or "").strip()
