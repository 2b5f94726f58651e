"""How the desk reads free answers and start links, and writes route answers."""

from __future__ import annotations

import re

from bot.texts import t
from routing.lang import vote
from routing.model import KnowledgeMap

YES = frozenset({"ja", "j", "yes", "y", "ok", "oké", "oke", "okay", "graag", "prima", "sure",
                 "jazeker", "yep", "jawel", "goed"})
NO = frozenset({"nee", "n", "no", "nope", "niet", "neen", "nah"})
PARTLY = frozenset({"deels", "gedeeltelijk", "partly", "half", "beetje", "partially"})
_WORD = re.compile(r"[a-zà-ÿ]+")


def answer_word(text: str) -> str | None:
    """'yes', 'no', 'partly' or None, from free text (first word decides)."""
    words = _WORD.findall(text.casefold())
    if not words:
        return None
    first = words[0]
    if first in YES:
        return "yes"
    if first in NO or text.casefold().strip().startswith("liever niet"):
        return "no"
    if first in PARTLY or (len(words) > 1 and words[1] in PARTLY):
        return "partly"
    return None


_NOT_NOW = re.compile(
    r"\b(later|misschien|maybe|perhaps|nadenken|think about it|niet nu|not now|nog niet|"
    r"not yet|weet (ik )?(het )?(nog )?niet|not sure|don'?t know yet|geen idee)\b")


def is_not_now(text: str) -> bool:
    """"Misschien later", "not now", "weet ik nog niet": not a yes, not a no for good."""
    words = _TOKEN.findall(text.casefold())  # short: a longer text is a new question
    return 0 < len(words) <= 6 and _NOT_NOW.search(" ".join(words)) is not None


def text_lang(text: str) -> str | None:
    """"nl" or "en" when the words say so; None for a text with no evidence either way
    ("ok", a place name, "/"), so the desk keeps speaking the language it spoke."""
    total = sum(vote(word) for word in _TOKEN.findall(text.casefold()))
    return None if total == 0 else "nl" if total > 0 else "en"


_TOKEN = re.compile(r"[a-zà-ÿ']+")
_HELP = frozenset({"help", "hulp", "menu", "help me", "hulp nodig", "help please", "commands",
                   "opdrachten", "wat kan je", "wat kun je", "wat kan jij", "wat kun jij",
                   "what can you do"})


def is_help_request(text: str) -> bool:
    """A bare "help", "hulp?", "?" or "menu": the person wants /help, not a route."""
    folded = " ".join(_TOKEN.findall(text.casefold()))
    return folded in _HELP or (not folded and text.strip().strip("?") == "" and "?" in text)


_PRIVACY = re.compile(
    r"\b(privacy|avg|gdpr|persoonsgegevens|personal data)\b"
    r"|\b(mijn|my)\s+(gegevens|data|info|informatie|berichten|messages|chats?)\b"
    r"|\b(bewaar|bewaren|bewaart|opslaan|store|keep|save)\b.*\b(over mij|about me|van mij)\b"
    r"|\bwat (bewaar|bewaart|bewaren) (je|jij|jullie)\b"
    r"|\bwat (weet|weten) (je|jij|jullie) (over|van) (mij|ons)\b"
    r"|\bwhat do you (know|store|keep|save) (about|of|on) (me|us)\b"
    r"|\bwhat do you (store|save)\b",
    re.IGNORECASE)


def is_privacy_question(text: str) -> bool:
    """A question about the desk's own handling of personal data ("wat gebeurt er met mijn
    gegevens?", "what do you store about me?"), not an initiative collecting data."""
    return len(text) <= 300 and _PRIVACY.search(text) is not None


_THANKS = frozenset({"dank", "bedankt", "dankjewel", "dankuwel", "thanks", "thank", "thx",
                     "merci", "tnx", "ty"})
_BYE = frozenset({"doei", "doeg", "dag", "bye", "goodbye", "ciao", "ziens", "groetjes",
                  "cheers", "later", "houdoe", "tot"})
_ACK = frozenset({"ok", "oké", "oke", "okay", "prima", "top", "super", "fijn", "mooi", "cool",
                  "great", "perfect", "helder", "duidelijk", "clear", "alright", "goed"})
_FILLER = frozenset({"je", "u", "jullie", "wel", "zeer", "heel", "erg", "hartelijk", "voor",
                     "de", "het", "hulp", "help", "nogmaals", "you", "very", "so", "much",
                     "for", "the", "your", "again", "a", "lot", "lots", "nou", "hoor", "many",
                     "alvast", "all", "allemaal", "and", "en", "dat", "is", "that's", "that",
                     "it", "dan", "then", "echt", "really"})


def social_reply(text: str) -> str | None:
    """"thanks" for a short thank-you ("super, dank je wel!"), "bye" for a goodbye,
    "ack" for a bare "ok" or "prima"; None when the message holds anything else (then it
    is a question)."""
    words = _TOKEN.findall(text.casefold())
    if not 0 < len(words) <= 8 or not all(w in _THANKS or w in _ACK or w in _BYE
                                          or w in _FILLER for w in words):
        return None
    if any(w in _THANKS for w in words):
        return "thanks"
    if any(w in _BYE for w in words) and words != ["later"]:
        return "bye"
    return "ack" if any(w in _ACK for w in words) else None


_SURE_YES = frozenset({"ja", "j", "yes", "y", "graag", "jazeker", "yep", "jawel", "sure"})
_CHANGE_MIND = frozenset({"toch", "alsnog", "actually", "after"})


def wants_contact_after_all(text: str) -> bool:
    """Right after a "no" to the handover: a short "yes after all" ("toch wel graag",
    "actually yes, please connect me"); a bare "ok" is only an acknowledgement."""
    words = _TOKEN.findall(text.casefold())
    if not words or len(words) > 6 or any(w in NO for w in words):
        return False  # longer: a new question, even when it starts with "ja"
    return any(w in _SURE_YES for w in words) or (
        any(w in _CHANGE_MIND for w in words)
        and any(w in {"wel", "please", "contact", "connect"} for w in words))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def parse_start_payload(kmap: KnowledgeMap, payload: str) -> dict[str, str]:
    """``/start`` payload grammar (fits Telegram's ``start=`` [A-Za-z0-9_-]{1,64}):

    ``part ("_" part)*`` with part one of ``gemeente-<municipality slug>``,
    ``provincie-<province id>``, ``thema-<theme id>`` (or ``theme-``),
    ``hulp-<need id>`` (or ``need-``), ``taal-nl|en`` (or ``lang-``). A bare municipality
    slug, province id or theme id also works. Unknown parts are ignored.
    """
    municipalities = {slug(m): (r.id, m) for r in kmap.regions for m in r.municipalities}
    provinces = {r.id for r in kmap.regions}
    themes = {th.id for th in kmap.themes}
    needs = {n.id for n in kmap.needs}
    preset: dict[str, str] = {}
    for part in payload.strip().casefold().split("_"):
        prefix, _, rest = part.partition("-")
        if prefix == "gemeente" and rest in municipalities:
            preset["region"], preset["municipality"] = municipalities[rest]
        elif prefix == "provincie" and rest in provinces:
            preset["region"] = rest
        elif prefix in ("thema", "theme") and rest in themes:
            preset["theme"] = rest
        elif prefix in ("hulp", "need") and rest in needs:
            preset["need"] = rest
        elif prefix in ("taal", "lang") and rest in ("nl", "en"):
            preset["lang"] = rest
        elif part in municipalities:
            preset["region"], preset["municipality"] = municipalities[part]
        elif part in provinces:
            preset["region"] = part
        elif part in themes:
            preset["theme"] = part
    return preset



def route_text(kmap: KnowledgeMap, lang: str, index: int, entry_id: str, name: str,
               why: str) -> str:
    """One route: name and why; how to reach it; for funds the amount and deadline."""
    lines = [f"{index}. {name}: {why}"]
    try:
        entry = kmap.entry(entry_id)
    except StopIteration:
        return lines[0]
    reach = [entry.url] if entry.url else []
    reach += [value for _, value in sorted(entry.contact.items())]
    if reach:
        lines.append(f"   {t('reach', lang)}: {' · '.join(reach)}")
    money = []
    if entry.kind == "fund" and entry.eligibility and entry.eligibility.max_amount_eur:
        amount = f"{entry.eligibility.max_amount_eur:,}"
        money.append(t("amount", lang, amount=amount.replace(",", ".") if lang == "nl"
                       else amount))
    if entry.kind == "fund" and entry.window and entry.window.until:
        until = entry.window.until
        money.append(t("deadline", lang, date=f"{until:%d-%m-%Y}" if lang == "nl"
                       else f"{until:%Y-%m-%d}"))
    if money:
        lines.append(f"   {' · '.join(money)}")
    return "\n".join(lines)
