"""The answer to a question (its routes) and the warm handover: the offer of a named civil
servant, the volunteer's consent or "no", the initiative's name, and handing the case over."""

from __future__ import annotations

from typing import Any

from bot import cases as lifecycle
from bot.channel import Choice
from bot.handover import candidates, offer_to, servant_card, servant_lang
from bot.models import Case
from bot.report.question_stats import record_question
from bot.texts import t
from bot.volunteer_base import MAX_ROUTES, ConversationBase
from bot.wording import route_text
from bot.workdays import local_date
from routing.result import RouteResult

MAX_INITIATIVE = 200


class OfferMixin(ConversationBase):
    """Answering with routes, offering the handover, and carrying out the volunteer's
    answer to the offer."""

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
                      contact_hinted=None, pass_on=None)
            self.step("decline")
            self.say("declined")
            return
        case.consent_at = self.work.now
        case.consent_wording = str(self.vol.data.get("offer_wording") or "")
        case.handle = self.inbound.display_name or self.inbound.sender_id
        case.channel = self.vol.channel
        self.work.audit(case, "volunteer", "consent_given")
        self.data(pass_on=None)  # answered: a message held beside the offer was not for them
        self.step("consent")
        # the offer promised the servant the initiative's place: ask it when we lack it
        key = "ask_initiative" if case.municipality else "ask_initiative_place"
        self.say(key, choices=(Choice(t("skip", self.lang), "initiative:skip"),))

    def handover(self, initiative: str | None, *, place: str | None = None) -> None:
        """Hand the offered case over; ``place`` is a text naming only its place."""
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
        if place or (initiative and not case.municipality):
            # a place typed here ("we zitten in Lochem") corrects the question's own
            self.place_from(case, place or initiative or "")
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
