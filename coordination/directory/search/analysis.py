"""French analysis: how a text becomes index terms (tokens, French stop words, accent folding,
singular and masculine, French stems; short words and the vocabulary's acronyms kept whole), and the
words the search log keeps of a typed text."""
from __future__ import annotations

import functools
import re
import unicodedata

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang import stemmer_for_language, stopwords_for_language

from coordination.directory.search import needs

# --- French analysis -----------------------------------------------------------------------

# Whoosh's French list, plus a few frequent words it lacks ("les" among them).
STOP_WORDS = frozenset(stopwords_for_language("fr")) | {
    "a", "les", "ils", "elles", "cet", "cette", "leurs", "ni", "chez", "dont", "où", "y", "d", "l",
}
_stem_fr = functools.lru_cache(maxsize=100_000)(stemmer_for_language("fr"))


def fold(text: str) -> str:
    """Lowercase text without accents: œ→oe, æ→ae, é→e, ç→c…"""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_fold_word = functools.lru_cache(maxsize=100_000)(fold)  # a directory repeats the same words


class FoldFilter(Filter):
    """Accent folding after the stop words (the French stop list is spelled with accents)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = _fold_word(token.text)
            yield token


# Singular and masculine before stemming (issue 14): the Snowball stemmer alone conflates neither
# « conseiller »/« conseillers » nor « lieu »/« lieux ». Rules on the lowercase word, accents kept
# (« privé » is not the feminine of « prif »), with unaccented spellings too; tried in order after a
# final plural « s » is dropped; the first that applies wins. Accents are folded after, then the
# word is stemmed: folding first keeps « impots » = « impôts », « activite » = « activité ».
_GENDER_NUMBER = (
    ("eaux", "eau", 1), ("aux", "al", 2), ("eux", "eu", 2), ("euse", "eu", 2), ("trice", "teur", 2),
    ("ière", "ier", 1), ("iere", "ier", 1), ("ère", "er", 3), ("ere", "er", 3), ("ive", "if", 2),
    ("elle", "el", 2), ("enne", "en", 2), ("onne", "on", 2), ("ée", "é", 1), ("ee", "e", 2),
    ("aise", "ai", 2), ("oise", "oi", 2), ("oux", "ou", 2),
)
_IRREGULAR = {"travaux": "travail", "yeux": "oeil", "vitraux": "vitrail", "baux": "bail"}


def singular(word: str) -> str:
    """A lowercase word as masculine singular: conseillères → conseiller, lieux → lieu, sociaux →
    social, actives → actif, heureuse → heureu (as heureux), françaises → françai (as français). Words of 3
    letters or less are left alone."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix, replacement, keep in _GENDER_NUMBER:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[:-len(suffix)] + replacement
    return word


EXACT = "="  # marks a whole word in the stemmed fields: never produced by the tokenizer
ACRONYMS = needs.default_acronyms()


def is_exact(folded: str) -> bool:
    """Words of 3 letters or less and the vocabulary's acronyms match whole: « caf » never matches
    « café » (whose stem is « caf »)."""
    return len(folded) <= 3 or folded in ACRONYMS


@functools.lru_cache(maxsize=200_000)
def term_of(word: str) -> str:
    """The index term of a lowercase word: EXACT + the folded word for a short word or an acronym,
    else the stem of its folded masculine singular."""
    folded = fold(word)
    if is_exact(folded):
        return EXACT + folded
    return _stem_fr(fold(singular(word)))


class FrenchStemFilter(Filter):
    """Folded words to index terms (``term_of``; cached, thread-safe)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = term_of(token.text)
            yield token


TOKEN_PATTERN = r"[^\W_]+"  # letters and digits


def folded_analyzer():
    return (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=1) | FoldFilter())


def french_analyzer():
    return (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=1) | FrenchStemFilter())


_FOLDED = folded_analyzer()


def words_of(text: str) -> list[str]:
    """The folded, unstemmed words of a text, stop words removed."""
    return [token.text for token in _FOLDED(text or "")]


def stem(word: str) -> str:
    return term_of(word)


# --- the search log's words --------------------------------------------------------------------

LOG_WORDS_MAX = 200  # characters, the column's size
LOG_MAX_DIGITS = 5  # a postcode or a street number; more digits may be a phone, an account, a file number
# An address (a@b.c, also without its domain's dot), and a phone number written with separators
# (06 12 34 56 78, +33 (0)6.12.34.56.78, 02-40-…): eight digits or more, in groups.
_EMAIL = re.compile(r"[^\s@]*@[^\s@]*")
_PHONE = re.compile(r"\+?\(?\d[\d\s().\-/]{6,}\d")


def _looks_like_a_phone(match: re.Match) -> bool:
    return sum(char.isdigit() for char in match.group()) >= 8


def log_words(text: str) -> str:
    """What the search log keeps of a typed text: the search analyser's words (folded, lower case,
    stop words removed), without anything that looks like an email address, a phone number or a
    number of more than LOG_MAX_DIGITS digits. Space-separated, LOG_WORDS_MAX characters at most
    (whole words)."""
    text = _EMAIL.sub(" ", str(text or "")[:2000])
    text = _PHONE.sub(lambda match: " " if _looks_like_a_phone(match) else match.group(), text)
    kept, length = [], 0
    for word in words_of(text):
        if sum(char.isdigit() for char in word) > LOG_MAX_DIGITS:
            continue
        length += len(word) + (1 if kept else 0)
        if length > LOG_WORDS_MAX:
            break
        kept.append(word)
    return " ".join(kept)


_LOWERED = (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | StopFilter(stoplist=STOP_WORDS, minsize=1))


def lowered_words(text: str) -> list[str]:
    """The lowercase words of a text (accents kept), stop words removed."""
    return [token.text for token in _LOWERED(text or "")]
