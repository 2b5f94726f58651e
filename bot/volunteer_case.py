"""The volunteer's open case: what they write is relayed to its servant, and their answer
to the check-in ("were you helped?")."""

from __future__ import annotations

from bot import cases as lifecycle
from bot import conversation as conv
from bot.checkin import checkin_pending, record_checkin
from bot.handover import servant_id_lang
from bot.models import Case
from bot.texts import t
from bot.volunteer_base import ConversationBase
from bot.volunteer_words import says_more


class OpenCaseMixin(ConversationBase):
    """The relay to the servant of an open case, and the check-in answer."""

    def relay_target(self) -> Case | None:
        """The open case a plain text goes to (as a message for its servant), if any."""
        if self.vol.step not in (conv.RELAY, conv.CHECKIN):
            return None
        case = self.case("relay_case")
        return case if case is not None and case.state in lifecycle.OPEN else None

    def relay(self, case: Case, text: str) -> None:
        self.pass_on(case, text)
        servant = self.work.kmap.find_servant(case.servant_id or "")
        self.say("relayed", case_id=case.id, case=case.id,
                 name=servant.name if servant else "?")

    def pass_on(self, case: Case, text: str) -> None:
        """The volunteer's words to the case's servant, kept in the case's history."""
        assert case.id is not None
        self.work.record(case.id, "volunteer", "volunteer", text)
        if case.state in lifecycle.WORKING:
            self.work.move(case, "volunteer_wrote", "volunteer")
        if case.servant_id:
            lang = servant_id_lang(self.work.kmap, case.servant_id)
            self.work.to_servant(case.servant_id, t("relay_in", lang, case=case.id, text=text),
                                 case_id=case.id)

    def checkin_pending(self, case: Case) -> bool:
        return checkin_pending(self.work, case)

    def checkin_answer(self, case: Case, answer: str, text: str = "") -> None:
        """The answer recorded; words beyond the choice ("een beetje, we wachten nog op het
        fonds") also go to the servant, as any message on the case does."""
        self.say(record_checkin(self.work, case, answer), case_id=case.id, case=case.id)
        if text and says_more(text) and case.servant_id:
            self.pass_on(case, text)
            servant = self.work.kmap.find_servant(case.servant_id)
            self.say("checkin_passed_on", case_id=case.id, case=case.id,
                     name=servant.name if servant else "?")
        if self.vol.step == conv.CHECKIN:
            still_open = case.state in lifecycle.OPEN
            self.step("checkin_answered_open" if still_open else "checkin_answered")
            self.data(checkin_case=None, relay_case=case.id if still_open else None)
