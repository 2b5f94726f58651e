"""The volunteer's slash commands (``/start``, ``/help``, ``/status``, ``/vergeet``,
``/contact`` …) and the asides (help, privacy) after which the question still open is asked
again."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import col, select

from bot import cases as lifecycle
from bot import conversation as conv
from bot.channel import Choice, Outbound
from bot.checkin import erase
from bot.handover import theme_text
from bot.models import Case
from bot.near_command import nearest_command
from bot.outbox import VOLATILE_PREFIX
from bot.staff import STAFF_COMMANDS
from bot.texts import t
from bot.volunteer_case import OpenCaseMixin
from bot.volunteer_question import QuestionMixin
from bot.wording import is_help_request, is_privacy_question, parse_start_payload, text_lang


class CommandsMixin(QuestionMixin, OpenCaseMixin):
    """The commands, the asides, and the answer to ``/vergeet``'s "are you sure?"."""

    def about_the_desk(self, text: str) -> bool:
        """A bare "help" or a question about their data: answered, and whatever was asked
        before (a choice, the offer) stays open. False when it is something else."""
        if is_help_request(text):
            self.cmd_help("")
        elif is_privacy_question(text):
            lang = text_lang(text)
            if lang is not None and not self.vol.lang_fixed:
                self.vol.lang = lang  # their first message may well be this one
            self.cmd_privacy("")
        else:
            return False
        return True

    def ask_again(self) -> None:
        """After an aside (help, privacy), the question still waiting for an answer, asked
        again with its choices, so the volunteer sees it is still open."""
        step = self.vol.step
        if step == conv.CONFIRM_FORGET:
            self.say("forget_again", choices=self.yes_no("forget"))
        elif step == conv.CLARIFY:
            kind = str(self.vol.data.get("clarify") or "")
            if kind in ("theme", "need", "region"):
                self.say(f"ask_{kind}", choices=self.clarify_choices(kind))
        elif step == conv.OFFER:
            case = self.case("offer_case")
            servant = self.work.kmap.find_servant(case.servant_id or "") if case else None
            if case is not None and servant is not None:
                self.say("offer_again", choices=self.yes_no(f"consent:{case.id}"),
                         name=servant.name)
        elif step == conv.INITIATIVE:
            case = self.case("offer_case")
            if case is not None:
                self.say("initiative_again" if case.municipality else "initiative_place_again",
                         choices=(Choice(t("skip", self.lang), "initiative:skip"),))
        elif step == conv.CHECKIN:
            case = self.case("checkin_case")
            if case is not None and self.checkin_pending(case):
                self.say("checkin", case_id=case.id, case=case.id, choices=tuple(
                    Choice(t(answer, self.lang), f"checkin:{case.id}:{answer}")
                    for answer in ("yes", "partly", "no")))

    def commands(self) -> dict[str, Callable[[str], None]]:
        return {
            "start": self.cmd_start, "help": self.cmd_help, "hulp": self.cmd_help,
            "status": self.cmd_status, "stop": self.cmd_stop, "taal": self.cmd_lang,
            "lang": self.cmd_lang, "language": self.cmd_lang, "vergeet": self.cmd_forget,
            "forget": self.cmd_forget, "nieuw": self.cmd_new, "new": self.cmd_new,
            "contact": self.cmd_contact, "privacy": self.cmd_privacy,
        }

    def on_command(self, name: str, args: str) -> None:
        handlers = self.commands()
        handler = handlers.get(name)
        if handler is not None:
            handler(args)
        elif name in STAFF_COMMANDS:
            self.say("staff_only")
        elif (near := nearest_command(name, list(handlers))) is not None:
            self.say("unknown_command_near", command=near)
        else:
            self.say("unknown_command")

    def cmd_start(self, args: str) -> None:
        self.expire_offer()
        preset = parse_start_payload(self.work.kmap, args) if args else {}
        if "lang" in preset:
            self.vol.lang, self.vol.lang_fixed = preset.pop("lang"), True
        self.step("start")
        self.data(preset=preset or self.vol.data.get("preset"), answers=None,
                  clarify=None)
        self.say("greet")
        if preset:
            self.say("preset", what=", ".join(self.preset_words(preset)))

    def preset_words(self, preset: dict[str, str]) -> list[str]:
        kmap, words = self.work.kmap, []
        if "municipality" in preset:
            words.append(preset["municipality"])
        elif "region" in preset:
            words.append(kmap.region(preset["region"]).name)
        if "theme" in preset:
            words.append(kmap.theme(preset["theme"]).label.get(self.lang))
        if "need" in preset:
            words.append(kmap.need(preset["need"]).label.get(self.lang))
        return words

    def cmd_help(self, _args: str) -> None:
        self.say("help")
        self.ask_again()

    def cmd_privacy(self, _args: str) -> None:
        self.say("privacy", months=self.work.config.retention_months)
        self.ask_again()

    def cmd_new(self, _args: str) -> None:
        self.expire_offer()
        self.step("start")
        self.say("new_question")

    def cmd_stop(self, _args: str) -> None:
        self.expire_offer()
        relay = self.case("relay_case") if self.vol.step in (
            conv.RELAY, conv.CHECKIN, conv.CONFIRM_FORGET) else None
        self.step("stop")
        servant = self.work.kmap.find_servant(relay.servant_id or "") if relay else None
        if relay is not None and relay.state in lifecycle.OPEN and servant is not None:
            self.say("stopped_open", case=relay.id, name=servant.name)  # it is not stopped
        else:
            self.say("stopped")

    def cmd_lang(self, args: str) -> None:
        choice = args.strip().casefold()[:2]
        if choice not in ("nl", "en"):
            self.say("lang_unavailable" if choice else "lang_ask", choices=(Choice("Nederlands", "lang:nl"),
                                          Choice("English", "lang:en")))
            return
        self.vol.lang, self.vol.lang_fixed = choice, True
        self.say("lang_set")

    def cmd_forget(self, _args: str) -> None:
        self.step("forget")
        self.say("forget_confirm", choices=self.yes_no("forget"))

    def cmd_status(self, _args: str) -> None:
        cases = self.work.session.exec(
            select(Case).where(Case.volunteer_id == self.vol.id,
                               col(Case.state).not_in([lifecycle.NEW, lifecycle.DECLINED,
                                                       lifecycle.EXPIRED]))
            .order_by(col(Case.id))).all()
        lines = [self.status_line(c) for c in cases]
        self.work.to_volunteer(self.vol, "\n".join(lines) or t("status_none", self.lang))

    def status_line(self, case: Case) -> str:
        servant = self.work.kmap.find_servant(case.servant_id or "")
        values = {"case": case.id, "theme": theme_text(self.work.kmap, case, self.lang),
                  "name": servant.name if servant else "?"}
        key = {lifecycle.OFFERED: "status_offered", lifecycle.WAITING: "status_waiting",
               lifecycle.ACCEPTED: "status_working",
               lifecycle.IN_PROGRESS: "status_working"}.get(case.state, "status_done")
        return t(key, self.lang, **values)

    def cmd_contact(self, _args: str) -> None:
        last = self.vol.data.get("last")
        if not self.vol.question or not isinstance(last, dict):
            self.say("no_question")
            return
        relay = self.case("relay_case")
        if relay is not None and relay.state in lifecycle.OPEN \
                and relay.question == self.vol.question:  # this question is with them already
            servant = self.work.kmap.find_servant(relay.servant_id or "")
            self.say("contact_already", case_id=relay.id, case=relay.id,
                     name=servant.name if servant else "?")
            return
        self.vol.handover_declined = False
        self.expire_offer()
        if self.vol.step not in (conv.IDLE, conv.RELAY, conv.STOPPED, conv.CHECKIN):
            self.step("start")
        self.offer(last)

    def forget_answer(self, confirmed: bool) -> None:
        if confirmed:
            erase(self.work, self.vol)
            self.work.volatile.append(Outbound(
                channel=self.vol.channel, chat_id=self.vol.chat_id,
                text=t("forgotten", self.lang), key=f"{VOLATILE_PREFIX}{self.inbound.channel}:"
                f"{self.inbound.message_id}"))
            return
        relay = self.case("relay_case")
        self.step("resume_relay" if relay is not None and relay.state in lifecycle.OPEN
                  else "forget_cancel")
        self.say("forget_cancelled")
