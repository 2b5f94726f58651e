"""Staff commands for civil servants, Dutch with English aliases, and the weekly digest.

Only servants listed in the knowledge map get here (``bot.desk`` checks). A servant acts
on their own cases; ``admin`` servants may act on every case. A command may be typed
without its slash ("zaken", "neem 2") when the message has the command's whole shape;
any other plain text is not sent anywhere (``handle_text``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from sqlmodel import col, select

from bot import cases as lifecycle
from bot import conversation as conv
from bot import followup
from bot.cases import IllegalTransition
from bot.handover import (
    as_utc,
    candidates,
    offer_to,
    place_text,
    servant_card,
    servant_lang,
    theme_text,
)
from bot.models import Case, ServantState, Volunteer
from bot.near_command import nearest_command
from bot.outbox import Work
from bot.texts import TEXTS, t
from bot.workdays import add_working_days, local_date
from routing.model import KnowledgeMap, Servant

ALIASES: dict[str, str] = {
    "zaken": "cases", "cases": "cases",
    "neem": "take", "take": "take",
    "geef": "assign", "assign": "assign",
    "antwoord": "reply", "reply": "reply",
    "notitie": "note", "note": "note",
    "klaar": "resolve", "resolve": "resolve",
    "heropen": "reopen", "reopen": "reopen",
    "afwezig": "away", "away": "away",
    "capaciteit": "capacity", "capacity": "capacity",
}
STAFF_COMMANDS = frozenset(ALIASES)
#: The words that ask for the list of staff commands.
HELP_WORDS = frozenset({"help", "hulp"})
USAGE: dict[str, tuple[str, str]] = {  # (Dutch, English)
    "take": ("/neem N", "/take N"),
    "assign": ("/geef N MEDEWERKER reden", "/assign N SERVANT reason"),
    "reply": ("/antwoord N tekst", "/reply N text"),
    "note": ("/notitie N tekst", "/note N text"),
    "resolve": ("/klaar N samenvatting", "/resolve N summary"),
    "reopen": ("/heropen N", "/reopen N"),
    "away": ("/afwezig JJJJ-MM-DD JJJJ-MM-DD (of /afwezig weg)",
             "/away YYYY-MM-DD YYYY-MM-DD (or /away off)"),
    "capacity": ("/capaciteit N", "/capacity N"),
}
#: ``/afwezig weg``: the words that clear an absence.
AWAY_OFF = frozenset({"weg", "uit", "geen", "terug", "off", "none", "clear", "back"})
_CASE_NO = re.compile(r"#?(\d{1,9})$")


class _Usage(Exception):
    pass


class _Refusal(Exception):
    """A friendly refusal; the message is the text to send back."""


def handle(work: Work, servant: Servant, command: str, args: str) -> None:
    """Run one staff command; every outcome is a message back to the servant."""
    lang = servant_lang(servant)
    name = ALIASES.get(command)
    if name is None:
        near = None if command in HELP_WORDS else nearest_command(command, _known_words(lang))
        work.to_servant(servant.id, t("s_unknown_near", lang, command=near) if near
                        else t("staff_help", lang))
        return
    try:
        COMMANDS[name](work, servant, args)
    except _Usage:
        nl, en = USAGE[name]
        work.to_servant(servant.id, t("s_usage", lang, usage=en if lang == "en" else nl))
    except _Refusal as refusal:
        work.to_servant(servant.id, str(refusal))


def _known_words(lang: str) -> list[str]:
    """The command words, those in ``lang`` first (a Dutch alias differs from its name)."""
    own = [w for w, name in ALIASES.items() if (w != name) == (lang != "en")]
    return [*own, *(w for w in ALIASES if w not in own), *sorted(HELP_WORDS)]


#: What may trail a command word typed without its slash ("Zaken?", "neem 2.").
_BARE_PUNCTUATION = ".!?:,;"


def bare_command(work: Work, servant: Servant, text: str) -> tuple[str, str] | None:
    """The staff command a message without its slash stands for ("zaken", "neem 2",
    "afwezig weg"), or None when it is ordinary text.

    Only a message with the command's whole shape counts, so that a sentence meant for a
    volunteer ("Klaar, ik heb het fonds gebeld", "Neem contact op met …") is never run: a
    word command alone; ``neem``/``heropen`` with only a case number; ``afwezig`` with two
    dates or ``weg``; ``capaciteit`` with only a number; and the commands that carry text
    (``antwoord``, ``notitie``, ``klaar``, ``geef``) never without their slash: they
    resolve a case or write the volunteer."""
    words = text.split()
    if not words:
        return None
    head = words[0].casefold().strip(_BARE_PUNCTUATION)
    rest = words[1:]
    if head in HELP_WORDS:
        return (head, "") if not rest else None
    name = ALIASES.get(head)
    if name is None:
        return None
    if name == "cases":
        return (head, "") if not rest else None
    if name == "capacity":
        return (head, rest[0]) if len(rest) == 1 and rest[0].isdigit() else None
    if name == "away":
        off = len(rest) == 1 and rest[0].casefold() in AWAY_OFF
        dates = len(rest) == 2 and all(_is_date(w) for w in rest)
        return (head, " ".join(rest)) if off or dates else None
    if name in ("take", "reopen"):
        number = rest[0].rstrip(_BARE_PUNCTUATION) if len(rest) == 1 else ""
        return (head, number) if _CASE_NO.match(number) else None
    return None  # a command that carries text only with its slash: see handle_text


def _text_command(work: Work, servant: Servant, text: str) -> str | None:
    """The slash command a message looks like when it has the shape of one that carries
    text ("klaar 3 het fonds past", for a case of this servant's): such a command resolves
    a case or writes the volunteer, so it is never run from a sentence that merely starts
    like it; the servant is asked to type the slash instead."""
    words = text.split()
    name = _text_carrying(work, servant, words) if len(words) >= 3 else None
    if name is None:
        return None
    if name == "assign" and _find_servant(work.kmap, words[2]) is None:
        return None  # "geef 1 dagen de tijd": no colleague named
    return f"/{words[0].casefold()} {words[1]} …"


def _text_carrying(work: Work, servant: Servant, words: Sequence[str]) -> str | None:
    """The text-carrying command whose word ``words`` start with, followed by the number
    of a case this servant may act on ("klaar 3 ..."), or None."""
    name = ALIASES.get(words[0].casefold())
    if name in ("reply", "note", "resolve", "assign") and _acts_on(work, servant, words[1]):
        return name
    return None


def _text_command_without_text(work: Work, servant: Servant, text: str) -> str | None:
    """The text-carrying command of a message that is only its word and one of this
    servant's case numbers ("klaar 1"): its usage is the helpful answer."""
    words = text.split()
    return _text_carrying(work, servant, words) if len(words) == 2 else None


def handle_text(work: Work, servant: Servant, text: str) -> None:
    """A servant's message without a slash: the command it has the whole shape of, a
    question whether a text-carrying command was meant, or else the hint that it was not
    sent (and how to answer a volunteer)."""
    bare = bare_command(work, servant, text)
    if bare is not None:
        handle(work, servant, *bare)
    elif (meant := _text_command(work, servant, text)) is not None:
        work.to_servant(servant.id, t("s_slash_needed", servant_lang(servant), command=meant))
    elif (name := _text_command_without_text(work, servant, text)) is not None:
        nl, en = USAGE[name]
        lang = servant_lang(servant)
        work.to_servant(servant.id, t("s_usage", lang, usage=en if lang == "en" else nl))
    else:
        work.to_servant(servant.id, plain_text_hint(work, servant))


def _acts_on(work: Work, servant: Servant, number: str) -> bool:
    """Whether ``number`` names a case ``servant`` may act on."""
    try:
        _case(work, servant, number)
    except (_Usage, _Refusal):
        return False
    return True


def _split(args: str, parts: int) -> list[str]:
    words = args.split(None, parts - 1)
    if len(words) < parts or not all(words):
        raise _Usage
    return words


def _case(work: Work, servant: Servant, number: str) -> Case:
    lang = servant_lang(servant)
    match = _CASE_NO.match(number.strip())
    if not match:
        raise _Usage
    case = work.session.get(Case, int(match.group(1)))
    if case is None or case.state == lifecycle.NEW or case.volunteer_id is None:
        raise _Refusal(t("s_no_case", lang, case=match.group(1)))
    if case.servant_id != servant.id and not servant.admin:
        holder = work.kmap.find_servant(case.servant_id or "")
        raise _Refusal(t("s_not_yours", lang, case=case.id,
                         name=holder.name if holder else case.servant_id))
    return case


def _move(work: Work, servant: Servant, case: Case, event: str, detail: str | None = None) -> None:
    try:
        work.move(case, event, servant.id, detail)
    except IllegalTransition:
        raise _Refusal(_refusal_text(work, servant, case, event)) from None


def _state_words(case: Case, lang: str) -> str:
    key = f"state_{case.state}"
    return t(key, lang) if key in TEXTS else t("h_unknown", lang)


def _refusal_text(work: Work, servant: Servant, case: Case, event: str) -> str:
    """Why ``event`` cannot happen to ``case`` now, and what the servant can do instead;
    the state in words, never its code."""
    lang, n = servant_lang(servant), case.id
    state = case.state
    if state == lifecycle.CLOSED:
        return t("s_is_closed", lang, case=n)
    if state == lifecycle.RESOLVED:
        return t("s_resolved_not_sent" if event == "reply" else "s_is_resolved", lang, case=n)
    if state in lifecycle.WORKING and event in ("take", "reopen"):
        if event == "reopen":
            return t("s_already_open", lang, case=n)
        if case.servant_id == servant.id:
            return t("s_mine", lang, case=n)
        holder = work.kmap.find_servant(case.servant_id or "")
        return t("s_taken_by", lang, case=n, name=holder.name if holder else case.servant_id)
    if state == lifecycle.OFFERED and event in ("resolve", "reply", "reopen"):
        return t("s_take_first", lang, case=n)
    return t("s_illegal", lang, case=n, state=_state_words(case, lang))


def _relay_to(work: Work, vol: Volunteer, case: Case) -> None:
    """What the volunteer types next goes to ``case`` (unless they are mid-question)."""
    if vol.step in (conv.IDLE, conv.RELAY, conv.STOPPED):
        vol.step = conv.advance(vol.step, "case_open")
        vol.data = {**vol.data, "relay_case": case.id}
        vol.updated_at = work.now
        work.session.add(vol)


def _volunteer(work: Work, case: Case) -> Volunteer | None:
    return work.session.get(Volunteer, case.volunteer_id) if case.volunteer_id else None


def _take(work: Work, servant: Servant, case: Case) -> None:
    _move(work, servant, case, "take")
    case.servant_id = servant.id
    case.accepted_at = work.now
    assert case.id is not None
    followup.cancel(work, case.id, ("reminder", "escalate"))
    followup.schedule_checkin(work, case, work.config.checkin_after, "accepted")
    vol = _volunteer(work, case)
    if vol is not None:
        work.to_volunteer(vol, t("taken", vol.lang, case=case.id, name=servant.name),
                          case_id=case.id)


def cmd_take(work: Work, servant: Servant, args: str) -> None:
    case = _case(work, servant, _split(args, 1)[0])
    _take(work, servant, case)
    work.to_servant(servant.id, t("s_taken", servant_lang(servant), case=case.id),
                    case_id=case.id)


def cmd_reply(work: Work, servant: Servant, args: str) -> None:
    number, text = _split(args, 2)
    case = _case(work, servant, number)
    took = case.state == lifecycle.OFFERED
    if took:  # answering is taking: say so, the servant need not /neem any more
        _take(work, servant, case)
    _move(work, servant, case, "reply")
    assert case.id is not None
    work.record(case.id, servant.id, "servant", text)
    vol = _volunteer(work, case)
    if vol is not None:
        work.to_volunteer(vol, t("servant_said", vol.lang, name=servant.name, case=case.id,
                                 text=text), case_id=case.id)
        _relay_to(work, vol, case)
    work.to_servant(servant.id, t("s_taken_sent" if took else "s_sent", servant_lang(servant),
                                  case=case.id), case_id=case.id)


def cmd_note(work: Work, servant: Servant, args: str) -> None:
    number, text = _split(args, 2)
    case = _case(work, servant, number)
    assert case.id is not None
    work.record(case.id, servant.id, "note", text)
    work.audit(case, servant.id, "note")
    work.to_servant(servant.id, t("s_noted", servant_lang(servant), case=case.id),
                    case_id=case.id)


def cmd_resolve(work: Work, servant: Servant, args: str) -> None:
    number, summary = _split(args, 2)
    case = _case(work, servant, number)
    _move(work, servant, case, "resolve")
    assert case.id is not None
    case.summary, case.resolved_at = summary, work.now
    work.record(case.id, servant.id, "summary", summary)
    if not followup.has_pending(work, case.id, "checkin"):
        followup.schedule_checkin(work, case, work.config.checkin_after_resolve,
                                  f"resolved-{work.now:%Y%m%d%H%M%S}")
    vol = _volunteer(work, case)
    if vol is not None:
        work.to_volunteer(vol, t("resolved", vol.lang, name=servant.name, case=case.id,
                                 summary=summary), case_id=case.id)
        if vol.step == conv.RELAY and vol.data.get("relay_case") == case.id:
            vol.step = conv.advance(vol.step, "case_closed")
            vol.updated_at = work.now
            work.session.add(vol)
    work.to_servant(servant.id, t("s_resolved", servant_lang(servant), case=case.id),
                    case_id=case.id)


def cmd_assign(work: Work, servant: Servant, args: str) -> None:
    words = args.split(None, 2)
    if len(words) < 2:
        raise _Usage
    number, who = words[0], words[1]
    reason = words[2].strip() if len(words) == 3 else ""
    case = _case(work, servant, number)
    target = _find_servant(work.kmap, who)
    lang = servant_lang(servant)
    if target is None:
        raise _Refusal(t("s_unknown_servant", lang, who=who,
                         known=", ".join(s.id for s in work.kmap.servants)))
    if target.id == case.servant_id and case.state in lifecycle.OPEN:
        # a new offer to the holder would only restart the reminder and escalation clock
        if target.id != servant.id:
            raise _Refusal(t("s_assign_holder", lang, case=case.id, name=target.name))
        if case.state == lifecycle.OFFERED:
            raise _Refusal(t("s_assign_self", lang, case=case.id))
        raise _Refusal(t("s_mine", lang, case=case.id))
    if not lifecycle.allowed(case.state, "assign"):
        raise _Refusal(_refusal_text(work, servant, case, "assign"))
    if not reason:  # a warm handover says why; the colleague reads it with the case
        raise _Refusal(t("s_assign_reason", lang, case=case.id, who=who, name=target.name))
    _move(work, servant, case, "assign", f"{case.servant_id} -> {target.id}: {reason}")
    work.move(case, "offer", servant.id)
    assert case.id is not None
    followup.cancel(work, case.id, ("reminder", "escalate"))
    offer_to(work, case, target, actor=servant.id,
             reason=t("assigned_in_why", servant_lang(target), who=servant.name,
                      case=case.id, reason=reason))
    vol = _volunteer(work, case)
    if vol is not None:
        work.to_volunteer(vol, t("moved", vol.lang, case=case.id,
                                 **servant_card(target, vol.lang)), case_id=case.id)
    work.to_servant(servant.id, t("s_assigned", lang, case=case.id, name=target.name),
                    case_id=case.id)


def _find_servant(kmap: KnowledgeMap, who: str) -> Servant | None:
    """A servant by id, or by the start of one id or name when only one fits ("ruben")."""
    exact = kmap.find_servant(who)
    if exact is not None:
        return exact
    wanted = who.casefold()
    fits = [s for s in kmap.servants
            if s.id.startswith(wanted) or s.name.casefold().startswith(wanted)]
    return fits[0] if len(fits) == 1 else None


def _state(work: Work, servant: Servant) -> ServantState:
    state = work.session.get(ServantState, servant.id)
    return state if state is not None else ServantState(servant_id=servant.id)


def _is_date(text: str) -> bool:
    try:
        _date(text)
    except _Usage:
        return False
    return True


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
    raise _Usage


def cmd_away(work: Work, servant: Servant, args: str) -> None:
    """``/afwezig VAN TOT``: no new cases in that time; the reply lists the cases still with
    the servant, each with a colleague to hand it to. ``/afwezig weg`` clears it."""
    lang = servant_lang(servant)
    words = args.split()
    if len(words) == 1 and words[0].casefold() in AWAY_OFF:
        _away_off(work, servant)
        return
    if len(words) != 2:
        raise _Usage
    start, until = _date(words[0]), _date(words[1])
    if until < start:
        raise _Refusal(t("s_away_order", lang, start=start, until=until))
    today = local_date(work.now, work.config.timezone)
    if until < today:  # starting in the past is fine, as long as it still runs today
        raise _Refusal(t("s_away_past", lang, until=until, today=today,
                         example=today + dt.timedelta(days=7)))
    state = _state(work, servant)
    earlier = (state.away_from, state.away_until)
    state.away_from, state.away_until = start, until
    work.session.add(state)
    lines = [t("s_away", lang, start=start, until=until)]
    if earlier[0] is not None and earlier[1] is not None and earlier[1] >= today \
            and earlier != (start, until):
        # one absence at a time: say so, so an earlier one is not thought kept as well
        lines.append(t("s_away_replaced", lang, start=earlier[0], until=earlier[1]))
    cases = _open_cases(work, servant, everyone=False)
    if cases:
        lines.append(t("s_away_cases", lang))
        lines += [t("s_away_line", lang, case=c.id, theme=theme_text(work.kmap, c, lang),
                    state=_state_words(c, lang), who=_colleague(work, servant, c, start, lang))
                  for c in cases]
    if any(c.state == lifecycle.OFFERED for c in cases):
        lines.append(t("s_away_waiting", lang, days=work.config.escalate_after))
    work.to_servant(servant.id, "\n".join(lines))


def _colleague(work: Work, servant: Servant, case: Case, day: dt.date, lang: str) -> str:
    """Whom the desk's handover rule would pick for ``case`` on ``day`` besides
    ``servant`` (by id, ready for /geef); a placeholder when nobody fits."""
    ranked = candidates(work.session, work.kmap, theme=case.theme, region=case.region,
                        today=day, exclude=(servant.id,), lang=case.lang)
    return ranked[0].id if ranked else t("s_away_someone", lang)


def _away_off(work: Work, servant: Servant) -> None:
    lang = servant_lang(servant)
    state = work.session.get(ServantState, servant.id)
    if state is None or state.away_from is None or state.away_until is None:
        work.to_servant(servant.id, t("s_away_none", lang))
        return
    start, until = state.away_from, state.away_until
    state.away_from = state.away_until = None
    work.session.add(state)
    work.to_servant(servant.id, t("s_away_cleared", lang, start=start, until=until))


def _cases_word(n: int, lang: str) -> str:
    return t("w_case" if n == 1 else "w_cases", lang)


def cmd_capacity(work: Work, servant: Servant, args: str) -> None:
    words = args.split()
    if len(words) != 1 or not words[0].isdigit():
        raise _Usage
    state = _state(work, servant)
    state.capacity = n = int(words[0])
    work.session.add(state)
    lang = servant_lang(servant)
    work.to_servant(servant.id, t("s_capacity", lang, n=n, cases=_cases_word(n, lang)) if n
                    else t("s_capacity_zero", lang))


def cmd_reopen(work: Work, servant: Servant, args: str) -> None:
    """``/heropen N``: a resolved case back in progress, so the servant can write again."""
    case = _case(work, servant, _split(args, 1)[0])
    _move(work, servant, case, "reopen")
    work.to_servant(servant.id, t("s_reopened", servant_lang(servant), case=case.id),
                    case_id=case.id)
    vol = _volunteer(work, case)
    if vol is not None:  # they were told it was resolved: tell them it is open again
        work.to_volunteer(vol, t("reopened", vol.lang, case=case.id, name=servant.name),
                          case_id=case.id)
        _relay_to(work, vol, case)


def _open_cases(work: Work, servant: Servant, everyone: bool) -> list[Case]:
    work.session.flush()
    query = select(Case).where(col(Case.state).in_(list(lifecycle.OPEN)))
    if not everyone:
        query = query.where(Case.servant_id == servant.id)
    return list(work.session.exec(query.order_by(col(Case.id))).all())


def _case_line(work: Work, case: Case, lang: str) -> str:
    since = case.offered_at or case.created_at
    state = t(f"state_{case.state}", lang) if f"state_{case.state}" in TEXTS else case.state
    line = t("s_case_line", lang, case=case.id, state=state,
             theme=theme_text(work.kmap, case, lang), place=place_text(work.kmap, case, lang),
             since=f"{local_date(as_utc(since), work.config.timezone):%Y-%m-%d}")
    return f"{line} · “{_label(case)}”" if _label(case) else line


def _label(case: Case, limit: int = 40) -> str:
    """What tells one case from the next in a list: the initiative's name, else the start
    of the question."""
    text = " ".join((case.initiative or case.question or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def cmd_cases(work: Work, servant: Servant, args: str) -> None:
    lang = servant_lang(servant)
    cases = _open_cases(work, servant, servant.admin)
    lines = [_case_line(work, c, lang) for c in cases] or [t("s_none", lang)]
    work.to_servant(servant.id, "\n".join(lines))


def plain_text_hint(work: Work, servant: Servant) -> str:
    """The answer to a servant's plain text (not a command): it was not sent; with their
    own open cases to reply on, or the one case they are talking on when there is one."""
    lang = servant_lang(servant)
    cases = _open_cases(work, servant, everyone=False)
    talking = [c for c in cases if c.state in lifecycle.WORKING]
    if len(talking) == 1:
        case = talking[0]
        return t("s_vol_text_one", lang, case=case.id, theme=theme_text(work.kmap, case, lang))
    if not cases:
        return t("s_vol_text", lang)
    lines = [t("s_vol_text_cases", lang)]
    lines += [t("s_reply_line", lang, case=c.id, theme=theme_text(work.kmap, c, lang))
              for c in cases]
    return "\n".join(lines)


def digest_text(work: Work, servant: Servant) -> str | None:
    """The Monday digest for one servant, or None when they have no open cases."""
    cases = _open_cases(work, servant, everyone=False)
    if not cases:
        return None
    lang = servant_lang(servant)
    lines = [t("s_digest", lang, name=servant.name, n=len(cases),
               cases=_cases_word(len(cases), lang))]
    lines += [_case_line(work, c, lang) for c in cases]
    overdue = [str(c.id) for c in cases if c.state == lifecycle.OFFERED and c.offered_at
               and add_working_days(c.offered_at, work.config.reminder_after,
                                    work.config.timezone) <= work.now]
    if overdue:
        lines.append(t("s_overdue", lang, cases=", ".join(overdue)))
    return "\n".join(lines)


COMMANDS: dict[str, Callable[[Work, Servant, str], None]] = {
    "cases": cmd_cases, "take": cmd_take, "assign": cmd_assign, "reply": cmd_reply,
    "note": cmd_note, "resolve": cmd_resolve, "away": cmd_away, "capacity": cmd_capacity,
    "reopen": cmd_reopen,
}
