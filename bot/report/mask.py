"""Mask personal data in question texts before they appear in a report.

The report shows question texts only for knowledge gaps, so staff see what was asked;
who asked must not show. Masked, in this order: profile links, other URLs (the host stays,
the path goes),
e-mail addresses, Matrix ids and @handles, IBANs, phone numbers, postcode + house number,
street + house number, long digit runs (BSN, customer numbers), and names introduced by a
cue ("mijn naam is …", "groet, …", "I'm …", "mevrouw …"). Each becomes a label in square
brackets, so a reader still sees that something was there.

This is a best effort on free text, deliberately greedy: a masked place name costs less
than a leaked phone number.
"""

from __future__ import annotations

import re

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


def mask(text: str) -> str:
    """``text`` with personal data replaced by labels like ``[telefoon]``."""
    out = text
    for pattern, repl in _RULES:
        out = pattern.sub(repl, out)
    return _CUE.sub(_mask_name, out)
