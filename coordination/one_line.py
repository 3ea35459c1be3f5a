"""One-line fields (issue 13, finding 7): names, titles, subjects, addresses.

Their values end up in mail subjects and headers, .ics lines, CSV cells and page titles. A line
break of any kind in one of them is refused at input with a French message (``OneLine``, the forms'
validator, and ``breaks_line`` in the services); an import collapses it to a space and warns.
Mail subjects go through ``coordination.mail.subject_line`` whatever was stored.
"""
import re

from wtforms.validators import ValidationError

# \n, \v, \f, \r, the file/group/record separators \x1c-\x1e, NEL, and the Unicode line and
# paragraph separators: everything ``str.splitlines`` splits on.
LINE_BREAKS = "\n\x0b\x0c\r\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
_BREAKS_AND_SPACES = re.compile(rf"[{LINE_BREAKS}\s]+")
MESSAGE = "Ce champ doit tenir sur une seule ligne : retirez les retours à la ligne."


def breaks_line(text: str | None) -> bool:
    """Whether the text holds a line break of any kind."""
    return bool(text) and _LINE_BREAK.search(text) is not None


def collapse(text: str | None) -> str:
    """The text on one line: every run of line breaks and spaces becomes one space, trimmed."""
    return _BREAKS_AND_SPACES.sub(" ", text or "").strip()


class OneLine:
    """WTForms validator of a one-line field. Surrounding line breaks are only trimmed (a pasted
    name often ends with one); a line break inside the value is refused."""

    def __init__(self, message: str = MESSAGE):
        self.message = message

    def __call__(self, form, field):
        data = field.data
        if isinstance(data, str) and breaks_line(data.strip()):
            raise ValidationError(self.message)
