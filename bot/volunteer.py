"""The volunteer side of the desk: questions, clarify, routes, consent, relay, check-in.

Called by ``bot.desk`` inside its transaction. Steps move only through
``bot.conversation.advance``; cases only through ``Work.move``. This module only dispatches
a message by its kind and the conversation's step; the parts live in their own modules:
``volunteer_base`` (shared helpers), ``volunteer_question`` (a new question and the
questions asked back), ``volunteer_offer`` (the answer and the handover), ``volunteer_case``
(relay and check-in on an open case), ``volunteer_commands`` (commands and asides),
``volunteer_words`` (how short free answers are read: "weet ik niet", a skip, "stop").
``ask_pending`` asks the question a conversation waits for once more when a chat opens
again (``wegwijs chat`` restarted).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot import cases as lifecycle
from bot import conversation as conv
from bot.channel import Choice, Inbound
from bot.handover import servant_card
from bot.models import Case, OutboxMessage, Volunteer
from bot.outbox import Work
from bot.texts import attachment, t
from bot.volunteer_case import OpenCaseMixin
from bot.volunteer_commands import CommandsMixin
from bot.volunteer_offer import MAX_INITIATIVE, OfferMixin
from bot.volunteer_question import QuestionMixin
from bot.volunteer_words import (
    PLACE_SENTENCE,
    asks_who,
    asks_who_that,
    command_word,
    is_dont_know,
    is_no_name,
    is_question_not_name,
    is_skip,
    is_wordless,
    means_pass_on,
    withdraws,
    words,
)
from bot.wording import (
    answer_word,
    is_help_request,
    is_not_now,
    is_privacy_question,
    social_reply,
    wants_contact_after_all,
)
from routing.normalize import tokens
from routing.router import Router

#: Longer texts typed at the offer are new questions, shorter ones answers or asides.
SHORT_ANSWER_WORDS = 6
#: What is kept for passing on to an older case's servant, at most (the newest part).
MAX_HELD_CHARS = 4000


class Conversation(CommandsMixin, QuestionMixin, OfferMixin, OpenCaseMixin):
    """Handles one volunteer message inside the desk's transaction."""

    #: Short messages typed at the offer, offered to pass on to the servant of an older
    #: open case ({"case": id, "text": ...}); kept in the conversation's data while the
    #: offer waits (answering it, or leaving it, drops them).
    held: dict[str, Any] | None = None

    def handle(self, text: str, *, command: tuple[str, str] | None) -> None:
        held = self.vol.data.get("pass_on")
        if self.vol.step == conv.OFFER and isinstance(held, dict):
            self.held = held
        elif held is not None:
            self.data(pass_on=None)  # the offer it waited beside is gone
        kind = self.inbound.kind
        if kind == "unsupported":
            self.say("unsupported", what=attachment(self.inbound.unsupported, self.lang))
        elif kind == "choice":
            self.on_choice(self.inbound.choice or "")
        elif command is not None:
            self.on_command(*command)
        elif text.strip() == "/":  # a command with no name
            self.say("unknown_command")
        elif self.vol.step not in (conv.CLARIFY, conv.INITIATIVE) and (
                word := command_word(text)) is not None:  # "stop", "status": the command
            # (not while a question waits: "contact" may answer "what kind of help?")
            self.on_command(word, "")
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
            relay = self.case("relay_case")
            if relay is not None and relay.state in lifecycle.OPEN:
                self.step("case_open")  # /stop said the case stays open: back to it
                self.relay(relay, text)
                return
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
            case = self.case("offer_case")
            if case is not None and self.offer_text(case, text):
                return
        elif step == conv.INITIATIVE:
            self.initiative_text(text)
            return
        elif step == conv.CHECKIN:
            word = answer_word(text)
            case = self.case("checkin_case")
            if word is not None and case is not None:
                self.checkin_answer(case, word, text)
                return
        case = self.relay_target()
        if case is not None:
            self.relay(case, text)
            return
        self.new_question(text)

    def offer_text(self, case: Case, text: str) -> bool:
        """A typed answer to the handover offer; False when it is a new question."""
        if self.held is not None and means_pass_on(text):
            self.pass_on_held(str(self.held.get("case")))
            return True
        word = answer_word(text)
        if word in ("yes", "no"):
            self.consent(case, word == "yes")
            return True
        if is_not_now(text):
            self.expire_offer()  # nothing shared; no "never" either
            self.step("answered")
            self.data(just_declined=True)  # a "ja" right after still leads to an offer
            self.say("later")
            return True
        servant = self.work.kmap.find_servant(case.servant_id or "")
        if servant is not None and asks_who(text):
            card = servant_card(servant, self.lang)
            self.work.to_volunteer(self.vol, t("servant_who", self.lang, **card) + " "
                                   + t("offer_again", self.lang, name=servant.name),
                                   choices=self.yes_no(f"consent:{case.id}"))
            return True
        if len(words(text)) > SHORT_ANSWER_WORDS:
            return False  # a new question
        older = self.other_open_case(case) if servant is not None else None
        if older is not None and servant is not None and not is_wordless(text) \
                and not self.whole_question(text, with_hints=False):
            # "is er al nieuws?", "we hebben nu twintig buren": maybe for the older case's
            # servant; offered to pass on, so what they typed is not lost
            self.hold(older, text)
            pass_on = self.pass_on_choice(older.id)
            self.say("offer_waiting_pass_on", name=servant.name,
                     old_name=self.servant_name(older.id), case=older.id, label=pass_on.label,
                     choices=(pass_on, *self.yes_no(f"consent:{case.id}")))
            return True
        if not self.whole_question(text):
            self.say("didnt_get", choices=self.yes_no(f"consent:{case.id}"))
            return True
        return False

    def servant_name(self, case_id: object) -> str:
        """The name of the servant holding case ``case_id`` ("?" when unknown)."""
        case = self.work.session.get(Case, int(str(case_id))) if str(case_id).isdigit() \
            else None
        servant = self.work.kmap.find_servant(case.servant_id or "") if case else None
        return servant.name if servant is not None else "?"

    def pass_on_choice(self, case_id: object) -> Choice:
        """The choice that passes a held message on to the servant of case ``case_id``."""
        return Choice(t("pass_on_choice", self.lang, name=self.servant_name(case_id)),
                      f"passon:{case_id}")

    def hold(self, older: Case, text: str) -> None:
        """Keep ``text`` for the older case's servant while the offer waits (until it is
        passed on, the offer answered or left); a further short message joins it."""
        held = self.held if self.held is not None and self.held.get("case") == older.id \
            else None
        joined = f"{held['text']}\n{text}" if held else text
        self.data(pass_on={"case": older.id, "text": joined[-MAX_HELD_CHARS:]})

    def pass_on_held(self, case_id: str) -> None:
        """The held message to the servant of the open case ``case_id``; the offer still
        waits for its answer."""
        held, older = self.held, None
        if held is not None and str(held.get("case")) == case_id and case_id.isdigit():
            older = self.work.session.get(Case, int(case_id))
        if older is None or older.volunteer_id != self.vol.id \
                or older.state not in lifecycle.OPEN or held is None:
            self.say("expired_choice")
            return
        self.relay(older, str(held.get("text") or ""))
        self.held = None
        self.data(pass_on=None)
        self.ask_again()

    def other_open_case(self, offered: Case) -> Case | None:
        """An open case of this volunteer other than the one offered now: the one they
        last wrote on when it is still open, else the newest."""
        relay = self.case("relay_case")
        if relay is not None and relay.id != offered.id and relay.state in lifecycle.OPEN:
            return relay
        return self.work.session.exec(
            select(Case).where(Case.volunteer_id == self.vol.id, Case.id != offered.id,
                               col(Case.state).in_(list(lifecycle.OPEN)))
            .order_by(col(Case.id).desc())).first()

    def initiative_text(self, text: str) -> None:
        """The initiative's name typed; a skip, "weet ik niet" or a question is no name;
        "nee", "laat maar" takes the consent back; spam is no name either."""
        if is_skip(text) or is_no_name(text) or is_dont_know(text) or is_wordless(text):
            self.handover(None)
            return
        case = self.case("offer_case")
        if withdraws(text) and case is not None and case.state == lifecycle.NEW:
            case.consent_at, case.consent_wording, case.handle = None, None, None
            self.consent(case, False)  # nothing was shared yet, and nothing will be
            return
        if is_privacy_question(text):  # "wat gebeurt er met mijn gegevens?": never a name
            self.cmd_privacy("")  # and the name question again
            return
        bare = self.route_alone(text)
        if bare.out_of_scope and bare.extra.get("scope") == "spam":
            self.work.to_volunteer(self.vol, bare.redirect or t("out_of_scope", self.lang))
            self.ask_again()
        elif case is not None and (servant := self.work.kmap.find_servant(
                case.servant_id or "")) is not None and (asks_who_that(text) or (
                text.strip().endswith("?")  # "Wie is Marloes?": about the servant
                and servant.name.split()[0].casefold() in words(text))):
            self.work.to_volunteer(self.vol, t("servant_who", self.lang,
                                               **servant_card(servant, self.lang)))
            self.ask_again()
        elif is_question_not_name(text):  # "waarom wil je dat weten?", not "Wie helpt wie?"
            self.say("initiative_why")
            self.ask_again()
        elif self.only_a_place(text):  # "we zitten in Zeist": a place, no name
            self.handover(None, place=text)
        else:
            self.handover(text.strip()[:MAX_INITIATIVE] or None)

    def only_a_place(self, text: str) -> bool:
        """A place and nothing else: "we zitten in Zeist", "Lochem", "Den Haag" (not
        "Buurtkracht Zeist", a name with a place in it)."""
        toks = tokens(text)
        found = [m for m in self.router.places.find(toks) if m.municipality is not None]
        covered = {i for m in found for i in range(m.position, m.position + m.length)}
        return bool(found) and all(i in covered or t in PLACE_SENTENCE
                                   for i, t in enumerate(toks))

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
        elif kind == "passon" and step == conv.OFFER:
            self.pass_on_held(rest)
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


#: The steps in which the conversation waits for the volunteer's answer to a question.
WAITING = (conv.CLARIFY, conv.OFFER, conv.INITIATIVE, conv.CONFIRM_FORGET, conv.CHECKIN)


def ask_pending(work: Work, router: Router, channel: str, sender_id: str) -> bool:
    """A chat opened again (``wegwijs chat`` restarted): the question the conversation
    waits for (asked back, the handover offer, the initiative's name, ``/vergeet``'s "are
    you sure?", the check-in) asked once more, in the volunteer's language, so they do not
    face an empty prompt. Not when the chat's newest message is a question still waiting
    in the outbox (it is shown anyway). True when something was asked."""
    vol = work.session.exec(select(Volunteer).where(
        Volunteer.channel == channel, Volunteer.sender_id == sender_id)).first()
    if vol is None or vol.step not in WAITING:
        return False
    newest = work.session.exec(
        select(OutboxMessage).where(OutboxMessage.channel == vol.channel,
                                    OutboxMessage.chat_id == vol.chat_id)
        .order_by(col(OutboxMessage.id).desc())).first()
    if newest is not None and newest.sent_at is None and newest.failed is None \
            and newest.choices:
        return False
    before = len(work.rows)
    talk = Conversation(work, router, vol, Inbound(channel, vol.chat_id, sender_id,
                                                  "resume", "text"))
    case = talk.case("offer_case")
    wording = vol.data.get("offer_wording")
    if vol.step == conv.OFFER and case is not None and isinstance(wording, str) and wording:
        # the whole offer, with what would be shared: the consent is given on this wording;
        # a message held for an older case keeps its choice
        held = vol.data.get("pass_on")
        keep = (talk.pass_on_choice(held["case"]),) if isinstance(held, dict) else ()
        work.to_volunteer(vol, wording, choices=(*keep, *talk.yes_no(f"consent:{case.id}")))
    else:
        talk.ask_again()
    return len(work.rows) > before
