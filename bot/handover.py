"""Warm handover: who gets a case, what they receive, and offering it to them."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Collection, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from bot import cases as lifecycle
from bot import followup
from bot.models import Case, CaseEvent, Message, ServantState
from bot.outbox import Work
from bot.texts import TEXTS, t
from routing.model import LANGS, Entry, KnowledgeMap, Servant
from routing.servant import rank_servants
from routing.why import Explainer

# Statements built once (building one costs more than running it on SQLite).
_OPEN_COUNTS = (select(Case.servant_id, func.count(col(Case.id)))
                .where(col(Case.state).in_(list(lifecycle.OPEN)))
                .group_by(col(Case.servant_id)))
_SERVANT_STATES = select(ServantState)
_EVENTS = (select(CaseEvent).where(CaseEvent.case_id == bindparam("case_id"))
           .order_by(col(CaseEvent.id)))
_MESSAGES = (select(Message).where(Message.case_id == bindparam("case_id"))
             .order_by(col(Message.id)))


def open_counts(session: Session) -> dict[str, int]:
    """Open cases per servant (what counts against capacity)."""
    session.flush()  # count this transaction's own changes too
    return {sid: n for sid, n in session.exec(_OPEN_COUNTS).all() if sid is not None}


def candidates(session: Session, kmap: KnowledgeMap, *, theme: str | None,
               region: str | None, today: dt.date,
               exclude: Collection[str] = (), lang: str | None = None) -> list[Servant]:
    """Servants in handover-rule order, honouring /afwezig and /capaciteit from the DB;
    ``lang`` (the volunteer's) breaks a tie on open cases."""
    counts = open_counts(session)
    skip = set(exclude)
    adjusted = dict(counts)
    for state in session.exec(_SERVANT_STATES).all():
        servant = kmap.find_servant(state.servant_id)
        if servant is None:
            continue
        if state.away_from and state.away_until and state.away_from <= today <= state.away_until:
            skip.add(servant.id)
        if state.capacity is not None:
            n = counts.get(servant.id, 0)
            if n >= state.capacity:
                skip.add(servant.id)
            else:  # below the override: never let the map's max exclude them
                adjusted[servant.id] = min(n, max(servant.max_open_cases - 1, 0))
    return rank_servants(kmap, theme=theme, region=region, today=today,
                         open_cases=adjusted, exclude=skip, lang=lang)


def servant_lang(servant: Servant) -> str:
    """The language to write to ``servant`` in: the first they list (the map lists them in
    order of preference) that the desk writes; Dutch when they list none of those."""
    return next((lang for lang in servant.languages if lang in LANGS), "nl")


def servant_id_lang(kmap: KnowledgeMap, servant_id: str) -> str:
    """``servant_lang`` by id; Dutch for a servant no longer in the map."""
    servant = kmap.find_servant(servant_id)
    return servant_lang(servant) if servant is not None else "nl"


def servant_card(servant: Servant, lang: str) -> dict[str, str]:
    return {"name": servant.name, "title": servant.title.get(lang), "org": servant.organisation}


def _label(kmap: KnowledgeMap, kind: str, ident: str | None, lang: str) -> str:
    if not ident:
        return t("h_unknown", lang)
    try:
        item = kmap.theme(ident) if kind == "theme" else kmap.need(ident)
    except StopIteration:
        return ident
    return item.label.get(lang)


def place_text(kmap: KnowledgeMap, case: Case, lang: str) -> str:
    province = None
    if case.region:
        try:
            province = kmap.region(case.region).name
        except StopIteration:
            province = case.region
    if case.municipality and province:
        return f"{case.municipality} ({province})"
    return case.municipality or province or t("h_unknown", lang)


def theme_text(kmap: KnowledgeMap, case: Case, lang: str) -> str:
    return _label(kmap, "theme", case.theme, lang)


def handover_text(work: Work, case: Case, servant: Servant, reason: str | None = None) -> str:
    """Everything the servant needs to act without asking again."""
    lang = servant_lang(servant)
    kmap = work.kmap
    # so the servant answers in the volunteer's language
    language = t(f"lang_{case.lang}", lang) if f"lang_{case.lang}" in TEXTS else case.lang
    lines = [t("h_new", lang, case=case.id, name=servant.name)]
    if reason:  # a whole sentence: who handed it on, and why
        lines.append(reason)
    lines += [
        f"{t('h_question', lang)}: {case.question or ''}",
        f"{t('h_initiative', lang)}: {case.initiative or t('h_unknown', lang)}",
        f"{t('h_place', lang)}: {place_text(kmap, case, lang)}",
        f"{t('h_theme', lang)}: {_label(kmap, 'theme', case.theme, lang)} · "
        f"{t('h_need', lang)}: {_label(kmap, 'need', case.need, lang)}"
        + (f" · {t('h_stage', lang)}: {case.stage}" if case.stage else ""),
        f"{t('h_chat', lang)}: {case.handle or t('h_unknown', lang)} ({case.channel or '?'}), "
        + t("h_writes", lang, language=language),
    ]
    if case.routes:
        lines.append(f"{t('h_routes', lang)}:")
        lines += [f"  {i}. {name} – {why}"
                  for i, (name, why) in enumerate(route_texts(kmap, case, lang), 1)]
    work.write()  # deferred case events belong in the history
    history = _history(work, case, lang)
    if history:
        lines.append(f"{t('h_history', lang, zone=work.config.timezone)}:")
        lines += [f"  {line}" for line in history]
    lines.append(t("h_how", lang, case=case.id))
    return "\n".join(lines)


def route_texts(kmap: KnowledgeMap, case: Case, lang: str) -> list[tuple[str, str]]:
    """The routes the volunteer was given, as (name, why) in ``lang``: the servant reads
    them in their own language, whatever the volunteer's. A route stored with its entry id
    has its *why* written again by the router's ``Explainer``; the text stored with the
    case (the volunteer's language) stays when the languages match or the entry is gone."""
    explainer: Explainer | None = None
    out = []
    for route in case.routes:
        name, why = str(route.get("name") or ""), str(route.get("why") or "")
        try:
            entry = kmap.entry(str(route.get("id")))
        except StopIteration:
            out.append((name or str(route.get("id") or "?"), why))
            continue
        if lang != case.lang:
            explainer = explainer or Explainer(kmap)
            why = _why_in(explainer, entry, case, why, lang)
        out.append((entry.name, why))
    return out


def _why_in(explainer: Explainer, entry: Entry, case: Case, stored: str, lang: str) -> str:
    """``stored`` (the *why* in the case's language) written in ``lang``: the themes,
    needs and "named" that wrote ``stored`` are found again among the entry's own (a case
    keeps only its primary theme and need), then explained in ``lang``. When none writes
    ``stored`` (the map changed since), the case's primary theme and need explain it."""
    place: dict[str, Any] = {"region": case.region, "municipality": case.municipality}
    for themes, needs, named in _contexts(entry, case):
        if explainer.explain(entry, lang=case.lang, themes=themes, needs=needs, named=named,
                             **place) == stored:
            return explainer.explain(entry, lang=lang, themes=themes, needs=needs,
                                     named=named, **place)
    return explainer.explain(entry, lang=lang, themes=_one(case.theme), needs=_one(case.need),
                             **place)


def _one(item: str | None) -> tuple[str, ...]:
    return (item,) if item else ()


def _orders(ids: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Every ordered pick of at most two of ``ids`` (a *why* names at most two)."""
    yield ()
    for size in (1, 2):
        yield from itertools.permutations(ids, size)


def _contexts(entry: Entry, case: Case) -> Iterator[tuple[tuple[str, ...], tuple[str, ...],
                                                         bool]]:
    """(themes, needs, named) that may have written a route's *why*, the case's own first."""
    yield _one(case.theme), _one(case.need), False
    yield (), (), True
    for themes in _orders(entry.themes):
        for needs in _orders(entry.needs):
            yield themes, needs, False


def as_utc(at: dt.datetime) -> dt.datetime:
    """``at`` aware: an instant read back without its zone is UTC, as stored."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def local_time(at: dt.datetime, timezone: str) -> str:
    """``at`` as wall-clock time in the desk's zone (the zone is named where it is shown)."""
    return f"{as_utc(at).astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M}"


# Events the history does not show: a lifecycle step that the next event says better
# ("offer" is followed by "offered_to"), or the step of a message shown in full.
_SILENT = frozenset({"offer"})
_SAID = frozenset({"reply", "volunteer_wrote", "note", "checkin_answer"})
_ASSIGN_DETAIL = re.compile(r"^(?P<before>\S*) -> (?P<after>\S+)(?::\s*(?P<reason>.*))?$",
                            re.DOTALL)


def _actor(kmap: KnowledgeMap, actor: str, lang: str) -> str:
    if actor in ("desk", "volunteer"):
        return t(f"a_{actor}", lang)
    servant = kmap.find_servant(actor)
    return servant.name if servant is not None else actor


def _event_text(kmap: KnowledgeMap, event: CaseEvent, lang: str) -> str:
    """One audit event in words, in the reader's language."""
    actor = _actor(kmap, event.actor, lang)
    detail = event.detail or ""
    who, reason = detail, ""
    if event.event in ("assign", "escalate"):
        match = _ASSIGN_DETAIL.match(detail)
        if match:
            who, reason = match["after"], (match["reason"] or "").strip()
    if who:
        who = _actor(kmap, who, lang) if who not in ("desk", "volunteer") else who
    if event.event == "consent":
        key = "ev_consent_given"
    elif event.event == "assign" and reason:
        key = "ev_assign_why"
    else:
        key = f"ev_{event.event}"
    if key not in TEXTS:
        return t("ev_other", lang, actor=actor, detail=" ".join(
            [event.event.replace("_", " "), detail]).strip())
    return t(key, lang, actor=actor, who=who or t("h_unknown", lang), reason=reason,
             detail=detail)


def _message_text(kmap: KnowledgeMap, message: Message, lang: str) -> str:
    actor = _actor(kmap, message.author, lang)
    text = message.text
    if message.kind == "checkin" and text in ("yes", "partly", "no"):
        text = t(text, lang)
    key = f"m_{message.kind}" if f"m_{message.kind}" in TEXTS else "m_other"
    return t(key, lang, actor=actor, text=text)


def _history(work: Work, case: Case, lang: str) -> list[str]:
    """The case's events and messages in time order, in words, at the desk's local time;
    consent once, and a message once (not also the event that carried it)."""
    assert case.id is not None
    session = work.session
    session.flush()  # include this transaction's events and messages
    events = session.exec(_EVENTS, params={"case_id": case.id}).all()
    messages = session.exec(_MESSAGES, params={"case_id": case.id}).all()
    said = {(m.at, m.author) for m in messages}
    consent_given = any(e.event == "consent_given" for e in events)
    zone = work.config.timezone
    rows = [(e.at, f"{local_time(e.at, zone)} {_event_text(work.kmap, e, lang)}")
            for e in events
            if e.event not in _SILENT
            and not (e.event in _SAID and (e.at, e.actor) in said)
            and not (e.event == "consent" and consent_given)]
    rows += [(m.at, f"{local_time(m.at, zone)} {_message_text(work.kmap, m, lang)}")
             for m in messages]
    return [text for _, text in sorted(rows, key=lambda r: r[0])]


def offer_to(work: Work, case: Case, servant: Servant, *, actor: str,
             reason: str | None = None) -> None:
    """Put an offered case in ``servant``'s hands: message, audit, reminder + escalation."""
    assert case.id is not None
    case.servant_id = servant.id
    case.offer_seq += 1
    case.tried = [*case.tried, servant.id]
    case.offered_at = work.now
    case.updated_at = work.now
    work.session.add(case)
    work.audit(case, actor, "offered_to", servant.id)
    work.to_servant(servant.id, handover_text(work, case, servant, reason), case_id=case.id)
    followup.schedule_offer(work, case)
