"""Text normalisation shared by the index and the router.

Everything the router compares goes through here: case and diacritics folding,
removal of emoji and control characters, tokenising, and Dutch + English Snowball
stemming. A token is compared by its *keys*: the folded word and its Dutch and English
stems, so "subsidies" meets "subsidie" and "funds" meets "fund".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

MAX_CHARS = 2_000  # longer input is cut before matching (the start carries the question)

_NL_STEMMER = Stemmer.Stemmer("dutch")
_EN_STEMMER = Stemmer.Stemmer("english")
_TOKEN = re.compile(r"[a-z0-9]+")
_WORD = re.compile(r"[^\W_]+")


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a text block, as a set."""
    return frozenset(text.split())


# General function words. Not tied to any map: they only keep common words from
# counting as evidence on their own.
STOPWORDS_NL: frozenset[str] = frozenset(
    [
        "aan", "al", "alle", "alleen", "als", "altijd", "andere", "ben", "bij", "daar", "daarbij",
        "daarmee", "dan", "dat", "de", "deze", "die", "dit", "doe", "doen", "door", "dus", "echt",
        "een", "eens", "eigen", "eigenlijk", "en", "er", "ergens", "even", "gaan", "gaat", "geen",
        "graag", "had", "heb", "hebben", "heeft", "hem", "het", "hier", "hij", "hoe", "hoi", "hun",
        "iemand", "iets", "ik", "in", "is", "ja", "je", "jij", "jou", "jouw", "jullie", "kan",
        "kun", "kunnen", "kunt", "maar", "me", "meer", "met", "mij", "mijn", "mag", "moet",
        "moeten", "mogen", "na", "naar", "naast", "net", "niet", "niets", "nog", "nu", "of", "om",
        "omdat", "ons", "onze", "ook", "op", "over", "per", "te", "tot", "u", "uit", "van", "veel",
        "voor", "waar", "wat", "we", "wel", "welk", "welke", "wie", "wij", "wil", "willen", "word",
        "worden", "wordt", "zal", "ze", "zelf", "zich", "zij", "zijn", "zo", "zoals", "zou",
        "zouden", "zullen", "zo'n", "t", "n", "vd", "vr", "wel", "weer", "toch", "nou", "dus",
        "hallo", "hey", "hee", "zoiets", "iets", "dit", "dat"
    ]
)
STOPWORDS_EN: frozenset[str] = frozenset(
    [
        "a", "about", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
        "but", "by", "can", "could", "did", "do", "does", "for", "from", "get", "got", "had",
        "has", "have", "he", "her", "here", "him", "his", "how", "i", "if", "in", "into", "is",
        "it", "its", "just", "me", "more", "my", "no", "not", "now", "of", "on", "or", "our",
        "ours", "out", "please", "so", "some", "such", "than", "that", "the", "their", "them",
        "then", "there", "these", "they", "this", "to", "too", "up", "us", "very", "was", "we",
        "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you",
        "your", "hi", "hello", "hey", "thanks", "want", "like", "need", "would", "'s"
    ]
)


def with_y_forms(words: frozenset[str]) -> frozenset[str]:
    """``words`` and their Dutch "ij" typed as "y" ("mijn" -> "myn")."""
    return words | {w.replace("ij", "y") for w in words if "ij" in w}


STOPWORDS_NL = with_y_forms(STOPWORDS_NL)
STOPWORDS: frozenset[str] = STOPWORDS_NL | STOPWORDS_EN
# Words that say where an initiative happens rather than what it works on: nearly every
# question has one ("in onze wijk"), so alone they are weak evidence of a theme.
SETTING_WORDS: frozenset[str] = word_set(
    """
    buurt buurten wijk wijken straat straten buren buurtbewoners bewoners inwoners dorp
    dorpen stad steden omgeving omwonenden neighbourhood neighborhood neighbourhoods street
    streets neighbours neighbors residents village town city community area
    """
)
# Nouns for a group of people: "bewonersgroep", "buurtcomité" name who acts, not the subject.
GROUP_NOUNS: frozenset[str] = word_set(
    """
    groep groepen groepje initiatief initiatieven commissie comite raad organisatie
    vereniging collectief netwerk group groups initiative committee council
    """
)


def is_setting_word(token: str) -> bool:
    """A setting word, or a setting word joined with a group noun ("bewonersgroep")."""
    if token in SETTING_WORDS:
        return True
    for word in SETTING_WORDS:
        if token.startswith(word):
            rest = token[len(word):]
            if rest in GROUP_NOUNS or (rest[:1] == "s" and rest[1:] in GROUP_NOUNS):
                return True
    return False


def truncate(text: str, limit: int = MAX_CHARS) -> str:
    """Cut very long input for matching."""
    return text if len(text) <= limit else text[:limit]


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65_536)
def fold_word(word: str) -> str:
    """Lower case without diacritics ("Fryslân" -> "fryslan", "coöperatie" -> "cooperatie")."""
    return _strip_marks(word)


def fold(text: str) -> str:
    """Fold a whole text; emoji, symbols and control characters become spaces."""
    return "".join(c if c.isascii() and c.isalnum() else " " for c in _strip_marks(text))


def tokens(text: str) -> list[str]:
    """Folded word tokens. Hyphens and apostrophes split ("amsterdam-noord")."""
    return _TOKEN.findall(fold(text))


_CASED: dict[str, tuple[tuple[str, bool], ...]] = {}  # per written word, bounded
_CASED_LIMIT = 65_536


def _cased_word(word: str) -> tuple[tuple[str, bool], ...]:
    capital = word[0].isupper()
    found = tuple((t, capital) for t in _TOKEN.findall(fold(word)))
    if len(_CASED) < _CASED_LIMIT:
        _CASED[word] = found
    return found


def cased_tokens(text: str) -> list[tuple[str, bool]]:
    """Like ``tokens``, each with whether the word was written with a capital."""
    out: list[tuple[str, bool]] = []
    known = _CASED.get
    for word in _WORD.findall(text):
        out.extend(known(word) or _cased_word(word))
    return out


@lru_cache(maxsize=131_072)
def keys(token: str) -> frozenset[str]:
    """The comparison keys of one folded token: itself and its nl and en stems."""
    if len(token) <= 3 or token.isdigit():
        return frozenset((token,))
    stems = (_NL_STEMMER.stemWord(token), _EN_STEMMER.stemWord(token))
    # Short stems collide, and so do stems that lost a prefix ("gebouw" -> "bouw").
    found = (token, *(s for s in stems if len(s) >= 4 and s[:2] == token[:2]))
    if "ij" in token:  # Dutch "ij" typed as "y" ("wyk", "fynstof") meets the "ij" form
        found += tuple(k.replace("ij", "y") for k in found)
    return frozenset(found)


def stem_nl(token: str) -> str:
    return str(_NL_STEMMER.stemWord(token))


def stem_en(token: str) -> str:
    return str(_EN_STEMMER.stemWord(token))


def is_stopword(token: str) -> bool:
    return token in STOPWORDS


@lru_cache(maxsize=131_072)
def canonical_stem(token: str) -> str:
    """One key per token for bag-of-words lookups: its shortest stem."""
    return min(keys(token), key=lambda k: (len(k), k))


# "ik ben 17": a speaker who gives an age this young is a young person, and says so in
# the words a map uses for them. Plural forms are left alone: "we zijn 15" is as often a
# head count as an age.
_SPEAKER = {("ik", "ben"): "jongeren", ("i", "am"): "youth", ("i", "m"): "youth"}
_AGE = re.compile(r"(\d{1,2})(?:yo|jr|j)?")
_YEARS = frozenset({"jaar", "years", "year"})
_AFTER_AGE = frozenset({"en", "jarig", "oud", "maar", "and", "old", "yo", "but"})
YOUNG_AGES = range(10, 26)


def speaker_age_as_word(toks: list[str]) -> list[str]:
    """``toks`` with a young speaker's stated age replaced by the word for young people."""
    for i in range(1, len(toks)):
        word = "youth" if toks[i - 1] == "im" else (  # "im 16": "I'm" without apostrophe
            _SPEAKER.get((toks[i - 2], toks[i - 1])) if i >= 2 else None)
        if word is None:
            continue
        age = _AGE.fullmatch(toks[i])
        if age and int(age.group(1)) in YOUNG_AGES and _age_ends(toks, i + 1):
            return [*toks[:i], word, *toks[i + 1:]]
    return toks


def _age_ends(toks: list[str], j: int) -> bool:
    """Whether the words from ``j`` on close an age ("17", "17 jaar", "17 jaar oud") rather
    than a span of time ("20 jaar actief")."""
    if j < len(toks) and toks[j] in _YEARS:
        j += 1
        return j == len(toks) or toks[j] in _AFTER_AGE or toks[j] in STOPWORDS
    return j == len(toks) or toks[j] in _AFTER_AGE
