"""The volunteer side of the desk: questions, clarify, routes, consent, relay, check-in.

Called by ``bot.desk`` inside its transaction. Steps move only through
``bot.conversation.advance``; cases only through ``Work.move``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from sqlmodel import col, select

from bot import cases as lifecycle
from bot import conversation as conv
from bot.channel import Choice, Inbound, Outbound
from bot.checkin import checkin_pending, erase, record_checkin
from bot.handover import (
    candidates,
    offer_to,
    servant_card,
    servant_id_lang,
    servant_lang,
    theme_text,
)
from bot.models import Case, Volunteer
from bot.outbox import VOLATILE_PREFIX, Work
from bot.report.question_stats import record_question
from bot.staff import STAFF_COMMANDS
from bot.texts import attachment, t
from bot.wording import (
    answer_word,
    is_help_request,
    is_not_now,
    is_privacy_question,
    parse_start_payload,
    route_text,
    social_reply,
    text_lang,
    wants_contact_after_all,
)
from bot.workdays import local_date
from routing.model import NATIONAL
from routing.result import Hints, RouteResult
from routing.router import Router

MAX_ROUTES = 3
MAX_INITIATIVE = 200
_LABEL_WORD = re.compile(r"[a-zà-ÿ]+")
MAX_CLARIFY = 2  # questions asked back for one question: a second only instead of no route


class Conversation:
    """Handles one volunteer message inside the desk's transaction."""

    def __init__(self, work: Work, router: Router, vol: Volunteer, inbound: Inbound) -> None:
        self.work, self.router, self.vol, self.inbound = work, router, vol, inbound

    # ------------------------------------------------------------------ helpers
    @property
    def lang(self) -> str:
        return self.vol.lang

    def say(self, key: str, *, choices: tuple[Choice, ...] = (), case_id: int | None = None,
            **values: Any) -> None:
        self.work.to_volunteer(self.vol, t(key, self.lang, **values), choices=choices,
                               case_id=case_id)

    def step(self, event: str) -> None:
        self.vol.step = conv.advance(self.vol.step, event)

    def data(self, **changes: Any) -> None:
        merged = {**self.vol.data, **changes}
        self.vol.data = {k: v for k, v in merged.items() if v is not None}

    def yes_no(self, prefix: str) -> tuple[Choice, ...]:
        return (Choice(t("yes", self.lang), f"{prefix}:yes"),
                Choice(t("no", self.lang), f"{prefix}:no"))

    def case(self, key: str) -> Case | None:
        case_id = self.vol.data.get(key)
        case = self.work.session.get(Case, case_id) if isinstance(case_id, int) else None
        return case if case is not None and case.volunteer_id == self.vol.id else None

    # ------------------------------------------------------------------ entry
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

    def relay_target(self) -> Case | None:
        """The open case a plain text goes to (as a message for its servant), if any."""
        if self.vol.step not in (conv.RELAY, conv.CHECKIN):
            return None
        case = self.case("relay_case")
        return case if case is not None and case.state in lifecycle.OPEN else None

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

    # ------------------------------------------------------------------ commands
    def on_command(self, name: str, args: str) -> None:
        handler = {
            "start": self.cmd_start, "help": self.cmd_help, "hulp": self.cmd_help,
            "status": self.cmd_status, "stop": self.cmd_stop, "taal": self.cmd_lang,
            "lang": self.cmd_lang, "language": self.cmd_lang, "vergeet": self.cmd_forget,
            "forget": self.cmd_forget, "nieuw": self.cmd_new, "new": self.cmd_new,
            "contact": self.cmd_contact, "privacy": self.cmd_privacy,
        }.get(name)
        if handler is not None:
            handler(args)
        elif name in STAFF_COMMANDS:
            self.say("staff_only")
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
        self.say("privacy")
        self.ask_again()

    def cmd_new(self, _args: str) -> None:
        self.expire_offer()
        self.step("start")
        self.say("new_question")

    def cmd_stop(self, _args: str) -> None:
        self.expire_offer()
        self.step("stop")
        self.say("stopped")

    def cmd_lang(self, args: str) -> None:
        choice = args.strip().casefold()[:2]
        if choice not in ("nl", "en"):
            self.say("lang_ask", choices=(Choice("Nederlands", "lang:nl"),
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
        self.vol.handover_declined = False
        self.expire_offer()
        if self.vol.step not in (conv.IDLE, conv.RELAY, conv.STOPPED, conv.CHECKIN):
            self.step("start")
        self.offer(last)

    # ------------------------------------------------------------------ choices
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

    # ------------------------------------------------------------------ routing
    def expire_offer(self) -> None:
        case = self.case("offer_case")
        if case is not None and case.state == lifecycle.NEW:
            self.work.move(case, "expire", "desk")
            case.question = None
        self.data(offer_case=None, offer_wording=None)

    def hints(self) -> Hints:
        preset = dict(self.vol.data.get("preset") or {})
        preset.update(self.vol.data.get("answers") or {})
        return Hints(themes=(preset["theme"],) if "theme" in preset else (),
                     needs=(preset["need"],) if "need" in preset else (),
                     region=preset.get("region"), municipality=preset.get("municipality"),
                     lang=self.lang if self.vol.lang_fixed else None)

    def route(self, text: str) -> RouteResult:
        today = local_date(self.work.now, self.work.config.timezone)
        hints = self.hints()
        if hints.lang is None and text_lang(text) is None:
            # "ok", a place name: no evidence either way, so keep the language we speak
            hints = replace(hints, lang=self.lang)
        return self.router.route(text, today=today, hints=hints, max_routes=MAX_ROUTES)

    def new_question(self, text: str) -> None:
        social = social_reply(text)
        if social is not None and self.vol.step in (conv.IDLE, conv.STOPPED, conv.CHECKIN):
            if self.vol.step == conv.STOPPED:
                self.step("start")
            self.say(f"{social}_reply")
            return
        self.expire_offer()
        if self.vol.step != conv.IDLE and self.vol.step not in (conv.RELAY, conv.CHECKIN):
            self.step("start")
        self.vol.question = text
        self.data(answers=None, clarify=None, last=None, asked=None, stat=None)
        result = self.route(text)
        if not self.vol.lang_fixed:
            self.vol.lang = result.lang
        if result.out_of_scope:
            record_question(self.work.session, result, text, self.work.now, self.work.kmap)
            self.work.to_volunteer(self.vol, result.redirect or t("out_of_scope", self.lang))
            self.step("answered")
            return
        if result.clarify:  # counted now: a question left unanswered still shows
            self.data(stat=record_question(self.work.session, result, text, self.work.now,
                                           self.work.kmap))
            self.ask_clarify(result.clarify[0])
            return
        self.answer(result)

    def clarify_choices(self, kind: str) -> tuple[Choice, ...]:
        kmap, lang = self.work.kmap, self.lang
        if kind == "theme":
            options = [(th.label.get(lang), th.id) for th in kmap.themes]
        elif kind == "need":
            options = [(n.label.get(lang), n.id) for n in kmap.needs]
        else:
            options = [(r.name, r.id) for r in kmap.regions if r.id != NATIONAL]
            options.append((t("whole_country", lang), NATIONAL))
        return tuple(Choice(label, f"clarify:{kind}:{ident}") for label, ident in options)

    def ask_clarify(self, kind: str) -> None:
        asked = [*(self.vol.data.get("asked") or []), kind] if self.vol.step == conv.CLARIFY \
            else [kind]
        self.data(clarify=kind, asked=asked)
        self.step("ask_clarify")
        self.say(f"ask_{kind}", choices=self.clarify_choices(kind))

    def clarify_answer(self, *, choice: str | None = None, free_text: str = "") -> None:
        kind = str(self.vol.data.get("clarify") or "")
        value = self.match_option(kind, choice) if choice else self.match_option(kind, free_text)
        if value is None and free_text.strip().isdigit():  # "14": not one of the options
            self.say("didnt_get", choices=self.clarify_choices(kind))
            return
        if value is None and free_text and self.whole_question(free_text):
            self.new_question(free_text)  # they asked anew instead of answering
            return
        answers = dict(self.vol.data.get("answers") or {})
        text = self.vol.question or ""
        if value is not None and kind in ("theme", "need", "region"):
            answers[kind] = value
        elif free_text:
            text = f"{text}\n{free_text}"
        self.data(answers=answers, clarify=None)
        self.vol.question = text
        result = self.route(text)
        asked = list(self.vol.data.get("asked") or [kind])
        missing = [k for k in result.clarify if k not in asked and k not in answers]
        if not result.routes and missing and len(asked) < MAX_CLARIFY:
            self.ask_clarify(missing[0])  # rather one more question than "no route"
            return
        self.answer(result)

    def whole_question(self, text: str) -> bool:
        """A text that routes on its own, with nothing left to ask: a new question, not
        an answer to add to the old one ("we zitten in Utrecht" is an answer)."""
        alone = self.route(text)
        return not alone.out_of_scope and not alone.clarify and bool(alone.routes)

    def match_option(self, kind: str, text: str) -> str | None:
        wanted = text.strip().casefold()
        kmap = self.work.kmap
        if kind == "theme":
            items = [(th.id, th.label.nl, th.label.en or "") for th in kmap.themes]
        elif kind == "need":
            items = [(n.id, n.label.nl, n.label.en or "") for n in kmap.needs]
        else:
            items = [(r.id, r.name, "") for r in kmap.regions]
            items.append((NATIONAL, "nederland", "netherlands"))
        for ident, *labels in items:
            if wanted in {ident, *(lab.casefold() for lab in labels if lab)}:
                return ident
        # one word of one option's label ("netwerk" for "Netwerk en contacten")
        word = wanted.strip(" .!?")
        hits = {ident for ident, *labels in items for lab in labels if lab and len(word) >= 4
                and word in _LABEL_WORD.findall(lab.casefold())}
        return hits.pop() if len(hits) == 1 else None

    def answer(self, result: RouteResult) -> None:
        record_question(self.work.session, result, self.vol.question or "", self.work.now,
                        self.work.kmap, row_id=self.vol.data.get("stat"))
        self.data(stat=None)
        routes = result.routes[:MAX_ROUTES]
        if routes:
            lines = [t("routes_intro", self.lang)]
            lines += [route_text(self.work.kmap, self.lang, i, r.id, r.name, r.why)
                      for i, r in enumerate(routes, 1)]
            self.work.to_volunteer(self.vol, "\n".join(lines))
        else:
            self.say("no_routes")
        last = {"theme": result.themes[0] if result.themes else None,
                "need": result.needs[0] if result.needs else None, "region": result.region,
                "municipality": result.municipality, "stage": result.stage,
                "routes": [{"id": r.id, "name": r.name, "why": r.why} for r in routes]}
        self.data(last=last)
        if self.vol.handover_declined:
            if not self.vol.data.get("contact_hinted"):  # once per "no", not every answer
                self.say("declined_before")
                self.data(contact_hinted=True)
            self.step("answered")
            return
        self.offer(last)

    # ------------------------------------------------------------------ handover
    def offer(self, last: dict[str, Any]) -> None:
        today = local_date(self.work.now, self.work.config.timezone)
        ranked = candidates(self.work.session, self.work.kmap, theme=last.get("theme"),
                            region=last.get("region"), today=today, lang=self.lang)
        if not ranked:
            self.say("no_servant")
            self.step("answered")
            return
        servant, now = ranked[0], self.work.now
        case = Case(volunteer_id=self.vol.id, servant_id=servant.id, lang=self.lang,
                    question=self.vol.question, theme=last.get("theme"), need=last.get("need"),
                    region=last.get("region"), municipality=last.get("municipality"),
                    stage=last.get("stage"), routes=list(last.get("routes") or []),
                    created_at=now, updated_at=now)
        self.work.session.add(case)
        self.work.session.flush()
        wording = t("offer", self.lang, **servant_card(servant, self.lang))
        if self.lang not in servant.languages:  # say so before they agree, not after
            wording += " " + t("servant_writes", self.lang, name=servant.name, language=t(
                f"lang_{servant_lang(servant)}", self.lang))
        self.work.audit(case, "desk", "proposed", servant.id, None, case.state)
        self.data(offer_case=case.id, offer_wording=wording)
        self.step("routed")
        self.work.to_volunteer(self.vol, wording, choices=self.yes_no(f"consent:{case.id}"))

    def consent(self, case: Case, given: bool) -> None:
        if not given:
            self.work.move(case, "decline", "volunteer")
            case.question = None
            self.vol.handover_declined = True
            self.data(offer_case=None, offer_wording=None, just_declined=True,
                      contact_hinted=None)
            self.step("decline")
            self.say("declined")
            return
        case.consent_at = self.work.now
        case.consent_wording = str(self.vol.data.get("offer_wording") or "")
        case.handle = self.inbound.display_name or self.inbound.sender_id
        case.channel = self.vol.channel
        self.work.audit(case, "volunteer", "consent_given")
        self.step("consent")
        # the offer promised the servant the initiative's place: ask it when we lack it
        key = "ask_initiative" if case.municipality else "ask_initiative_place"
        self.say(key, choices=(Choice(t("skip", self.lang), "initiative:skip"),))

    def handover(self, initiative: str | None) -> None:
        case = self.case("offer_case")
        if case is None or case.state != lifecycle.NEW:
            self.step("start")
            self.say("expired_choice")
            return
        case.initiative = initiative
        today = local_date(self.work.now, self.work.config.timezone)
        ranked = candidates(self.work.session, self.work.kmap, theme=case.theme,
                            region=case.region, today=today, lang=self.lang)
        if not ranked:
            self.work.move(case, "expire", "desk", "no servant available")
            self.step("start")
            self.say("no_servant")
            return
        servant = next((s for s in ranked if s.id == case.servant_id), ranked[0])
        if initiative and not case.municipality:
            self.place_from(case, initiative)
        self.work.move(case, "consent", "volunteer")
        offer_to(self.work, case, servant, actor="volunteer")
        self.data(offer_case=None, offer_wording=None, relay_case=case.id)
        self.step("handed_over")
        self.work.to_volunteer(self.vol, t("handed_over", self.lang, case=case.id,
                                           days=self.work.config.escalate_after,
                                           **servant_card(servant, self.lang)), case_id=case.id)

    def place_from(self, case: Case, text: str) -> None:
        """The place in "Buurtkamer De Linde, Zutphen", for the servant's card (the servant
        was chosen already; consent was given for them)."""
        found = self.route(text)
        if found.municipality:
            case.municipality, case.region = found.municipality, found.region
        elif found.region and not case.region:
            case.region = found.region

    def relay(self, case: Case, text: str) -> None:
        assert case.id is not None
        self.work.record(case.id, "volunteer", "volunteer", text)
        if case.state in lifecycle.WORKING:
            self.work.move(case, "volunteer_wrote", "volunteer")
        if case.servant_id:
            lang = servant_id_lang(self.work.kmap, case.servant_id)
            self.work.to_servant(case.servant_id, t("relay_in", lang, case=case.id, text=text),
                                 case_id=case.id)
        servant = self.work.kmap.find_servant(case.servant_id or "")
        self.say("relayed", case_id=case.id, case=case.id,
                 name=servant.name if servant else "?")

    # ------------------------------------------------------------------ check-in
    def checkin_pending(self, case: Case) -> bool:
        return checkin_pending(self.work, case)

    def checkin_answer(self, case: Case, answer: str) -> None:
        self.say(record_checkin(self.work, case, answer), case_id=case.id, case=case.id)
        if self.vol.step == conv.CHECKIN:
            still_open = case.state in lifecycle.OPEN
            self.step("checkin_answered_open" if still_open else "checkin_answered")
            self.data(checkin_case=None, relay_case=case.id if still_open else None)

    # ------------------------------------------------------------------ forget
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
