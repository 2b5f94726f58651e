"""The term index: everything the router looks up, built once from a knowledge map.

Phrases come from the map only: theme and need terms and labels, entry names and terms.
Each phrase points at the themes, needs or entries it is evidence for, with a weight that
falls when the phrase is shared by several targets, is a setting word ("buurt"), or is
also a need's term (a method word like "sensor"). Query tokens are compared by their
stems; tokens unknown to the map are looked up as a form of a map word (Dutch participles,
finite verbs, diminutives, separable verbs written apart; adjectives in -ig or English -y;
English -s), else get a typo correction against its vocabulary (rapidfuzz, OSA distance,
everyday words left alone) or a Dutch compound split. The entries also become arrays
(``EntryArrays``) so that every entry is scored at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from routing.lexicon import common_words
from routing.model import GENERAL_THEME, NATIONAL, KnowledgeMap, Need, Terms, Text, Theme
from routing.normalize import STOPWORDS, is_setting_word, keys, tokens
from routing.normalize import canonical_stem as canonical

THEME, NEED, ENTRY = 0, 1, 2
_FUZZY_MIN_LEN = 5
_COMPOUND_MIN_LEN = 7
_COMPOUND_PART_MIN = 4
_SHORT_HEAD = 3  # an everyday word this short may end a compound ("beweeg|les", "fiets|tas")
_LINKERS = ("s", "e", "en")
_INFLECTIONS = ("en", "n", "s", "e", "es")
_CACHE_LIMIT = 50_000
_MAX_REPEATS = 3  # further repeats of the same phrase add nothing
_MAX_GUESS_LEN = 30  # longer tokens get no typo correction or compound split
_LOOSE_WINDOW = 4  # words of a phrase may stand this far apart, in any order
_LOOSE_FACTOR = 0.7
_PART_FACTOR = 0.8
_MODIFIER_FACTOR = 0.8  # the left part of a compound modifies its head ("fiets|lessen")
_METHOD_FACTOR = 0.6
_SETTING_FACTOR = 0.4
_NO_KEYS: frozenset[str] = frozenset()
_FAR_FUTURE = dt.date.max.toordinal()
_FAR_PAST = dt.date.min.toordinal()

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Phrase:
    text: tuple[str, ...]
    token_keys: tuple[frozenset[str], ...]
    targets: tuple[tuple[int, int, float], ...]  # (THEME|NEED|ENTRY, index, weight)
    lang: str = ""  # "nl"/"en" when only that language's terms have it; "" for both
    content_keys: tuple[frozenset[str], ...] = ()  # keys checked when matched loosely
    setting: bool = False  # a setting word for some theme ("buurt"): already weighed down


class PhraseMatch(NamedTuple):  # a tuple: made several times per question, cheaply
    phrase: Phrase
    start: int
    length: int
    factor: float = 1.0  # below 1 for a phrase found with its words apart or reordered


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What matching needs of one query token, worked out once per token and language."""

    keys: frozenset[str]  # its keys: stems, or those of its correction or compound parts
    singles: tuple[tuple[Phrase, float], ...]  # one-word phrases, with weight factors
    pair_firsts: tuple[str, ...]  # its keys that start longer phrases
    content: tuple[Phrase, ...]  # longer phrases with a content word it matches
    joinable: bool  # may form a map word with its neighbour ("bloemen weide")


def _inflected(stem: str) -> list[str]:
    """Dutch and English plural/infinitive forms of a bare stem, with Dutch spelling rules:
    a long vowel loses its double ("stook" -> "stoken"), a short one doubles the consonant
    ("bus" -> "bussen")."""
    forms = [stem + e for e in _INFLECTIONS]
    if len(stem) >= 4 and stem[-2] == stem[-3] and stem[-2] in "aeou":
        forms.append(stem[:-2] + stem[-1] + "en")
    if len(stem) >= 3 and stem[-1] not in "aeiouy" and stem[-2] in "aeiou":
        forms.append(stem + stem[-1] + "en")
    return forms


# Separable verb prefixes before the "ge" of a participle ("op|ge|ruimd"); "" for none.
_SEPARABLE = ("", "op", "af", "aan", "in", "uit", "mee", "samen", "weg", "terug", "door",
              "over", "om", "bij", "toe", "vast", "schoon", "neer", "rond", "na", "voor")
_PARTICLES = frozenset(_SEPARABLE[1:])
# Particles whose separable verbs mean something else than the bare verb ("het project
# loopt vast", "vastgelopen", "vastleggen"): the bare verb of the map is no evidence then.
_IDIOM_PARTICLES = frozenset(["vast"])
# Words before a noun, not before a verb: "de bijen" (zit vast) is no verb "bijen".
_BEFORE_NOUNS = frozenset(["de", "het", "een", "onze", "ons", "mijn", "jullie", "hun", "die",
                           "deze", "dit", "dat", "van", "voor", "met", "naar", "op", "aan",
                           "in", "bij", "over", "zonder", "alle", "veel", "meer", "geen"])
# Endings of Dutch finite verb forms and prefix participles, the longest first.
_FINITE_ENDINGS = ("ten", "den", "te", "de", "t", "d")
# Personal pronouns stand for one another in a phrase, also at its end ("hoe begin ik" /
# "hoe begin je" / "hoe begin we"); other stopwords only inside it.
_PRONOUNS = frozenset(["ik", "je", "jij", "we", "wij", "u", "jullie", "men", "i", "you"])
_SEPARABLE_WINDOW = 10  # a separated particle may follow its verb this many words later
# English verbs and the nouns made from them whose stems differ ("notify" / "notification").
_EN_VERB_NOUN = (
    (("ify", "ifies", "ified", "ifying"), "ification"),
    (("icise", "icises", "icised", "icising", "icize", "icizes", "icized", "icizing"), "icity"),
)
# Unstressed verb prefixes: their participles take no "ge" ("be|taald", "ver|zameld").
_UNSTRESSED = ("be", "ver", "ont", "her", "er")
# Dutch diminutive endings, the longest base first, with the sounds they follow
# ("kast|je", "tuin|tje", "boom|pjes", "ball|etje").
_DIMINUTIVE: dict[str, str] = {  # ending -> the letters its base may end with ("" = any)
    "je": "", "jes": "", "tje": "aeiouyjlnrw", "tjes": "aeiouyjlnrw",  # "ij": "bij|tjes"
    "pje": "m", "pjes": "m", "etje": "", "etjes": "",
}
# Vowel changes of Dutch strong verbs, participle vowel -> infinitive vowels
# ("gespoten" -> "spuiten", "geschreven" -> "schrijven", "gebonden" -> "binden").
_ABLAUT: dict[str, tuple[str, ...]] = {
    "o": ("ui", "ie", "e", "i", "ij", "ee"), "oo": ("ui", "ie", "e", "ee"),
    "e": ("ij", "i", "ee", "a", "ie"), "a": ("aa", "e", "ee"), "ie": ("ij", "ee"),
    "ee": ("ij", "ie"), "aa": ("a", "e"),
}


def _vowel_groups(stem: str) -> list[tuple[int, int, str]]:
    """(start, end, vowels) of each run of vowels in a verb stem."""
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(stem):
        if stem[i] in "aeiou":
            j = i
            while j < len(stem) and stem[j] in "aeiou":
                j += 1
            out.append((i, j, stem[i:j]))
            i = j
        else:
            i += 1
    return out


def _spelling_variant(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are two spellings of one word: two neighbouring letters
    swapped ("center"/"centre"), a "u" before an "r" ("color"/"colour"), or s/z
    ("organize"/"organise")."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return {a[diff[0]], b[diff[0]]} == {"s", "z"}
        return (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return len(long) == len(short) + 1 and any(
        long[i] == "u" and long[i + 1:i + 2] == "r" and long[:i] + long[i + 1:] == short
        for i in range(len(long) - 1))


def _plausible(part: str, word: str) -> bool:
    """Whether a compound part may stand for ``word``: a short part only by a full ending
    ("ruil" -> "ruilen", "prik" -> "prikken", not "bije" -> "bijen")."""
    ending = word[len(part):]
    return (word == part or len(part) >= 5 or ending in ("en", "s")
            or (word.startswith(part) and ending == part[-1] + "en"))


def _text_tokens(text: Text | None) -> list[str]:
    if text is None:
        return []
    return tokens(text.nl) + tokens(text.en or "")


def _term_phrases(terms: Terms) -> Iterable[tuple[str, ...]]:
    for term in terms.all():
        toks = tuple(tokens(term))
        if toks:
            yield toks


def _lang_phrases(terms: Terms) -> Iterable[tuple[str, tuple[str, ...]]]:
    for lang, items in (("nl", terms.nl), ("en", terms.en)):
        for term in items:
            toks = tuple(tokens(term))
            if toks:
                yield lang, toks


class TermIndex:
    """Phrase lookup, vocabulary, typo correction and compound splitting for one map."""

    def __init__(self, kmap: KnowledgeMap, exclude_words: Iterable[str] = ()) -> None:
        self.kmap = kmap
        self.theme_ids = tuple(t.id for t in kmap.themes)
        self.need_ids = tuple(n.id for n in kmap.needs)
        self.entry_ids = tuple(e.id for e in kmap.entries)
        excluded = set(exclude_words)
        vocab: set[str] = set()
        for theme in kmap.themes:
            vocab.update(_text_tokens(theme.label))
            for p in _term_phrases(theme.terms):
                vocab.update(p)
        for need in kmap.needs:
            vocab.update(_text_tokens(need.label))
            for p in _term_phrases(need.terms):
                vocab.update(p)
        for entry in kmap.entries:
            vocab.update(tokens(entry.name))
            vocab.update(_text_tokens(entry.summary))
            for p in _term_phrases(entry.terms):
                vocab.update(p)
        self.vocab = frozenset(t for t in vocab - excluded if not t.isdigit())
        self._common = common_words()
        self.key_vocab = frozenset(k for t in self.vocab for k in keys(t))
        self._fuzzy_pool: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in sorted(self.vocab):
            if len(word) >= _FUZZY_MIN_LEN - 1 and word not in STOPWORDS:
                self._fuzzy_pool[(word[0], len(word))].append(word)
        self._position_cache: dict[str, frozenset[str]] = {}
        # per compound token: the keys of its left part, which modifies the head
        self._modifier_cache: dict[str, frozenset[str]] = {}
        # per token: the keys of the map word it is a slip for (that word, not a part of it)
        self._same_word: dict[str, frozenset[str]] = {}
        self._content_cache: dict[frozenset[str], tuple[Phrase, ...]] = {}
        self._joined_cache: dict[str, tuple[Phrase, ...]] = {}
        self._pair_cache: dict[tuple[str, str], tuple[Phrase, ...]] = {}
        self._separated_cache: dict[tuple[str, str], str | None] = {}
        self._token_caches: dict[str, dict[str, TokenInfo]] = {}  # per language, per token
        self._build_phrases(kmap)

    # ------------------------------------------------------------------ phrases
    @staticmethod
    def _theme_words(kmap: KnowledgeMap) -> dict[str, set[str]]:
        """Per theme: the canonical words its entries' names and summaries use."""
        per_theme: dict[str, set[str]] = defaultdict(set)
        for entry in kmap.entries:
            words = {canonical(t) for t in _text_tokens(entry.summary) + tokens(entry.name)}
            for theme in entry.themes:
                per_theme[theme].update(words)
        return per_theme

    @staticmethod
    def _is_setting_word(key: str, own_theme: str, per_theme: dict[str, set[str]]) -> bool:
        """Used by the entries of most other themes: a setting ("buurt"), not a subject."""
        others = [t for t in per_theme if t != own_theme]
        used = sum(1 for t in others if key in per_theme[t])
        return len(others) >= 3 and used / len(others) > 0.6

    def _build_phrases(self, kmap: KnowledgeMap) -> None:
        raw: dict[tuple[str, ...], dict[tuple[int, int], float]] = defaultdict(dict)
        langs: dict[tuple[str, ...], set[str]] = defaultdict(set)

        def add(text: tuple[str, ...], kind: int, idx: int, weight: float,
                lang: str = "") -> None:
            if not text or (len(text) == 1 and (text[0] in STOPWORDS or len(text[0]) < 2)):
                return
            langs[text].add(lang)
            slot = raw[text]
            slot[(kind, idx)] = max(slot.get((kind, idx), 0.0), weight)
            if 2 <= len(text) <= 3 and not any(t in STOPWORDS for t in text):
                joined = ("".join(text),)  # "plastic soep" also as "plasticsoep"
                slot2 = raw[joined]
                slot2[(kind, idx)] = max(slot2.get((kind, idx), 0.0), weight)

        labelled: list[tuple[int, Sequence[Theme | Need]]] = [(THEME, kmap.themes),
                                                              (NEED, kmap.needs)]
        for kind, items in labelled:
            for idx, item in enumerate(items):
                for lang, p in _lang_phrases(item.terms):
                    add(p, kind, idx, 1.0, lang)
                for label in (item.label.nl, item.label.en or ""):
                    toks = tuple(tokens(label))
                    add(toks, kind, idx, 1.0)
                add(tuple(item.id.split("-")), kind, idx, 0.8)
        name_texts: set[tuple[str, ...]] = set()
        for idx, entry in enumerate(kmap.entries):
            name_texts.add(tuple(tokens(entry.name)))
            add(tuple(tokens(entry.name)), ENTRY, idx, 3.0)
            for lang, p in _lang_phrases(entry.terms):
                add(p, ENTRY, idx, 1.0, lang)

        per_theme = self._theme_words(kmap)
        per_key_targets: dict[tuple[int, str], set[int]] = defaultdict(set)
        for text, slot in raw.items():
            for kind, idx in slot:
                per_key_targets[(kind, " ".join(text))].add(idx)
        # one-word phrases by key; longer ones by the keys of their first two words
        # (or the first word alone when the second is a stopword that may differ)
        self.phrases_by_first: dict[str, list[Phrase]] = defaultdict(list)
        self.phrases_by_pair: dict[tuple[str, str], list[Phrase]] = defaultdict(list)
        self.phrases_by_content: dict[str, list[Phrase]] = defaultdict(list)
        for text, slot in raw.items():
            content = [t for t in text if t not in STOPWORDS]
            targets: list[tuple[int, int, float]] = []
            setting = False
            for (kind, idx), weight in slot.items():
                w = weight * (1.0 + 0.5 * (len(content) - 1)) if content else 0.5 * weight
                if kind != ENTRY:
                    w /= len(per_key_targets[(kind, " ".join(text))])
                    if kind == THEME and len(content) == 1 and (
                            is_setting_word(content[0]) or self._is_setting_word(
                                canonical(content[0]), self.theme_ids[idx], per_theme)):
                        w *= _SETTING_FACTOR
                        setting = True
                    if kind == THEME and any(k == NEED for k, _ in slot):
                        w *= _METHOD_FACTOR  # a method word shared with a need ("sensor")
                targets.append((kind, idx, w))
            only = langs[text] if len(langs[text]) == 1 else {""}
            loose = content if len(content) >= 2 else list(text)
            phrase = Phrase(text, tuple(keys(t) for t in text), tuple(targets),
                            next(iter(only)), tuple(keys(t) for t in loose), setting)
            if len(text) == 1:
                for k in phrase.token_keys[0]:
                    self.phrases_by_first[k].append(phrase)
            else:
                seconds = phrase.token_keys[1] | (
                    {""} if len(text) >= 3 and text[1] in STOPWORDS else set())
                for k0 in phrase.token_keys[0]:
                    for k1 in seconds:
                        self.phrases_by_pair[(k0, k1)].append(phrase)
            if (len(text) >= 2 and content and (len(content) >= 2 or len(text) == 2)
                    and text not in name_texts):
                for t in content:
                    for k in keys(t):
                        self.phrases_by_content[k].append(phrase)
        self._pair_firsts = frozenset(k0 for k0, _ in self.phrases_by_pair)
        self.single_texts = frozenset(p.text for ps in self.phrases_by_first.values()
                                      for p in ps)
        self._single_keys = frozenset(k for text in self.single_texts if len(text) == 1
                                      for k in keys(text[0]))
        all_keys: set[str] = set()
        dutch_keys: set[str] = set()
        english_keys: set[str] = set()
        for table in (self.phrases_by_first, self.phrases_by_pair):
            for ps in table.values():
                for known in ps:
                    found = {k for tk in known.token_keys for k in tk}
                    all_keys |= found
                    if known.lang != "en":
                        dutch_keys |= found
                    if known.lang != "nl":
                        english_keys |= found
        self.phrase_keys = frozenset(all_keys)
        self._dutch_keys = frozenset(dutch_keys)  # of phrases that are not English only
        self._english_keys = frozenset(english_keys)  # of phrases that are not Dutch only

    # ------------------------------------------------------------------ tokens
    def position_keys(self, token: str) -> frozenset[str]:
        """Keys of a query token: its stems, or those of its correction or compound parts."""
        cached = self._position_cache.get(token)
        if cached is not None:
            return cached
        result = keys(token)
        if token not in STOPWORDS and not token.isdigit() and len(token) <= _MAX_GUESS_LEN:
            if result & self.key_vocab:
                # a word of the map's texts, but no term on its own: its noun may be one
                # ("stil" beside the summary's "stille" -> the term "stilte")
                verb = None if result & self._single_keys else self._adjective_noun(token)
            else:
                verb = (self._participle(token) or self._diminutive(token)
                        or self._adjective_noun(token) or self._english_s(token)
                        or self._english_noun(token))
            if verb is None and not result & self.phrase_keys:
                verb = self._finite(token)
            if verb is not None:
                result = result | keys(verb)
            corrected = None if result & self.key_vocab else self._correct(token)
            if corrected is not None:
                result = result | keys(corrected)
            if corrected is not None and len(self._same_word) < _CACHE_LIMIT:
                self._same_word[token] = keys(corrected)
            elif not result & self.phrase_keys:
                result = result | self._compound_keys(token)
        if len(self._position_cache) < _CACHE_LIMIT:
            self._position_cache[token] = result
        return result

    def _participle(self, token: str) -> str | None:
        """The map's verb behind a Dutch past participle: "opgeruimd" -> "opruimen",
        "gemeten" -> "meten", "gespoten" -> "spuiten" (a strong verb's vowel change is
        tried against the map's vocabulary, so only the map's own verbs are found)."""
        for prefix in _SEPARABLE:
            if not token.startswith(prefix + "ge") or len(token) < len(prefix) + 5:
                continue
            rest = token[len(prefix) + 2:]
            if rest.endswith("en"):
                stem = rest[:-2]
                forms = [rest] + [stem[:i] + alt + stem[j:] + "en"
                                  for i, j, vowel in _vowel_groups(stem)
                                  for alt in _ABLAUT.get(vowel, ())]
            elif rest[-1] in "dt":
                # "gemaakt" -> "maak"; "gericht" -> "richt" (the stem's own t)
                forms = [f for stem in (rest, rest[:-1]) for f in _inflected(stem)
                         if f.endswith("n")]
            else:
                continue
            for form in forms:  # only a verb that some Dutch phrase of the map uses
                if prefix + form in self.vocab and keys(prefix + form) & self._dutch_keys:
                    return prefix + form
        return None

    def _finite(self, token: str) -> str | None:
        """The map's verb behind a Dutch finite form: "betaalt" -> "betalen", "stookte" ->
        "stoken", "fietsten" -> "fietsen", and a be-/ver- participle ("betaald"); or the
        map's word when a final d and t were confused ("verzekert" for "verzekerd")."""
        if len(token) >= 4 and token[-1] in "dt":
            swapped = token[:-1] + ("t" if token[-1] == "d" else "d")
            if swapped in self.vocab and keys(swapped) & self._dutch_keys:
                return swapped
        return self._dutch_word("", token)

    def _separated(self, verb: str, particle: str) -> str | None:
        """The map's separable verb behind a verb and its particle written apart: "(we)
        ruimen (de oevers) op" -> "opruimen", "werkten samen" -> "samenwerken"."""
        cache_key = (verb, particle)
        if cache_key not in self._separated_cache:
            found = None if verb in STOPWORDS else self._dutch_word(particle, verb)
            if found is None and len(verb) >= 4 and verb not in self._common \
                    and verb not in STOPWORDS:
                # a slip in the verb part: "samen te werkn" -> "samenwerken"
                joined = self._correct(particle + verb)
                if joined is not None and joined.startswith(particle) \
                        and keys(joined) & self._dutch_keys:
                    found = joined
            if len(self._separated_cache) < _CACHE_LIMIT:
                self._separated_cache[cache_key] = found
            return found
        return self._separated_cache[cache_key]

    def _dutch_word(self, prefix: str, token: str) -> str | None:
        """``prefix`` + an infinitive of the verb form ``token`` that some Dutch phrase of
        the map uses, if any."""
        if len(token) < 4:
            return None
        stems = [token]
        for ending in _FINITE_ENDINGS:
            if ending == "d" and not token.startswith(_UNSTRESSED):
                continue  # a bare "-d" only ends a participle without "ge" ("betaald")
            if token.endswith(ending) and len(token) - len(ending) >= 3:
                stems.append(token[:-len(ending)])
        for stem in stems:
            for form in (stem, *_inflected(stem)) if prefix else _inflected(stem):
                word = prefix + form
                if (form.endswith("en") and word != token and word in self.vocab
                        and word not in STOPWORDS and keys(word) & self._dutch_keys):
                    return word
        return None

    def _diminutive(self, token: str) -> str | None:
        """The map's word behind a Dutch diminutive: "boompjes" -> "bomen", "tuintje" ->
        "tuin", "balletje" -> "bal", "bijtjes" -> "bijen"."""
        for suffix in _DIMINUTIVE:
            base = token[:-len(suffix)]
            after = _DIMINUTIVE[suffix]
            if not token.endswith(suffix) or len(base) < 3 or (after and base[-1] not in after):
                continue
            bases = [base]
            if suffix.startswith("e") and len(base) >= 4 and base[-1] == base[-2]:
                bases.append(base[:-1])  # "ball|etje" -> "bal"
            for stem in bases:
                for form in (stem, *_inflected(stem)):
                    if form in STOPWORDS or (form == stem + "n" and not stem.endswith("e")):
                        continue  # "bij" is not "bijen"; "groe|n" is not a plural
                    if form in self.vocab and keys(form) & self._dutch_keys:
                        return form
        return None

    def _english_s(self, token: str) -> str | None:
        """The map's English word behind a short form with "-s" that the stemmers leave
        alone ("pays" -> "pay" of "pay for")."""
        if len(token) < 4 or not token.endswith("s") or token.endswith("ss"):
            return None
        base = token[:-1]
        if base in self.vocab and base not in STOPWORDS and keys(base) & self._english_keys:
            return base
        return None

    def _english_noun(self, token: str) -> str | None:
        """The map's English noun behind a verb the stemmers keep apart from it: -ify /
        -ification ("notify" -> "notification") and -icise / -icity ("publicise" ->
        "publicity"), in any verb form."""
        if len(token) < 6:
            return None
        for endings, noun_end in _EN_VERB_NOUN:
            for ending in endings:
                if token.endswith(ending):
                    form = token[:-len(ending)] + noun_end
                    if form in self.vocab and keys(form) & self._english_keys:
                        return form
        return None

    def _adjective_noun(self, token: str) -> str | None:
        """The map's noun behind an adjective made from it: English -y ("noisy" -> "noise",
        "smelly" -> "smell", "muddy" -> "mud", "lonely" -> "loneliness"), Dutch -ig
        ("lawaaiig" -> "lawaai", "stoffig" -> "stof") and the Dutch noun of quality in -te
        ("stil" -> "stilte", "droog" -> "droogte")."""
        if token.endswith("ig") and len(token) >= 6:
            base = token[:-2]
            for form in (base, base[:-1] if base[-1] == base[-2] else ""):
                if form in self.vocab and form not in STOPWORDS \
                        and keys(form) & self._dutch_keys:
                    return form
            return None
        if len(token) >= 4 and token not in STOPWORDS:
            # Dutch noun of quality in -te: "stil(le)" -> "stilte", "droog" -> "droogte"
            base = token[:-1] if token.endswith("e") else token
            if token.endswith("e") and base[-1] == base[-2]:
                base = base[:-1]  # "stille" -> "stil"
            form = base + "te"
            if form in self.vocab and keys(form) & self._dutch_keys:
                return form
        if not token.endswith("y") or len(token) < 5:
            return None
        base = token[:-1]
        forms = [base, base + "e"]
        if base[-1] == base[-2]:
            forms.append(base[:-1])  # "mudd|y" -> "mud"
        if token.endswith("ly"):
            forms.append(base + "iness")  # "lonely" -> "loneliness"
        for form in forms:
            if form in self.vocab and form not in STOPWORDS and keys(form) & self._english_keys:
                return form
        return None

    def _correct(self, token: str) -> str | None:
        """The map word ``token`` is a slip for, if any. An everyday word is only taken
        for another spelling of the same word ("center", "neighborhood", "organize"),
        never for a different word."""
        if len(token) < _FUZZY_MIN_LEN:
            return None
        max_edits = 1 if len(token) < 10 else 2
        pool: list[str] = []
        for size in range(len(token) - max_edits, len(token) + max_edits + 1):
            pool.extend(self._fuzzy_pool.get((token[0], size), ()))
        if not pool:
            return None
        best = process.extractOne(token, pool, scorer=OSA.distance, score_cutoff=max_edits)
        if best is None:
            return None
        word = str(best[0])
        if token in self._common and not _spelling_variant(token, word):
            return None
        return word

    def _known(self, part: str) -> str | None:
        """The vocabulary word a compound part stands for ("stook" -> "stoken"), if any."""
        if len(part) < _COMPOUND_PART_MIN or part in STOPWORDS:
            return None
        if part in self.vocab:
            return part
        for form in _inflected(part):  # a bare stem: plural or infinitive in the map
            if form in self.vocab:
                return form
        return part if keys(part) & self.key_vocab else None

    def _compound_keys(self, token: str) -> frozenset[str]:
        """Keys of the known parts of a Dutch compound ("schoolmoestuin" -> school, moestuin)."""
        if len(token) < _COMPOUND_MIN_LEN:
            return frozenset()
        best: tuple[int, frozenset[str], frozenset[str]] | None = None
        for cut in range(_COMPOUND_PART_MIN, len(token) - _SHORT_HEAD + 1):
            left, right = token[:cut], token[cut:]
            if left.removesuffix("ge") in _IDIOM_PARTICLES:
                continue  # "vast|lopen", "vast|ge|lopen": not walking
            short_head = len(right) < _COMPOUND_PART_MIN
            if short_head and right not in self._common:
                continue  # a short head only when it is an everyday word ("beweeg|les")
            lefts = [left] + [left[: -len(s)] for s in _LINKERS if left.endswith(s)]
            left_part, left_word = next(
                ((p, w) for p in lefts if (w := self._known(p)) and _plausible(p, w)),
                ("", None))
            right_word = None if short_head else self._known(right)
            if right_word and not _plausible(right, right_word):
                right_word = None
            if left_word and right_word:
                score = 2 * min(len(left_part), len(right))
                found = keys(left_word) | keys(right_word)
                # the left part yields only to a head that is itself a term of the map
                modifier = (keys(left_word) - keys(right_word)
                            if keys(right_word) & self.phrase_keys else frozenset())
            elif right_word and len(right) >= 5 and right_word in self.vocab:
                score, found, modifier = len(right), keys(right_word), frozenset()
            elif left_word and left_word in self.vocab and (
                    len(left_part) >= 5 or left_word != left_part):
                score, found = len(left_part), keys(left_word)
                modifier = frozenset()  # the head is unknown: the part is all we have
            else:
                continue
            if best is None or score > best[0]:
                best = (score, found, modifier)
        if best is None:
            return frozenset()
        self._modifier_cache[token] = best[2]
        return best[1]

    # ------------------------------------------------------------------ matching
    def match(self, toks: Sequence[str], skip: frozenset[int] = frozenset(),
              lang: str = "") -> list[PhraseMatch]:
        """Every map phrase found in the token list.

        Words are compared by stem; one stopword in a phrase may differ ("hoe pak je dat
        aan"); two words written apart may form a compound ("samen werken"); the content
        words of a phrase may also stand apart or reordered within a small window
        ("oprichten van een stichting"), at a lower weight. A phrase known in the other
        language only must match word for word, so "plant" does not catch "planten".
        """
        cache = self._token_caches.get(lang)
        if cache is None:
            cache = self._token_caches.setdefault(lang, {})
        if lang != "en":
            toks, muted = self._rejoin_separated(toks, skip)
            skip = skip | muted if muted else skip
        infos = [cache.get(t) or self._token_info(t, lang) for t in toks]
        pos_keys = [_NO_KEYS if i in skip else info.keys for i, info in enumerate(infos)]
        found: list[PhraseMatch] = []
        joined: list[PhraseMatch] = []  # two words written apart that form a map word
        matched: set[int] = set()
        repeats: dict[int, int] = defaultdict(int)
        n = len(toks)
        for i in range(n):
            if i in skip:
                continue
            info = infos[i]
            for phrase, factor in info.singles:
                if repeats[id(phrase)] < _MAX_REPEATS:
                    found.append(PhraseMatch(phrase, i, 1, factor))
                    matched.add(id(phrase))
                    repeats[id(phrase)] += 1
            if i + 1 >= n:
                continue
            if (info.joinable and infos[i + 1].joinable and i + 1 not in skip
                    and len(toks[i]) + len(toks[i + 1]) >= 8):
                for phrase in self._joined_phrases(toks[i] + toks[i + 1]):
                    joined.append(PhraseMatch(phrase, i, 2))
            if not info.pair_firsts:
                continue
            for phrase in self._pair_phrases(toks[i], "" if i + 1 in skip else toks[i + 1],
                                             info, pos_keys[i + 1]):
                size = len(phrase.text)
                if i + size > n:
                    continue
                if (phrase.lang and lang and phrase.lang != lang
                        and tuple(toks[i:i + size]) != phrase.text):
                    continue
                if repeats[id(phrase)] < _MAX_REPEATS and self._fits(phrase, toks, pos_keys, i):
                    found.append(PhraseMatch(phrase, i, size))
                    matched.add(id(phrase))
                    repeats[id(phrase)] += 1
        found.extend(joined)
        found.extend(self._loose(pos_keys, infos, matched, lang))
        return found

    def _rejoin_separated(self, toks: Sequence[str], skip: frozenset[int]
                          ) -> tuple[Sequence[str], frozenset[int]]:
        """The tokens with each separated verb rejoined at the verb's place ("we ruimen
        de oevers op" -> "we opruimen de oevers op", "op te ruimen" -> "op te opruimen"),
        when the map has the joined verb; and the places of map verbs that an idiom
        particle turns into another verb ("het loopt vast": not walking)."""
        out: list[str] | None = None
        muted: set[int] = set()
        n = len(toks)
        for j, particle in enumerate(toks):
            if particle not in _PARTICLES or j in skip:
                continue
            if j + 2 < n and toks[j + 1] == "te" and j + 2 not in skip:
                # "op te ruimen" -> "opruimen"
                joined = self._separated(toks[j + 2], particle)
                if joined is not None:
                    if out is None:
                        out = list(toks)
                    out[j + 2] = joined
                    continue
            for i in range(j - 1, max(-1, j - 1 - _SEPARABLE_WINDOW), -1):
                if i in skip:
                    continue
                joined = self._separated(toks[i], particle)
                if joined is not None:
                    if out is None:
                        out = list(toks)
                    out[i] = joined
                    break
                if particle in _IDIOM_PARTICLES and self._map_verb(toks[i]) and not (
                        i > 0 and toks[i - 1] in _BEFORE_NOUNS):  # "de bijen zit vast"
                    muted.add(i)
                    break
        return (toks if out is None else out), frozenset(muted)

    def _map_verb(self, token: str) -> bool:
        """Whether ``token`` is a form of a Dutch verb the map uses ("loopt", "lopen")."""
        if token in STOPWORDS or len(token) < 4:
            return False
        if token.endswith("en") and token in self.vocab and keys(token) & self._dutch_keys:
            return True
        return self._dutch_word("", token) is not None

    def _token_info(self, token: str, lang: str) -> TokenInfo:
        """The one-word phrases a token matches, each with its weight factor, its keys
        that start longer phrases, and the rest of ``TokenInfo``; once per token and
        language."""
        cache = self._token_caches.setdefault(lang, {})
        cached = cache.get(token)
        if cached is not None:
            return cached
        here = self.position_keys(token)
        own = keys(token)
        # a word that is itself a map term does not also stand for its stem-mates
        # ("school" is not "scholing")
        literal = (token,) in self.single_texts
        modifier = self._modifier_cache.get(token, frozenset())
        singles: list[tuple[Phrase, float]] = []
        seen: set[int] = set()
        for k in here:
            # a compound part that is itself a map term stands for that term only, as the
            # word alone would ("school|tuin" is not "scholing")
            part = k if k != token and (k,) in self.single_texts else None
            for phrase in self.phrases_by_first.get(k, ()):
                if id(phrase) in seen:
                    continue
                if (literal and phrase.text[0] != token) or (part and phrase.text[0] != part):
                    continue
                seen.add(id(phrase))
                if phrase.lang and lang and phrase.lang != lang and (token,) != phrase.text:
                    continue
                factor = 1.0
                if not phrase.token_keys[0] & (own | self._same_word.get(token, own)):
                    # a part of a compound tells less than the word itself
                    factor = _PART_FACTOR
                    if phrase.token_keys[0] & modifier:
                        factor *= _MODIFIER_FACTOR
                singles.append((phrase, factor))
        result = TokenInfo(here, tuple(singles), tuple(k for k in here if k in self._pair_firsts),
                           self._content_phrases(here) if here else (),
                           token not in STOPWORDS and not token.isdigit())
        if len(cache) < _CACHE_LIMIT:
            cache[token] = result
        return result

    def _pair_phrases(self, token: str, following: str, info: TokenInfo,
                      following_keys: frozenset[str]) -> tuple[Phrase, ...]:
        """The longer phrases that may start with ``token`` followed by ``following``
        ("" when that word is a place name), each once; worked out once per word pair."""
        cache_key = (token, following)
        cached = self._pair_cache.get(cache_key)
        if cached is None:
            found: dict[int, Phrase] = {}
            for phrase in self._pair_candidates(info.pair_firsts, following_keys):
                found.setdefault(id(phrase), phrase)
            cached = tuple(found.values())
            if len(self._pair_cache) < _CACHE_LIMIT:
                self._pair_cache[cache_key] = cached
        return cached

    def _pair_candidates(self, firsts: Sequence[str], nexts: frozenset[str]) -> list[Phrase]:
        out: list[Phrase] = []
        pairs = self.phrases_by_pair
        for k0 in firsts:
            out.extend(pairs.get((k0, ""), ()))
            for k1 in nexts:
                out.extend(pairs.get((k0, k1), ()))
        return out

    def _joined_phrases(self, joined: str) -> tuple[Phrase, ...]:
        """The one-word phrases two words written apart form together (once per pair)."""
        cached = self._joined_cache.get(joined)
        if cached is None:
            # two words written apart are one slip already: no typo correction on top
            found = keys(joined)
            cached = tuple(phrase for k in found for phrase in self.phrases_by_first.get(k, ())
                           if len(phrase.text) == 1)
            if len(self._joined_cache) < _CACHE_LIMIT:
                self._joined_cache[joined] = cached
        return cached

    def _content_phrases(self, here: frozenset[str]) -> tuple[Phrase, ...]:
        """The longer phrases that have a content word with one of these keys (once per
        key set)."""
        cached = self._content_cache.get(here)
        if cached is None:
            found: dict[int, Phrase] = {}
            for k in here:
                for phrase in self.phrases_by_content.get(k, ()):
                    found.setdefault(id(phrase), phrase)
            cached = tuple(found.values())
            if len(self._content_cache) < _CACHE_LIMIT:
                self._content_cache[here] = cached
        return cached

    def _loose(self, pos_keys: Sequence[frozenset[str]], infos: Sequence[TokenInfo],
               matched: set[int], lang: str) -> list[PhraseMatch]:
        out: list[PhraseMatch] = []
        tried: set[int] = set()
        n = len(pos_keys)
        present = frozenset().union(*pos_keys)  # every key of the question
        for i in range(n):
            if not pos_keys[i]:
                continue
            for phrase in infos[i].content:
                if id(phrase) in matched or id(phrase) in tried or (
                        phrase.lang and lang and phrase.lang != lang):
                    continue
                for tk in phrase.content_keys:
                    if present.isdisjoint(tk):
                        break  # a word of the phrase is nowhere in the question
                else:
                    self._place_loose(phrase, i, pos_keys, tried, out)
        return out

    @staticmethod
    def _place_loose(phrase: Phrase, i: int, pos_keys: Sequence[frozenset[str]],
                     tried: set[int], out: list[PhraseMatch]) -> None:
        """Find the words of ``phrase`` within the window around ``i``, apart or reordered."""
        n = len(pos_keys)
        lo, hi = max(0, i - _LOOSE_WINDOW), min(n, i + _LOOSE_WINDOW + 1)
        spots = []
        for tk in phrase.content_keys:
            spot = next((j for j in range(lo, hi) if tk & pos_keys[j]), None)
            if spot is None:
                break
            spots.append(spot)
        else:
            if len(set(spots)) == len(spots):
                tried.add(id(phrase))
                start, end = min(spots), max(spots) + 1
                out.append(PhraseMatch(phrase, start, end - start, _LOOSE_FACTOR))

    @staticmethod
    def _fits(phrase: Phrase, toks: Sequence[str], pos_keys: Sequence[frozenset[str]],
              i: int) -> bool:
        size = len(phrase.text)
        allowed = (size - 1) // 2  # "hoe pak je zoiets aan" for "hoe pak ik dat aan"
        misses = 0
        for j in range(1, size):
            if phrase.token_keys[j] & pos_keys[i + j]:
                continue
            if size >= 3 and phrase.text[j] in STOPWORDS and toks[i + j] in STOPWORDS and (
                    j < size - 1 or (phrase.text[j] in _PRONOUNS and toks[i + j] in _PRONOUNS)):
                misses += 1
                if misses > allowed:
                    return False
                continue
            return False
        return True


class EntryArrays:
    """Entries as arrays, for scoring every entry at once."""

    def __init__(self, kmap: KnowledgeMap, index: TermIndex) -> None:
        entries = kmap.entries
        n = len(entries)
        theme_pos = {t: i for i, t in enumerate(index.theme_ids)}
        need_pos = {t: i for i, t in enumerate(index.need_ids)}
        self.themes = np.zeros((n, max(1, len(theme_pos))), dtype=np.float32)
        self.needs = np.zeros((n, max(1, len(need_pos))), dtype=np.float32)
        self.any_theme = np.zeros(n, dtype=np.bool_)
        self.general = np.zeros(n, dtype=np.bool_)
        self.national = np.zeros(n, dtype=np.bool_)
        self.has_municipalities = np.zeros(n, dtype=np.bool_)
        self.start = np.full(n, _FAR_PAST, dtype=np.int64)
        self.until = np.full(n, _FAR_FUTURE, dtype=np.int64)
        self.region_rows: dict[str, list[int]] = defaultdict(list)
        self.municipality_rows: dict[str, list[int]] = defaultdict(list)
        self.stage_rows: dict[str, list[int]] = defaultdict(list)
        self.has_stages = np.zeros(n, dtype=np.bool_)
        for row, entry in enumerate(entries):
            for t in entry.themes:
                if t in theme_pos:
                    self.themes[row, theme_pos[t]] = 1.0
            self.any_theme[row] = not entry.themes
            self.general[row] = GENERAL_THEME in entry.themes
            for need in entry.needs:
                if need in need_pos:
                    self.needs[row, need_pos[need]] = 1.0
            self.national[row] = NATIONAL in entry.regions
            for region in entry.regions:
                self.region_rows[region].append(row)
            self.has_municipalities[row] = bool(entry.municipalities)
            for muni in entry.municipalities:
                self.municipality_rows[muni].append(row)
            self.has_stages[row] = bool(entry.stages)
            for stage in entry.stages:
                self.stage_rows[stage].append(row)
            if entry.window is not None:
                if entry.window.start is not None:
                    self.start[row] = entry.window.start.toordinal()
                if entry.window.until is not None:
                    self.until[row] = entry.window.until.toordinal()
        self.size = n
        # one contiguous row per theme / need: scoring touches only the asked ones
        self.theme_cols: FloatArray = np.ascontiguousarray(self.themes.T)
        self.need_cols: FloatArray = np.ascontiguousarray(self.needs.T)
        self._build_text(kmap)

    def _build_text(self, kmap: KnowledgeMap) -> None:
        """Inverted index of entry texts: canonical key -> rows and tf-idf weights."""
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for row, entry in enumerate(kmap.entries):
            fields: list[tuple[list[str], float]] = [
                (tokens(entry.name), 2.0),
                ([t for p in _term_phrases(entry.terms) for t in p], 1.5),
                (_text_tokens(entry.summary), 1.0),
            ]
            for toks, weight in fields:
                for t in toks:
                    if t in STOPWORDS or len(t) < 3 or t.isdigit():
                        continue
                    key = canonical(t)
                    postings[key][row] = max(postings[key].get(row, 0.0), weight)
        n = max(1, self.size)
        self.text: dict[str, tuple[IntArray, FloatArray]] = {}
        for key, rows in postings.items():
            df = len(rows)
            if df / n > 0.25 and df > 3:
                continue  # too common to tell entries apart
            idf = math.log(1 + n / df)
            self.text[key] = (np.fromiter(rows.keys(), dtype=np.int64, count=df),
                              np.fromiter((w * idf for w in rows.values()),
                                          dtype=np.float32, count=df))

    def build_theme_text(self, kmap: KnowledgeMap, theme_ids: Sequence[str]) -> None:
        """Per word of the entries' texts: how it spreads over the entries' themes.

        The map's entries are theme-labelled text, so a question's other words also
        say something about its theme ("wadi", "bui" near entries on heat and water).
        """
        pos = {t: i for i, t in enumerate(theme_ids)}
        acc: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        docs: dict[str, int] = defaultdict(int)
        for entry in kmap.entries:
            themes = [pos[t] for t in entry.themes if t in pos]
            if not themes:
                continue
            words = {canonical(t) for t in _text_tokens(entry.summary) + tokens(entry.name)
                     + [t for p in _term_phrases(entry.terms) for t in p]
                     if t not in STOPWORDS and len(t) >= 3 and not t.isdigit()}
            for w in words:
                docs[w] += 1
                for i in themes:
                    acc[w][i] += 1.0 / len(themes)
        n = max(1, len(kmap.entries))
        self.theme_text: dict[str, list[tuple[int, float]]] = {}
        for w, per in acc.items():
            total = sum(per.values())
            idf = math.log(1 + n / docs[w])
            self.theme_text[w] = [(i, v / total * idf) for i, v in per.items()]

    def mask_rows(self, rows: Sequence[int]) -> BoolArray:
        mask = np.zeros(self.size, dtype=np.bool_)
        if rows:
            mask[np.asarray(rows, dtype=np.int64)] = True
        return mask
