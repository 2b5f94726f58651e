"""A new question: out of scope (a polite redirect), asked back about when essential
information is missing (the clarify choices, at most ``MAX_CLARIFY`` for one question), or
answered."""

from __future__ import annotations

import re

from bot import conversation as conv
from bot.channel import Choice
from bot.report.question_stats import record_question
from bot.texts import t
from bot.volunteer_offer import OfferMixin
from bot.volunteer_words import is_wordless, without_dont_know
from bot.wording import social_reply
from routing.model import NATIONAL

_LABEL_WORD = re.compile(r"[a-zà-ÿ]+")
MAX_CLARIFY = 2  # questions asked back for one question: a second only instead of no route


class QuestionMixin(OfferMixin):
    """Routing a new question, and the questions asked back about it (clarify)."""

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
        self.data(answers=None, clarify=None, last=None, asked=None, stat=None, reasked=None)
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
        no_answer = False
        if value is None and free_text and (rest := without_dont_know(free_text)) != free_text:
            # "weet ik niet" is no answer; "geen idee, energie?" still says "energie"
            no_answer, free_text = not rest, rest or free_text
        if value is None and free_text and is_wordless(free_text):  # "👍": nothing to read
            if self.vol.data.get("reasked") != kind:
                self.data(reasked=kind)  # once more, with the choices; then go on without
                self.work.to_volunteer(self.vol, t("didnt_get", self.lang) + " "
                                       + t(f"ask_{kind}", self.lang),
                                       choices=self.clarify_choices(kind))
                return
            no_answer = True
        if value is None and free_text and not no_answer:
            bare = self.route_alone(free_text)
            if bare.out_of_scope and bare.extra.get("scope") != "greeting":
                # spam, a parking fine, a quarrel: not an answer. The redirect, and the
                # question still waits for one ("ja", "ok" go on as answers)
                self.work.to_volunteer(self.vol, bare.redirect or t("out_of_scope", self.lang))
                self.say(f"ask_{kind}", choices=self.clarify_choices(kind))
                return
            if self.whole_question(free_text):
                self.new_question(free_text)  # they asked anew instead of answering
                return
        answers = dict(self.vol.data.get("answers") or {})
        text = self.vol.question or ""
        if value is not None and kind in ("theme", "need", "region"):
            answers[kind] = value
        elif free_text and not no_answer:  # "weet ik niet" is not part of the question
            text = f"{text}\n{free_text}"
        self.data(answers=answers, clarify=None, reasked=None)
        self.vol.question = text
        result = self.route(text)
        asked = list(self.vol.data.get("asked") or [kind])
        missing = [k for k in result.clarify if k not in asked and k not in answers]
        if not result.routes and missing and len(asked) < MAX_CLARIFY:
            self.ask_clarify(missing[0])  # rather one more question than "no route"
            return
        self.answer(result)

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
