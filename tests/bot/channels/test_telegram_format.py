"""Telegram text rules without I/O: splitting, escaping, keyboards, callback data, pacing."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channel import RecipientGone, TransientError
from bot.channels import telegram_format as fmt
from bot.channels.pacing import SendPacer
from bot.channels.telegram_errors import channel_error

pytestmark = pytest.mark.telegram


def _words(text: str) -> list[str]:
    return text.split()


def test_short_text_is_one_part() -> None:
    assert fmt.split_text("Hallo") == ["Hallo"]
    assert fmt.split_text("") == [""]


def test_split_prefers_paragraph_then_line_then_word() -> None:
    para = "a" * 60 + "\n\n" + "b" * 60
    assert fmt.split_text(para, limit=100) == ["a" * 60, "b" * 60]
    lines = "a" * 60 + "\n" + "b" * 30 + " " + "c" * 30
    assert fmt.split_text(lines, limit=100) == ["a" * 60, "b" * 30 + " " + "c" * 30]
    words = " ".join(["woord"] * 40)
    parts = fmt.split_text(words, limit=50)
    assert all(len(p) <= 50 for p in parts)
    assert all(set(p.split()) == {"woord"} for p in parts)  # never cut inside a word


def test_a_word_longer_than_a_message_is_cut_hard() -> None:
    parts = fmt.split_text("x" * 250, limit=100)
    assert [len(p) for p in parts] == [100, 100, 50]


def test_split_counts_utf16_units_like_telegram() -> None:
    text = "🙂" * 60  # each is two UTF-16 units
    parts = fmt.split_text(text, limit=100)
    assert [fmt.utf16_len(p) for p in parts] == [100, 20]
    assert "".join(parts) == text


@given(st.text(alphabet=st.sampled_from("ab \n🙂é<&"), max_size=600),
       st.integers(min_value=2, max_value=120))
def test_split_loses_no_words_and_respects_the_limit(text: str, limit: int) -> None:
    parts = fmt.split_text(text, limit=limit)
    assert all(fmt.utf16_len(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_escape_leaves_nothing_that_telegram_would_parse() -> None:
    text = "Fonds <Groen & Co> en *_[`"
    escaped = fmt.escape(text)
    assert "<" not in escaped.replace("&lt;", "")
    assert html.unescape(escaped) == text
    assert "*_[`" in escaped  # no markdown meaning in HTML mode


def test_keyboard_rows_put_short_labels_side_by_side() -> None:
    assert fmt.keyboard_rows(["Ja", "Nee"]) == [[0, 1]]
    assert fmt.keyboard_rows(["Ja", "Deels", "Nee", "Weet niet"]) == [[0, 1, 2], [3]]
    long = ["Subsidie voor een buurtinitiatief", "Contact met de gemeente"]
    assert fmt.keyboard_rows(long) == [[0], [1]]


def test_callback_data_tokens() -> None:
    assert fmt.fits_callback_data("consent:yes")
    assert not fmt.fits_callback_data("é" * 33)  # 66 bytes
    assert not fmt.fits_callback_data(fmt.CALLBACK_TOKEN_PREFIX + "abc")  # would be ambiguous
    token = fmt.callback_token("x" * 500)
    assert token == fmt.callback_token("x" * 500)
    assert token != fmt.callback_token("y" * 500)
    assert len(token.encode()) <= fmt.MAX_CALLBACK_DATA


@pytest.mark.parametrize(("text", "expected"), [
    ("/start", ("start", None, "")),
    ("/start gemeente-utrecht", ("start", None, "gemeente-utrecht")),
    ("/help@wegwijs_bot", ("help", "wegwijs_bot", "")),
    ("/antwoord 12 Het lukt!", ("antwoord", None, "12 Het lukt!")),
    ("/ hallo", None),
    ("/pad/naar/bestand", None),
    ("geen commando", None),
])
def test_parse_command(text: str, expected: tuple[str, str | None, str] | None) -> None:
    assert fmt.parse_command(text) == expected


def test_exceptions_map_to_the_channel_family() -> None:
    limited = channel_error(RetryAfter(7))
    assert getattr(limited, "retry_after", None) == 7.0
    assert isinstance(channel_error(Forbidden("bot was blocked by the user")), RecipientGone)
    assert isinstance(channel_error(BadRequest("Chat not found")), RecipientGone)
    assert not isinstance(channel_error(BadRequest("can't parse entities")),
                          RecipientGone | TransientError)
    assert isinstance(channel_error(TimedOut()), TransientError)
    assert isinstance(channel_error(NetworkError("Bad Gateway")), TransientError)


async def test_pacer_spaces_sends_per_chat_and_overall() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))

    pacer = SendPacer(per_chat_interval=1.0, overall_rate=10.0, clock=lambda: now[0],
                      sleep=sleep)
    await pacer.wait("a")  # free
    await pacer.wait("b")  # another chat: only the overall spacing (0.1 s)
    await pacer.wait("a")  # same chat: one second after its previous slot
    assert waits == [0.1, 1.0]
    now[0] = 5.0
    pacer.hold("a", 3.0)  # Telegram said "retry after 3"
    await pacer.wait("a")
    assert waits[-1] == 3.0
