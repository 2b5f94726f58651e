"""What every part of the volunteer's conversation shares: the message's context (work,
router, volunteer, inbound), saying a text, moving a step, the conversation's data, routing
a text with what is known already, and withdrawing an offer that was not answered.

Steps move only through ``bot.conversation.advance``; cases only through ``Work.move``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot import cases as lifecycle
from bot import conversation as conv
from bot.channel import Choice, Inbound
from bot.models import Case, Volunteer
from bot.outbox import Work
from bot.texts import t
from bot.wording import text_lang
from bot.workdays import local_date
from routing.result import Hints, RouteResult
from routing.router import Router

MAX_ROUTES = 3


class ConversationBase:
    """One volunteer message inside the desk's transaction: its context and the helpers
    every part of the conversation uses."""

    def __init__(self, work: Work, router: Router, vol: Volunteer, inbound: Inbound) -> None:
        self.work, self.router, self.vol, self.inbound = work, router, vol, inbound

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

    def expire_offer(self) -> None:
        case = self.case("offer_case")
        if case is not None and case.state == lifecycle.NEW:
            self.work.move(case, "expire", "desk")
            case.question = None
        self.data(offer_case=None, offer_wording=None, pass_on=None)

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

    def route_alone(self, text: str) -> RouteResult:
        """``text`` routed without the question's hints: what it says on its own (hints
        would keep spam or a parking fine from being seen as out of scope)."""
        today = local_date(self.work.now, self.work.config.timezone)
        return self.router.route(text, today=today, max_routes=MAX_ROUTES)

    def whole_question(self, text: str, *, with_hints: bool = True) -> bool:
        """A text that routes on its own, with nothing left to ask: a new question, not
        an answer to add to the old one ("we zitten in Utrecht" is an answer).
        ``with_hints=False``: without the current question's hints too (a message that
        may be meant for another case)."""
        alone = self.route(text) if with_hints else self.route_alone(text)
        return not alone.out_of_scope and not alone.clarify and bool(alone.routes)
