"""Whole conversations through the in-memory channel."""

from __future__ import annotations

from sqlmodel import select

from bot import cases as lifecycle
from bot import conversation as conv
from bot.models import CaseEvent, CheckinStat, Message, OutboxMessage
from tests.bot.desk.harness import Harness, choice_values, local, texts

VERA = "vera"
QUESTION = "Hallo, wij zijn met een paar buren begonnen met een buurtinitiatief in Zeist"


async def hand_over(desk: Harness, chat: str = VERA, question: str = QUESTION,
                    need: str = "funding", initiative: str = "Buurtkracht Zeist") -> int:
    """Question -> clarify (need) -> routes + offer -> yes -> initiative; the case id."""
    answer = await desk.say(chat, question, display_name="Vera V.")
    values = choice_values(answer)
    assert f"clarify:need:{need}" in values, texts(answer)
    answer = await desk.press(chat, f"clarify:need:{need}")
    consent = [v for v in choice_values(answer) if v.startswith("consent:")]
    assert consent, texts(answer)
    case_id = int(consent[0].split(":")[1])
    await desk.say(chat, "ja", display_name="Vera V.")
    await desk.say(chat, initiative)
    return case_id


async def test_question_clarify_routes_consent_handover_relay_resolve_checkin(desk: Harness) -> None:
    greeting = await desk.say(VERA, "/start")
    assert "Wegwijs" in texts(greeting)

    answer = await desk.say(VERA, QUESTION, display_name="Vera V.")
    assert len(answer) == 1 and answer[0].choices  # ONE clarify question, with choices
    assert {c.value for c in answer[0].choices} >= {
        f"clarify:need:{n.id}" for n in desk.kmap.needs}

    answer = await desk.press(VERA, "clarify:need:funding")
    routes_msg, offer = answer
    numbered = [line for line in routes_msg.text.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert 1 <= len(numbered) <= 3 and all(": " in line for line in numbered)  # name: why
    assert "€" in routes_msg.text and "http" in routes_msg.text  # amount and how to reach
    assert "Lotte Vermeulen" in offer.text and "Provincie Utrecht" in offer.text
    assert "chatnaam" in offer.text  # says what will be shared
    assert desk.to_servant("lotte-vermeulen") == []  # nothing shared before the yes
    case_id = int(offer.choices[0].value.split(":")[1])
    assert desk.case(case_id).state == lifecycle.NEW
    assert desk.case(case_id).handle is None

    answer = await desk.say(VERA, "Ja graag", display_name="Vera V.")
    assert "initiatief" in texts(answer)
    assert desk.case(case_id).consent_at is not None
    assert "Zolang je geen ja zegt" in (desk.case(case_id).consent_wording or "")
    answer = await desk.say(VERA, "Buurtkracht Zeist")
    assert f"zaak {case_id}" in texts(answer)

    handover = texts(desk.to_servant("lotte-vermeulen"))
    for expected in (QUESTION, "Buurtkracht Zeist", "Zeist", "Utrecht", "Geld",
                     "Vera V.", "Routes die de desk al gaf", f"/neem {case_id}"):
        assert expected in handover, expected
    assert desk.case(case_id).state == lifecycle.OFFERED

    reply = await desk.staff("lotte-vermeulen", f"/neem {case_id}")
    assert f"Zaak {case_id} is van jou" in texts(reply)
    assert "opgepakt" in texts(desk.to_volunteer(VERA))

    await desk.staff("lotte-vermeulen", f"/antwoord {case_id} Hoeveel buren doen er mee?")
    assert "Hoeveel buren doen er mee?" in texts(desk.to_volunteer(VERA))
    assert desk.case(case_id).state == lifecycle.WAITING

    await desk.say(VERA, "Een stuk of twaalf")
    relayed = texts(desk.to_servant("lotte-vermeulen"))
    assert f"[zaak {case_id}]" in relayed and "Een stuk of twaalf" in relayed
    assert desk.case(case_id).state == lifecycle.IN_PROGRESS

    await desk.staff("lotte-vermeulen", f"/notitie {case_id} belt donderdag")
    await desk.staff("lotte-vermeulen", f"/klaar {case_id} Aanvraag bij het fonds loopt")
    assert "Aanvraag bij het fonds loopt" in texts(desk.to_volunteer(VERA))
    assert desk.case(case_id).state == lifecycle.RESOLVED
    status = await desk.say(VERA, "/status")
    assert f"Zaak {case_id}" in texts(status) and "afgerond" in texts(status)

    # 10 working days after acceptance (Mon 23 Nov): Mon 7 Dec, same time.
    await desk.advance_to(local(2026, 12, 7, 9, 59))
    assert desk.to_volunteer(VERA) == []
    await desk.advance_to(local(2026, 12, 7, 10, 0))
    checkin = desk.to_volunteer(VERA)
    assert choice_values(checkin) == [f"checkin:{case_id}:yes", f"checkin:{case_id}:partly",
                                      f"checkin:{case_id}:no"]
    answer = await desk.say(VERA, "nee, nog niet")
    assert "weer open" in texts(answer)
    to_lotte = texts(desk.to_servant("lotte-vermeulen"))
    assert "Check-in" in to_lotte and "Nee" in to_lotte and "weer open" in to_lotte
    assert desk.case(case_id).state == lifecycle.IN_PROGRESS
    with desk.session() as s:
        assert [c.answer for c in s.exec(select(CheckinStat)).all()] == ["no"]
        notes = s.exec(select(Message).where(Message.kind == "note")).all()
        assert [n.text for n in notes] == ["belt donderdag"]
        events = [e.event for e in s.exec(select(CaseEvent).where(
            CaseEvent.case_id == case_id)).all()]
    assert events.index("proposed") < events.index("consent_given") < events.index("take")
    assert "reopen" in events


async def test_decline_shares_nothing_and_is_remembered(desk: Harness) -> None:
    await desk.say(VERA, "We zoeken subsidie voor een moestuin in Zeist")
    answer = await desk.say(VERA, "nee")
    assert "ik deel niets" in texts(answer)
    with desk.session() as s:
        assert s.exec(select(OutboxMessage).where(
            OutboxMessage.servant_id.is_not(None))).all() == []  # type: ignore[union-attr]
        case = s.exec(select(CaseEvent).where(CaseEvent.event == "decline")).one()
    assert desk.case(case.case_id).state == lifecycle.DECLINED
    assert desk.case(case.case_id).question is None
    answer = await desk.say(VERA, "En hoe zit het met subsidie voor een buurtmoestuin?")
    assert not [v for v in choice_values(answer) if v.startswith("consent:")]
    assert "/contact" in texts(answer)
    answer = await desk.say(VERA, "/contact")
    assert [v for v in choice_values(answer) if v.startswith("consent:")]


async def test_english_and_language_switch(desk: Harness) -> None:
    answer = await desk.say(VERA, "We want to plant trees in our street in Amersfoort and "
                                  "need funding")
    assert "These are the best routes" in texts(answer)
    assert "Would you like me to put you in touch" in texts(answer)
    answer = await desk.say(VERA, "/taal nl")
    assert "Nederlands" in texts(answer)
    assert "Je hebt geen zaken" in texts(await desk.say(VERA, "/status"))


async def test_out_of_scope_gets_a_kind_redirect(desk: Harness) -> None:
    answer = await desk.say(VERA, "Kun je mijn belastingaangifte voor me invullen?")
    assert answer and not choice_values(answer)
    assert desk.volunteer(VERA).step == conv.IDLE  # type: ignore[union-attr]


async def test_bad_input_is_answered_kindly_and_nothing_is_lost(desk: Harness) -> None:
    photo = await desk.say(VERA, "", kind="unsupported", unsupported="foto")
    assert "alleen tekst" in texts(photo)
    unknown = await desk.say(VERA, "/foobar")
    assert "/help" in texts(unknown)
    huge = "We willen zwerfafval opruimen in Zeist en zoeken geld. " * 400
    answer = await desk.say(VERA, huge)
    assert "erg lang" in texts(answer) and len(answer) >= 2
    stale = await desk.press(VERA, "consent:999:yes")
    assert "geldt niet meer" in texts(stale)
    assert "/status" in texts(await desk.say(VERA, "/help"))


async def test_start_payload_presets_place_and_theme(desk: Harness) -> None:
    answer = await desk.say(VERA, "/start gemeente-zeist_thema-voedsel")
    assert "Zeist" in texts(answer) and "Voedsel" in texts(answer)
    answer = await desk.say(VERA, "We zoeken geld")
    assert "clarify" not in " ".join(choice_values(answer))
    offer = [m for m in answer if m.choices]
    assert offer and "Marleen Visser" in offer[0].text


async def test_duplicate_inbound_is_processed_once(desk: Harness) -> None:
    first = desk.vols.inbound(VERA, "We zoeken subsidie voor een moestuin in Zeist",
                              message_id="same-id")
    await desk.vols.push(first)
    once = desk.to_volunteer(VERA)
    await desk.vols.push(first)
    assert once and desk.to_volunteer(VERA) == []
    with desk.session() as s:
        assert len(s.exec(select(OutboxMessage)).all()) == len(once)


async def test_strangers_cannot_use_staff_commands(desk: Harness) -> None:
    case_id = await hand_over(desk)
    for command in (f"/neem {case_id}", "/zaken", f"/antwoord {case_id} hoi",
                    f"/klaar {case_id} klaar", "/capaciteit 9", "/cases"):
        answer = await desk.say("mallory", command)
        assert "alleen voor medewerkers" in texts(answer)
    assert desk.case(case_id).state == lifecycle.OFFERED
    # another servant may not act on a case that is not theirs
    answer = await desk.staff("marleen-visser", f"/neem {case_id}")
    assert "niet bij jou" in texts(answer)
    assert desk.case(case_id).state == lifecycle.OFFERED
    assert "Buurtkracht" not in texts(answer)


async def test_staff_assign_and_usage_errors(desk: Harness) -> None:
    case_id = await hand_over(desk)
    desk.to_servant("lotte-vermeulen")
    assert "Gebruik" in texts(await desk.staff("lotte-vermeulen", "/neem"))
    assert "bestaat niet" in texts(await desk.staff("lotte-vermeulen", "/neem 4242"))
    answer = await desk.staff("lotte-vermeulen", f"/geef {case_id} ingrid-smit landelijk")
    assert "Ingrid Smit" in texts(answer)
    handover = texts(desk.to_servant("ingrid-smit"))
    assert QUESTION in handover and "landelijk" in handover
    assert "Ingrid Smit" in texts(desk.to_volunteer(VERA))
    case = desk.case(case_id)
    assert case.servant_id == "ingrid-smit" and case.state == lifecycle.OFFERED
    assert "Zaak" in texts(await desk.staff("ingrid-smit", "/zaken"))
    assert "geen open zaken" in texts(await desk.staff("lotte-vermeulen", "/cases"))


async def test_clarify_accepts_typed_answers_and_ignores_forged_choices(desk: Harness) -> None:
    answer = await desk.say(VERA, QUESTION)
    assert "clarify:need:funding" in choice_values(answer)
    forged = await desk.press(VERA, "clarify:need:no-such-need")
    assert forged  # answered anyway, with the question re-routed on the text alone
    answer = await desk.say("wim", QUESTION)
    answer = await desk.say("wim", "Geld en financiering")
    assert [v for v in choice_values(answer) if v.startswith("consent:")]


async def test_unsupported_messages_are_named_in_the_volunteers_language(desk: Harness) -> None:
    photo = texts(await desk.say(VERA, "", kind="unsupported", unsupported="photo"))
    assert "geen foto's" in photo and "photo" not in photo
    voice = texts(await desk.say(VERA, "", kind="unsupported", unsupported="voice"))
    assert "geen spraakberichten" in voice and "voice" not in voice
    odd = texts(await desk.say(VERA, "", kind="unsupported", unsupported="hologram"))
    assert "geen bijlagen" in odd and "hologram" not in odd  # unknown: a generic word
    await desk.say(VERA, "/taal en")
    sticker = texts(await desk.say(VERA, "", kind="unsupported", unsupported="sticker"))
    assert "I can only read text, not stickers" in sticker
    assert desk.volunteer(VERA).step == conv.IDLE  # type: ignore[union-attr]
