"""Find the province and municipality a question is about, from the map's regions.

Names come only from the map: province names and ids, municipality names, the optional
``aliases`` / ``municipality_aliases``, plus names derived by general Dutch rules:
hyphen/space variants, diacritics folded ("Fryslân" = "Frysland"), the colloquial
"den <head>" of an "'s-<genitive><head>" name ("'s-Hertogenbosch" -> "den bosch"), a
province-name part that is unique among the provinces ("Noord-Brabant" -> "brabant") and
its adjective forms ("brabantse"). A name that is also an ordinary word ("Goes", "Ede",
"Houten", "Leiden") only counts when written with a capital or after a place preposition.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from routing.lexicon import common_words
from routing.model import NATIONAL, Region
from routing.normalize import STOPWORDS, stem_en, stem_nl, tokens

# Words after which a lower-case ordinary word is read as a place name.
PLACE_PREPOSITIONS = frozenset(
    [
        "in", "uit", "bij", "te", "nabij", "vlakbij", "rond", "rondom", "naar", "near", "around",
        "from", "gemeente", "provincie", "stad", "dorp", "regio", "city", "town", "province",
        "region", "village"
    ]
)
_MAX_PHRASE = 4
_FUZZY_MIN = 5  # shorter names and words get no typo correction
_ADJECTIVE_SUFFIXES = ("se", "s", "er", "ers", "e")
_COMPASS_EN = {"noord": "north", "zuid": "south", "oost": "east", "west": "west"}


def _compass_variants(form: tuple[str, ...]) -> list[tuple[str, ...]]:
    """English compass forms of Dutch names ("noord holland" -> "north holland")."""
    if len(form) >= 2 and form[0] in _COMPASS_EN:
        return [(_COMPASS_EN[form[0]], *form[1:])]
    return []


@dataclass(frozen=True, slots=True)
class Place:
    region: str
    municipality: str | None  # canonical municipality name, or None for a province
    ambiguous: bool  # an ordinary word too: needs a capital or a preposition


_UNSEEN = Place("", None, False)  # marks a token not looked up yet


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    region: str
    municipality: str | None
    position: int  # token index where the name starts
    length: int  # number of tokens of the name


def derived_municipality_names(name: str) -> list[tuple[str, ...]]:
    """Token forms of a municipality name, including general colloquial variants."""
    base = tuple(tokens(name))
    forms = [base]
    if len(base) >= 2 and base[0] == "s":  # 's-Hertogenbosch, 's-Gravenzande
        rest = base[1:]
        forms.append(rest)
        head = rest[-1]
        if len(rest) == 1:
            # 's-<genitive ending in -en><head>: the colloquial name is "den <head>"
            for i in range(4, len(head) - 3):
                if head[i - 2 : i] == "en":
                    forms.append(("den", head[i:]))
                    break
        else:  # 's-X-en-Y
            forms.append(("den", head))
    if len(base) >= 2:
        forms.append(("".join(base),))  # "sittardgeleen", "denhaag"
    forms += _compass_variants(base)
    return forms


def _province_forms(region: Region, all_regions: Sequence[Region]) -> list[tuple[str, ...]]:
    forms = [tuple(tokens(region.name)), tuple(tokens(region.id.replace("-", " ")))]
    forms += [tuple(tokens(a)) for a in region.aliases]
    name = tuple(tokens(region.name))
    if len(name) >= 2:
        forms.append(("".join(name),))
        last = name[-1]
        others = [tuple(tokens(r.name)) for r in all_regions if r.id != region.id]
        if len(last) >= 5 and not any(last in o for o in others):
            forms.append((last,))
    forms += [v for f in forms for v in _compass_variants(f)]
    return [f for f in forms if f]


class PlaceIndex:
    """Region and municipality names of one map, ready for lookup."""

    def __init__(self, regions: Sequence[Region], common_words: Collection[str] = ()) -> None:
        self._names: dict[tuple[str, ...], Place] = {}
        self._clashes: set[tuple[str, ...]] = set()
        self._common = frozenset(common_words)
        for region in regions:
            if region.id == NATIONAL:
                continue
            for form in _province_forms(region, regions):
                self._add(form, region.id, None)
            for muni in region.municipalities:
                for form in derived_municipality_names(muni):
                    self._add(form, region.id, muni)
            for alias, muni in region.municipality_aliases.items():
                self._add(tuple(tokens(alias)), region.id, muni)
        for form in self._clashes:  # one name in two provinces tells nothing
            self._names.pop(form, None)
        self._single = sorted({k[0] for k in self._names
                               if len(k) == 1 and len(k[0]) >= _FUZZY_MIN})
        self._first = frozenset(k[0] for k in self._names)
        self._fuzzy_cache: dict[str, Place | None] = {}
        self._adjectives: dict[str, tuple[str, ...]] = {}
        for key in self._names:
            if len(key) == 1 and len(key[0]) >= 6:  # "Brabantse", "Amsterdamse"
                for suffix in _ADJECTIVE_SUFFIXES:
                    if (key[0] + suffix,) not in self._names:
                        self._adjectives.setdefault(key[0] + suffix, key)

    def _ambiguous(self, form: tuple[str, ...]) -> bool:
        if len(form) > 1:
            return all(t in STOPWORDS or t in self._common for t in form)
        word = form[0]
        if len(word) <= 4 or word in STOPWORDS or word in self._common:
            return True
        return len(word) <= 6 and (stem_nl(word) != word or stem_en(word) != word)

    def _add(self, form: tuple[str, ...], region: str, municipality: str | None) -> None:
        if not form:
            return
        if any("ij" in t for t in form):  # "Nijmegen" typed "Nymegen"
            self._add(tuple(t.replace("ij", "y") for t in form), region, municipality)
        existing = self._names.get(form)
        if existing is not None:
            if existing.region != region:
                self._clashes.add(form)
            if existing.municipality is not None and municipality is None:
                return  # "Groningen": the municipality also tells the province
        self._names[form] = Place(region, municipality, self._ambiguous(form))

    @property
    def names(self) -> dict[tuple[str, ...], Place]:
        return self._names

    def find(self, toks: Sequence[str], capitals: Sequence[bool] | None = None,
             skip: Collection[int] = ()) -> list[PlaceMatch]:
        """All place names in a token list, in order of appearance."""
        found: list[PlaceMatch] = []
        n = len(toks)
        first, fuzzy = self._first, self._fuzzy_cache
        # where a name may start: a name's first word, or a word not known to be no name
        starts = [i for i, t in enumerate(toks) if t in first or fuzzy.get(t, _UNSEEN) is not None]
        after = 0  # the end of the last name found
        for i in starts:
            if i < after:
                continue
            if toks[i] not in first:  # no name starts here: one word, maybe a typo
                place = self._fuzzy(toks[i])
                if place is not None and i not in skip and self._accept(place, i, toks,
                                                                        capitals):
                    found.append(PlaceMatch(place.region, place.municipality, i, 1))
                continue
            hit = None
            for size in range(min(_MAX_PHRASE, n - i), 0, -1):
                key = tuple(toks[i : i + size])
                place = self._names.get(key)
                if place is None and size == 1:
                    place = self._fuzzy(key[0])
                if place is not None and self._accept(place, i, toks, capitals):
                    hit = (place, size)
                    break
            if hit is not None and i not in skip:
                place, size = hit
                found.append(PlaceMatch(place.region, place.municipality, i, size))
                after = i + size
        return found

    def _accept(self, place: Place, i: int, toks: Sequence[str],
                capitals: Sequence[bool] | None) -> bool:
        if not place.ambiguous:
            return True
        if capitals is not None and capitals[i] and i > 0:
            return True  # capital not at the start of the text
        return i > 0 and toks[i - 1] in PLACE_PREPOSITIONS

    def _fuzzy(self, token: str) -> Place | None:
        if token in self._fuzzy_cache:
            return self._fuzzy_cache[token]
        place = self._fuzzy_lookup(token)
        if len(self._fuzzy_cache) < 50_000:
            self._fuzzy_cache[token] = place
        return place

    def _fuzzy_lookup(self, token: str) -> Place | None:
        if token in self._adjectives:
            place = self._names[self._adjectives[token]]
            return Place(place.region, place.municipality,
                         place.ambiguous or place.municipality is not None)
        if len(token) < _FUZZY_MIN or token in STOPWORDS or token in self._common:
            return None
        if len(token) < 7 and token in common_words():
            return None  # a short everyday word ("brede") is no slip for a place ("Breda")
        best = process.extractOne(token, self._single, scorer=OSA.distance, score_cutoff=1)
        if best is None:
            return None
        place = self._names[(best[0],)]
        return Place(place.region, place.municipality, True)
