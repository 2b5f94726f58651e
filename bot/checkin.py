"""The check-in answer ("were you helped?") and erasing a volunteer (``/vergeet``)."""

from __future__ import annotations

from sqlmodel import col, select

from bot import cases as lifecycle
from bot.handover import servant_id_lang
from bot.models import Case, CaseEvent, CheckinStat, Volunteer
from bot.outbox import Work
from bot.privacy import erase_in_session
from bot.texts import t


def checkin_pending(work: Work, case: Case) -> bool:
    """A check-in was sent for ``case`` and not answered yet."""
    work.write()  # deferred case events count
    events = work.session.exec(
        select(CaseEvent.event).where(CaseEvent.case_id == case.id,
                                      col(CaseEvent.event).in_(["checkin_sent",
                                                                "checkin_answer"]))).all()
    return events.count("checkin_sent") > events.count("checkin_answer")


def record_checkin(work: Work, case: Case, answer: str) -> str:
    """Statistics, history, the servant told; "no" reopens a resolved case (an open one
    stays open), another answer closes a resolved one. Returns the text key to answer the
    volunteer with."""
    assert case.id is not None
    work.session.add(CheckinStat(at=work.now, theme=case.theme, servant_id=case.servant_id,
                                 answer=answer))
    work.record(case.id, "volunteer", "checkin", answer)
    work.audit(case, "volunteer", "checkin_answer", answer)
    lang = servant_id_lang(work.kmap, case.servant_id or "")
    if case.servant_id:
        work.to_servant(case.servant_id, t("checkin_in", lang, case=case.id,
                                           answer=t(answer, lang)), case_id=case.id)
    if answer == "no":
        if case.state == lifecycle.RESOLVED:
            work.move(case, "reopen", "volunteer")
            if case.servant_id:
                work.to_servant(case.servant_id, t("checkin_reopen_in", lang, case=case.id),
                                case_id=case.id)
            return "checkin_reopened"
        # never closed: it is still open (say so), or finished for good (nothing reopens)
        return "checkin_not_helped" if case.state in lifecycle.OPEN else "checkin_noted_no"
    if case.state == lifecycle.RESOLVED:
        work.move(case, "close", "volunteer")
    return "checkin_thanks"


def erase(work: Work, vol: Volunteer) -> None:
    """Delete everything about one volunteer (``bot.privacy``); tell the servants of open
    cases that the case is gone, without any detail."""
    assert vol.id is not None
    session = work.session
    notify = [(c.servant_id, c.id) for c in session.exec(
        select(Case).where(Case.volunteer_id == vol.id)).all()
        if c.state in lifecycle.OPEN and c.servant_id]
    work.write()
    session.flush()
    work.rows.clear()  # rows of this transaction are about the volunteer: erased below
    erase_in_session(session, vol.id)
    for servant_id, case_id in notify:
        assert servant_id is not None
        work.to_servant(servant_id, t("erased_in", servant_id_lang(work.kmap, servant_id),
                                      case=case_id))
