"""Warm handover: who gets a case, what they receive, and offering it to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from bot import cases as lifecycle
from bot import followup
from bot.models import Case, CaseEvent, Message, ServantState
from bot.outbox import Work
from bot.texts import TEXTS, t
from routing.model import LANGS, KnowledgeMap, Servant
from routing.servant import rank_servants

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
    if reason:
        lines.append(f"{t('h_reason', lang)}: {reason}")
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
        lines += [f"  {i}. {r['name']} – {r['why']}" for i, r in enumerate(case.routes, 1)]
    work.write()  # deferred case events belong in the history
    history = _history(work.session, case)
    if history:
        lines.append(f"{t('h_history', lang)}:")
        lines += [f"  {line}" for line in history]
    lines.append(t("h_how", lang, case=case.id))
    return "\n".join(lines)


def _history(session: Session, case: Case) -> list[str]:
    assert case.id is not None
    session.flush()  # include this transaction's events and messages
    events = session.exec(_EVENTS, params={"case_id": case.id}).all()
    messages = session.exec(_MESSAGES, params={"case_id": case.id}).all()
    rows = [(e.at, f"{e.at:%Y-%m-%d %H:%M} {e.actor}: {e.event}"
             + (f" ({e.detail})" if e.detail else "")) for e in events]
    rows += [(m.at, f"{m.at:%Y-%m-%d %H:%M} {m.author} [{m.kind}]: {m.text}") for m in messages]
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
