"""Plural choice for the interface's wording, until the translation layer (issue 17) brings its
catalogues: the same call shape as gettext's ``ngettext``, so templates need not change then."""


def ngettext(singular: str, plural: str, count: int) -> str:
    """French rule: 0 and 1 take the singular. ``%(num)s`` in either text is the count."""
    return (singular if abs(count) < 2 else plural) % {"num": count}
