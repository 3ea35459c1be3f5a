"""The translation layer: which language a request is in, and the public pages offered in several.

Every string of the interface goes through gettext (``_``, ``ngettext``, ``lazy_gettext``); the
catalogues live in ``coordination/translations/`` (``make translations`` extracts and updates them,
``make catalogues`` compiles them). Partner and coordination pages are in French only; a public page
marked ``@translated`` also answers under ``/<language>/…`` (``/en/recherche``), so that a shared link
opens in the language it was read in. French, the source language, has no prefix.
"""
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, g, request, url_for
from flask_babel import Babel, refresh
from werkzeug.routing import Rule

from coordination.core.french import typography

DEFAULT = "fr"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as a reader of it looks for it
    direction: str = "ltr"


LANGUAGES = {language.code: language for language in (
    Language("fr", "Français"),
    Language("en", "English"),
    Language("es", "Español"),
    Language("ar", "العربية", "rtl"),
    Language("uk", "Українська"),
)}

babel = Babel()


def translated(view):
    """Mark a public view as offered in every language (its rules get a ``/<language>`` twin)."""
    view.translated = True
    return view


def current_language() -> Language:
    return LANGUAGES[g.get("language", DEFAULT)]


def _locale() -> str:
    return g.get("language", DEFAULT)


def _take_language(endpoint, values) -> None:
    """The ``lang`` part of a translated URL becomes the request's language; views never see it.
    Set on every request (404s included): an application context may outlive one request."""
    language = values.pop("lang", DEFAULT) if values else DEFAULT
    if g.get("language", DEFAULT) != language:
        refresh()  # Flask-Babel keeps the locale it chose on the context
    g.language = language


def _carry_language(endpoint, values) -> None:
    """Links from a translated page to another translated page stay in the reader's language."""
    language = values.get("lang", g.get("language", DEFAULT))
    if language == DEFAULT or not is_translated(endpoint):
        values.pop("lang", None)
    else:
        values["lang"] = language


def is_translated(endpoint: str | None, app=None) -> bool:
    view = (app or current_app).view_functions.get(endpoint) if endpoint else None
    return bool(getattr(view, "translated", False))


def alternates() -> list[tuple[Language, str]]:
    """The current page in every language, for the switcher and ``hreflang`` links."""
    if not is_translated(request.endpoint):
        return []
    arguments = {**request.args.to_dict(flat=False), **(request.view_args or {})}
    return [(language, url_for(request.endpoint, lang=language.code, _external=True, **arguments))
            for language in LANGUAGES.values()]


def _template_context() -> dict:
    return {"current_language": current_language(), "language_alternates": alternates}


def add_language_rules(app) -> None:
    """Give every rule of a translated view a twin under ``/<language>``; run after the blueprints.

    Werkzeug builds with the rule that has the most arguments first, so ``url_for`` with ``lang``
    picks the twin and ``url_for`` without it the French rule."""
    codes = ",".join(code for code in LANGUAGES if code != DEFAULT)
    for rule in list(app.url_map.iter_rules()):
        if is_translated(rule.endpoint, app):
            app.url_map.add(Rule(f"/<any({codes}):lang>{rule.rule}", endpoint=rule.endpoint,
                                 methods=rule.methods, strict_slashes=rule.strict_slashes))


def init_app(app) -> None:
    babel.init_app(app, locale_selector=_locale, default_locale=DEFAULT, default_timezone="Europe/Paris",
                   default_translation_directories=str(TRANSLATIONS))
    app.url_value_preprocessor(_take_language)
    app.url_defaults(_carry_language)
    app.context_processor(_template_context)


def compile_catalogues(directory: Path = TRANSLATIONS, *, only_outdated: bool = False) -> list[Path]:
    """Compile each language's .po into the .mo gettext reads, and build the French one from the
    template: the code's messages are typed plainly (« Adresse : », « l'aide ») and French readers
    get them with typographic apostrophes and non-breaking spaces, without a French catalogue to
    keep by hand. Returns the files written."""
    written = []
    template = directory / "messages.pot"
    sources = [(po, po.parts[-3]) for po in sorted(directory.glob("*/LC_MESSAGES/messages.po"))]
    sources.append((template, DEFAULT))
    for source, code in sources:
        target = directory / code / "LC_MESSAGES" / "messages.mo"
        if only_outdated and target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        with open(source, "rb") as file:
            catalogue = read_po(file, locale=code)
        if code == DEFAULT:
            for message in catalogue:
                if message.id:
                    ids = message.id if isinstance(message.id, tuple) else (message.id,)
                    typeset = tuple(typography(text) for text in ids)
                    if isinstance(message.id, tuple):
                        # CLDR gives French three forms (one, many: « 1 million de… », other): the
                        # plural text serves the last two, or gettext falls back to the plain msgid
                        message.string = typeset + typeset[-1:] * (catalogue.num_plurals - len(typeset))
                    else:
                        message.string = typeset[0]
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as file:
            write_mo(file, catalogue)
        written.append(target)
    return written
