"""Mask personal data in question texts before they appear in a report.

The report shows question texts only for knowledge gaps, so staff see what was asked;
who asked must not show. Masked, in this order: profile links, other URLs (the host stays,
the path goes),
e-mail addresses, Matrix ids and @handles, IBANs, phone numbers, postcode + house number,
street + house number, long digit runs (BSN, customer numbers), names introduced by a
cue ("mijn naam is …", "groet, …", "I'm …", "mevrouw …"), and any other capitalised word
inside a sentence that is not a place, organisation or label from the knowledge map.
Each becomes a label in square brackets, so a reader still sees that something was there.

This is a best effort on free text, deliberately greedy: a masked place name costs less
than a leaked phone number.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from routing.model import KnowledgeMap

_NAME = r"[A-ZÀ-Ý][\w'’-]+"
_NAME_TAIL = (r"(?:\s+(?:van|de|der|den|het|ter|ten|la|le|el|al|bin|von|da|dos|"
              r"van de|van der|van den)\b)*(?:\s+[A-ZÀ-Ý][\w'’-]+){0,2}")
_STREET_SUFFIX = (r"(?:straat|laan|weg|plein|gracht|kade|singel|dijk|hof|pad|steeg|dreef|"
                  r"park|markt|wal|baan|erf|veld|street|road|lane|avenue)")

_HOUSE = r"(?:[\s,]+\d{1,5}(?:\s?[a-zA-Z]\b)?\b)?"

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # URLs: keep the host so staff see which site, drop the path (profiles, documents)
    # profiles on social sites and messengers: all of it
    (re.compile(r"(?:https?://)?(?:www\.)?(?:t\.me|wa\.me|instagram\.com|facebook\.com|"
                r"fb\.com|linkedin\.com|tiktok\.com|x\.com|twitter\.com|matrix\.to)/\S+",
                re.I), "[link]"),
    # other URLs: keep the host so staff see which site, drop the path
    (re.compile(r"\b((?:https?://|www\.)[^\s/]+)/\S*", re.I), r"\1/[link]"),
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), "[e-mail]"),
    (re.compile(r"(?<![\w@\[])@[\w.=-]+:[\w.-]+(?::\d+)?"), "[@handle]"),  # Matrix id
    (re.compile(r"(?<![\w@\[])@\w{2,}"), "[@handle]"),
    (re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{4}(?:\s?\d{2,4}){2,5}\b"), "[IBAN]"),
    # phone numbers: +31 / 0031 / 0 followed by 9 digits, any spacing or dashes
    (re.compile(r"(?<![\w+])(?:\+|00)\d{2}[\s.-]?(?:\(0\)[\s.-]?)?\d(?:[\s.-]?\d){7,10}\b"),
     "[telefoon]"),
    (re.compile(r"(?<!\w)\(?0\d{1,3}\)?(?:[\s.-]?\d){6,8}\b"), "[telefoon]"),
    # postcode with optional house number: 1234 AB 12a
    (re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}\b" + _HOUSE), "[postcode]"),
    (re.compile(r"\b[1-9]\d{3}[a-z]{2}\b" + _HOUSE), "[postcode]"),
    (re.compile(r"\b[A-ZÀ-Ý]?[\w'’-]*" + _STREET_SUFFIX + r"\s+\d{1,5}(?:\s?[a-zA-Z]\b)?\b",
                re.I), "[adres]"),
    (re.compile(r"\b\d{7,}\b"), "[nummer]"),
)


def _cue_rule() -> re.Pattern[str]:
    return re.compile(
        r"(?P<cue>(?i:\b(?:mijn naam is|ik ben|ik heet|my name is|i am|i'm|this is|"
        r"groet(?:en|jes)?,?|met vriendelijke groet,?|vriendelijke groet,?|mvg,?|"
        r"regards,?|cheers,?|thanks,?|bedankt,?|"
        r"meneer|mevrouw|mevr\.?|dhr\.?|mw\.?|mr\.?|mrs\.?|ms\.?)\s+))"
        + _NAME + _NAME_TAIL)


_CUE = _cue_rule()
_WORDS_AFTER_CUE = frozenset({
    # capitalised words after "ik ben"/"I am" that are not names
    "Op", "Bezig", "Benieuwd", "Vrijwilliger", "Bewoner", "Lid", "Voorzitter", "Een",
    "Looking", "Part", "Member", "Chair", "Trying", "Not", "From", "A", "An", "The", "In",
    "Van", "Uit", "Samen", "Namens", "Initiatiefnemer", "Secretaris", "Penningmeester",
})


def _mask_name(match: re.Match[str]) -> str:
    first = match.group(0)[len(match.group("cue")):].split()[0]
    if first in _WORDS_AFTER_CUE:
        return match.group(0)
    return f"{match.group('cue')}[naam]"


# Capitalised words that are not names, kept when they stand mid-sentence.
COMMON_CAPITALISED = frozenset({
    "I", "Ik", "We", "Wij", "Hoi", "Hallo", "Hi", "Hey", "Hello", "Dear", "Beste", "Dag",
    "Nederland", "Netherlands", "Dutch", "English", "Engels", "Nederlands", "Europa", "Europe",
    "Europees", "European", "Rijk", "Rijksoverheid", "Provincie", "Gemeente", "Waterschap",
    "Maandag", "Dinsdag", "Woensdag", "Donderdag", "Vrijdag", "Zaterdag", "Zondag",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Januari", "Februari", "Maart", "April", "Mei", "Juni", "Juli", "Augustus", "September",
    "Oktober", "November", "December", "January", "February", "March", "May", "June", "July",
    "August", "October", "Koningsdag", "Kerst", "Christmas", "Pasen", "Easter", "Sorry",
    "Oké", "Ok", "OK", "Thanks", "Bedankt", "Dank", "Groet", "Groeten",
})
_WORD = re.compile(r"[A-Za-zÀ-ÿ][\w'’-]*")
_SENTENCE_END = re.compile(r"(^|[.!?:;\n(\[\"“]\s*)$")
_NAME_LINK = frozenset({"van", "de", "der", "den", "ter", "ten", "el", "al", "von", "da"})


def _is_name_word(word: str, keep: frozenset[str]) -> bool:
    return (word[0].isupper() and not word.isupper() and word not in keep
            and word not in COMMON_CAPITALISED)


def _name_end(words: list[re.Match[str]], text: str, start: int, keep: frozenset[str]) -> int:
    """The last word of a name starting at ``start``: "Marieke van der Berg".

    After a particle ("van der") a capitalised word is the surname even when a place
    shares it ("Berg" as in Berg en Dal, "Dijk", "Bos"): it is masked all the same.
    """
    end, j = start, start + 1
    linked = False
    while j < len(words) and text[words[j - 1].end():words[j].start()] == " ":
        word = words[j].group()
        if word in _NAME_LINK:
            j, linked = j + 1, True
        elif _is_name_word(word, keep) or (linked and word[0].isupper()):
            end, j, linked = j, j + 1, False
        else:
            break
    return end


def _mask_capitalised(text: str, keep: frozenset[str]) -> str:
    """Capitalised words that are not known words: likely names. Inside a sentence one
    such word is enough; at the start of a sentence it takes two ("Piet Puk zei ...")."""
    words = list(_WORD.finditer(text))
    out: list[str] = []
    last = i = 0
    while i < len(words):
        word = words[i]
        if _is_name_word(word.group(), keep):
            end = _name_end(words, text, i, keep)
            initial = bool(_SENTENCE_END.search(text[:word.start()]))
            if not initial or end > i:
                out.append(text[last:word.start()] + "[naam]")
                last, i = words[end].end(), end + 1
                continue
        i += 1
    out.append(text[last:])
    return "".join(out)


def mask(text: str, keep: Collection[str] = ()) -> str:
    """``text`` with personal data replaced by labels like ``[telefoon]``.

    ``keep``: capitalised words that are not names (places, organisations, labels from the
    knowledge map); any other capitalised word inside a sentence is masked as a name.
    """
    out = text
    for pattern, repl in _RULES:
        out = pattern.sub(repl, out)
    out = _CUE.sub(_mask_name, out)
    return _mask_capitalised(out, frozenset(keep))


_known_cache: list[tuple[KnowledgeMap, frozenset[str]]] = []


def known_words(kmap: KnowledgeMap | None) -> frozenset[str]:
    """Capitalised words from the map that are not people: places, organisations, labels.
    Cached for the last map asked about."""
    if kmap is None:
        return frozenset()
    if _known_cache and _known_cache[0][0] is kmap:
        return _known_cache[0][1]
    phrases: list[str] = []
    for region in kmap.regions:
        phrases += [region.name, *region.municipalities, *region.aliases,
                    *region.municipality_aliases]
    phrases += [e.name for e in kmap.entries]
    phrases += [s.organisation for s in kmap.servants]
    labels = [t.label for t in kmap.themes] + [n.label for n in kmap.needs]
    phrases += [text for label in labels for text in (label.nl, label.en or "")]
    words = frozenset(w.group() for p in phrases for w in _WORD.finditer(p))
    _known_cache[:] = [(kmap, words)]
    return words
