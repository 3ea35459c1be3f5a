"""French that reads right: « de » before a name, the time of day, and the typography of displayed
text (typographic apostrophes, no break before « : ; ? ! » nor inside « »).

Pure functions: the translation layer and the templates call them for French output only."""
import re
from datetime import datetime, time

NBSP = "\u00a0"         # before « : » and inside « »
NNBSP = "\u202f"        # narrow, before « ; ? ! »
APOSTROPHE = "\u2019"

_ARTICLE = re.compile(r"^(?:(les|le|la)\s+|(l)['\u2019]\s*)(?=\S)", re.IGNORECASE)
_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"


def de(name: str) -> str:
    """« de » joined to a name as French does: du Secours populaire, des Connecteurs, de la Poste,
    de l’Atelier, d’Emmaüs Connect, de Médiathèque Jacques Demy. The name itself is kept."""
    name = (name or "").strip()
    article = _ARTICLE.match(name)
    if article:
        word = (article.group(1) or article.group(2)).lower()
        rest = name[article.end():]
        if word == "le":
            return f"du {rest}"
        if word == "les":
            return f"des {rest}"
        if word == "la":
            return f"de la {rest}"
        return f"de l{APOSTROPHE}{rest}"
    if name[:1].lower() in _VOWELS:
        return f"d{APOSTROPHE}{name}"
    return f"de {name}"


def time_fr(value: time | datetime | str) -> str:
    """One format for the time of day: « 9 h », « 14 h 30 » (no « 14 h 00 »), never broken."""
    if isinstance(value, str):
        hours, minutes = (int(part) for part in value.split(":")[:2])
    else:
        hours, minutes = value.hour, value.minute
    return f"{hours}{NBSP}h" + (f"{NBSP}{minutes:02d}" if minutes else "")


_STRAIGHT_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
# ">" too: a message may close an element just before the mark (« <code>Retry-After</code> ; »)
_SPACE_BEFORE_COLON = re.compile(r"(?<=[\w»)\]%€>])[ \u00a0\u202f]*:(?=\s|$|<)")
_SPACE_BEFORE_MARK = re.compile(r"(?<=[\w»)\]%€>])[ \u00a0\u202f]*([;?!])(?=\s|$|<)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")


def typography(text: str) -> str:
    """Plain French text (not HTML: « &amp; » would be broken) as displayed: ’ for ' between letters, a non-breaking space before « : » and inside
    « », a narrow one before « ; ? ! » (so that a mark never starts a line). Addresses (« 14:30 »,
    « https://… ») are left alone: a colon only takes a space when a space or the end follows it."""
    text = _STRAIGHT_APOSTROPHE.sub(APOSTROPHE, text)
    text = _SPACE_BEFORE_COLON.sub(f"{NBSP}:", text)
    text = _SPACE_BEFORE_MARK.sub(lambda match: f"{NNBSP}{match.group(1)}", text)
    text = _OPEN_QUOTE.sub(f"«{NBSP}", text)
    return _CLOSE_QUOTE.sub(f"{NBSP}»", text)
