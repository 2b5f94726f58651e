"""The volunteer side of the desk: questions, clarify, routes, consent, relay, check-in.

Called by ``bot.desk`` inside its transaction. Steps move only through
``bot.conversation.advance``; cases only through ``Work.move``. This module only dispatches
a message by its kind and the conversation's step; the parts live in their own modules:
``volunteer_base`` (shared helpers), ``volunteer_question`` (a new question and the
questions asked back), ``volunteer_offer`` (the answer and the handover), ``volunteer_case``
(relay and check-in on an open case), ``volunteer_commands`` (commands and asides).
"""

from __future__ import annotations

from bot import conversation as conv
from bot.models import Case
from bot.texts import attachment
from bot.volunteer_case import OpenCaseMixin
from bot.volunteer_commands import CommandsMixin
from bot.volunteer_offer import MAX_INITIATIVE, OfferMixin
from bot.volunteer_question import QuestionMixin
from bot.wording import (
    answer_word,
    is_help_request,
    is_not_now,
    social_reply,
    wants_contact_after_all,
)


class Conversation(CommandsMixin, QuestionMixin, OfferMixin, OpenCaseMixin):
    """Handles one volunteer message inside the desk's transaction."""

    def handle(self, text: str, *, command: tuple[str, str] | None) -> None:
        kind = self.inbound.kind
        if kind == "unsupported":
            self.say("unsupported", what=attachment(self.inbound.unsupported, self.lang))
        elif kind == "choice":
            self.on_choice(self.inbound.choice or "")
        elif command is not None:
            self.on_command(*command)
        elif text.strip() == "/":  # a command with no name
            self.say("unknown_command")
        else:
            self.on_text(text)

    def on_text(self, text: str) -> None:
        step = self.vol.step
        just_declined = self.vol.data.get("just_declined")
        if social_reply(text) is None:  # "ok" after the "no" keeps the way back open
            self.data(just_declined=None)
        if step not in (conv.INITIATIVE, conv.RELAY) and self.about_the_desk(text):
            return
        if step == conv.INITIATIVE and is_help_request(text):  # not an initiative's name
            self.cmd_help("")
            return
        if step == conv.IDLE and just_declined and wants_contact_after_all(text):
            self.cmd_contact("")
            return
        if step == conv.STOPPED:
            self.step("start")
        elif step == conv.CONFIRM_FORGET:
            word = answer_word(text)
            if word in ("yes", "no"):
                self.forget_answer(word == "yes")
            else:
                self.say("didnt_get", choices=self.yes_no("forget"))
            return
        elif step == conv.CLARIFY:
            self.clarify_answer(free_text=text)
            return
        elif step == conv.OFFER:
            word = answer_word(text)
            case = self.case("offer_case")
            if word in ("yes", "no") and case is not None:
                self.consent(case, word == "yes")
                return
            if case is not None and is_not_now(text):
                self.expire_offer()  # nothing shared; no "never" either
                self.step("answered")
                self.say("later")
                return
            if case is not None and len(text.split()) <= 3 and not self.whole_question(text):
                self.say("didnt_get", choices=self.yes_no(f"consent:{case.id}"))
                return
        elif step == conv.INITIATIVE:
            self.handover(text.strip()[:MAX_INITIATIVE] or None)
            return
        elif step == conv.CHECKIN:
            word = answer_word(text)
            case = self.case("checkin_case")
            if word is not None and case is not None:
                self.checkin_answer(case, word)
                return
        case = self.relay_target()
        if case is not None:
            self.relay(case, text)
            return
        self.new_question(text)

    def on_choice(self, value: str) -> None:
        kind, _, rest = value.partition(":")
        step, vol = self.vol.step, self.vol
        if kind == "lang":
            self.cmd_lang(rest)
        elif kind == "clarify" and step == conv.CLARIFY:
            ckind, _, cvalue = rest.partition(":")
            if ckind == vol.data.get("clarify"):
                self.clarify_answer(choice=cvalue)
            else:
                self.say("expired_choice")
        elif kind == "consent" and step == conv.OFFER:
            case_id, _, answer = rest.partition(":")
            case = self.case("offer_case")
            if case is not None and str(case.id) == case_id and answer in ("yes", "no"):
                self.consent(case, answer == "yes")
            else:
                self.say("expired_choice")
        elif kind == "initiative" and step == conv.INITIATIVE and rest == "skip":
            self.handover(None)
        elif kind == "forget" and step == conv.CONFIRM_FORGET and rest in ("yes", "no"):
            self.forget_answer(rest == "yes")
        elif kind == "checkin":
            case_id, _, answer = rest.partition(":")
            case = self.work.session.get(Case, int(case_id)) if case_id.isdigit() else None
            if (case is not None and case.volunteer_id == vol.id and answer in
                    ("yes", "partly", "no") and self.checkin_pending(case)):
                self.checkin_answer(case, answer)
            else:
                self.say("expired_choice")
        else:
            self.say("expired_choice")
