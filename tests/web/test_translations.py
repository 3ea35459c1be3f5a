"""The catalogues: every message of the public pages is translated in every language, and every
translation keeps the French message's placeholders (a missing ``%(name)s`` would crash the page or
lose the name)."""
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from coordination.web.i18n import DEFAULT, LANGUAGES, TRANSLATIONS

ROOT = TRANSLATIONS.parent.parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
OTHER_LANGUAGES = [code for code in LANGUAGES if code != DEFAULT]


def extracted(mapping_file) -> set[str]:
    with open(mapping_file) as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    found = set()
    for _name, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def public_messages() -> set[str]:
    return extracted(TRANSLATIONS / "public.cfg")


def catalogue(code: str):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=code)


def test_the_catalogue_template_is_current():
    """After marking a string, ``make translations`` brings it to the translators (and to French
    readers, whose catalogue is built from the template)."""
    with open(TRANSLATIONS / "messages.pot", "rb") as pot:
        listed = {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(pot) if message.id}
    missing = extracted(ROOT / "babel.cfg") - listed
    assert not missing, f"lancez make translations : {sorted(missing)[:5]}"


def test_the_public_pages_have_messages_to_translate():
    assert "Trouver de l'aide" in public_messages()


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_every_public_message_is_translated(code):
    translations = catalogue(code)
    missing = []
    for message_id in sorted(public_messages()):
        message = translations.get(message_id)
        strings = message.string if message else None
        texts = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(texts):
            missing.append(message_id)
    assert not missing, f"{code}: {len(missing)} messages publics sans traduction, dont {missing[:5]}"


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_translations_keep_the_placeholders(code):
    wrong = []
    for message in catalogue(code):
        if not message.id or not message.string:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set(PLACEHOLDER.findall(sources[-1]))
        for text in (message.string if isinstance(message.string, tuple) else (message.string,)):
            if not text:  # a plural not translated yet (a partner page's message): nothing to compare
                continue
            # a plural form may leave the count out (« un lieu »), never add or rename a placeholder
            found = set(PLACEHOLDER.findall(text))
            if found - expected or (expected - {"num"}) - found:
                wrong.append((sources[0], text))
    assert not wrong, f"{code}: {wrong[:5]}"


def test_french_is_typed_plainly_in_the_code():
    """The French catalogue typesets the messages: a non-breaking space or a ’ typed in the code would
    make a second message for the same text and leave the translators two entries."""
    with open(TRANSLATIONS / "messages.pot", "rb") as pot:
        typed = [message.id for message in read_po(pot) if message.id
                 and re.search("[\u00a0\u202f\u2019]", "".join(message.id) if isinstance(message.id, tuple) else message.id)]
    assert not typed, typed[:5]
