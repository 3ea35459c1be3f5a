"""Compare French text as it was written in the code: pages and mails are typeset for French readers
(``core.french.typography``: ’ for ', a non-breaking space before « : ; ? ! » and inside « »); the
tests keep their expected text plain and read the output through ``plain``."""
import re

_BEFORE_MARK = re.compile(r"[\u00a0\u202f]([:;?!])")


def plain(text):
    """The typeset French back to how the code writes it; other non-breaking spaces (« 9 h 30 ») stay.
    A list, tuple or dict is read item by item (keys and values)."""
    if isinstance(text, (list, tuple)):
        return type(text)(plain(item) for item in text)
    if isinstance(text, dict):
        return {plain(key): plain(value) for key, value in text.items()}
    if hasattr(text, "__html__") and not isinstance(text, str):
        text = str(text)  # a lazy message (flask_babel.lazy_gettext)
    if not isinstance(text, str):
        return text
    text = text.replace("\u2019", "'")
    text = _BEFORE_MARK.sub(r" \1", text)
    return text.replace("«\u00a0", "« ").replace("\u00a0»", " »")
