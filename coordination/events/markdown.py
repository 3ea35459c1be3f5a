"""Markdown (agendas, minutes) to HTML that is safe to show: rendered by ``markdown``, then cleaned
by ``nh3`` against an allow-list. Raw HTML written in the Markdown is escaped or removed; links keep
http(s) and mailto only and get rel="noopener nofollow". A pure module (no database, no Flask
except Markup)."""
import re
from html.parser import HTMLParser

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
    """Readable plain text for e-mails and calendars (an .ics DESCRIPTION shows no Markdown): the
    sanitised HTML of ``to_html`` read back as text. No ``**`` or ``#`` left; list items start with
    « - » or their number, a link reads « text (address) », headings and paragraphs stand on their
    own lines."""
    html = to_html(text)
    if not html:
        return ""
    reader = _TextReader()
    reader.feed(str(html))
    reader.close()
    lines = [" ".join(line.split()) if not line.startswith(" ") else line.rstrip() for line in reader.text().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _TextReader(HTMLParser):
    BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "blockquote", "table", "hr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list] = []  # one [kind, number] per open list
        self.links: list[str | None] = []
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS and not (tag in ("ul", "ol") and self.lists):
            self.parts.append("\n\n")
        if tag in ("ul", "ol"):
            start = dict(attrs).get("start")
            self.lists.append([tag, int(start) - 1 if start and start.isdigit() else 0])
        elif tag == "li":
            indent = "  " * max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.parts.append(f"\n{indent}{self.lists[-1][1]}. ")
            else:
                self.parts.append(f"\n{indent}- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "tr":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")
        elif tag == "hr":
            self.parts.append("—\n\n")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
        elif tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if self.lists:
                return
        if tag == "a" and self.links:
            href = self.links.pop()
            if href:
                address = href.removeprefix("mailto:")
                if not "".join(self.parts).endswith(address):
                    self.parts.append(f" ({address})")
        if tag == "pre":
            self.pre -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self.pre:
            self.parts.append(data)
            return
        if data.strip() or (self.parts and not self.parts[-1].endswith((" ", "\n"))):
            self.parts.append(" ".join(data.split("\n")) if data.strip() else " ")

    def text(self) -> str:
        return "".join(self.parts)
