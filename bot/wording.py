"""How the desk reads free answers and start links, and writes route answers."""

from __future__ import annotations

import re

from bot.texts import t
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
