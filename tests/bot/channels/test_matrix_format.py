"""Matrix text rules and error mapping, without a homeserver."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from nio import RoomSendError, SyncError

from bot.channel import ChannelError, Choice, RateLimited, RecipientGone, TransientError
from bot.channels import matrix_format as fmt
from bot.channels.matrix import fmt_txn
from bot.channels.matrix_errors import TokenRejected, channel_error


@given(st.text(alphabet=st.sampled_from("ab \n<&é😀"), max_size=400),
       st.integers(min_value=1, max_value=60))
def test_split_text_keeps_every_word_within_the_limit(text: str, limit: int) -> None:
    parts = fmt.split_text(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == \
        text.replace(" ", "").replace("\n", "")


def test_render_escapes_html_and_lists_choices_on_the_last_part() -> None:
    long = ("Lange zin met <script>alert(1)</script> & meer. " * 200).strip()
    choices = (Choice("Ja", "consent:1:yes"), Choice("Nee <niet>", "consent:1:no"))
    parts = fmt.render(long, choices, limit=4000)
    assert len(parts) >= 3
    assert all(len(p["body"]) <= 4000 for p in parts)
    assert all("<script>" not in p["formatted_body"] for p in parts)
    assert "&lt;script&gt;" in parts[0]["formatted_body"]
    last = parts[-1]
    assert last["body"].endswith("\n\n1. Ja\n2. Nee <niet>")
    assert last["formatted_body"].endswith("<ol><li>Ja</li><li>Nee &lt;niet&gt;</li></ol>")
    assert all("1. Ja" not in p["body"] for p in parts[:-1])


def test_an_empty_text_still_makes_a_message() -> None:
    assert fmt.render("  ")[0]["body"] == "…"


def test_commands_with_slash_or_bang() -> None:
    assert fmt.parse_command("/neem 12") == ("neem", "12")
    assert fmt.parse_command("  !klaar 3 Subsidie loopt ") == ("klaar", "3 Subsidie loopt")
    assert fmt.parse_command("!!! wat fijn") is None
    assert fmt.parse_command("/ 12") is None
    assert fmt.parse_command("hallo /neem 1") is None
    assert fmt.command_text("neem", "12") == "/neem 12"
    assert fmt.command_text("zaken", "") == "/zaken"


def test_a_typed_number_or_label_picks_a_choice() -> None:
    choices = (Choice("Geld", "need:funding"), Choice("Kennis", "need:knowledge"))
    assert fmt.pick_choice("2", choices) == choices[1]
    assert fmt.pick_choice(" 1. ", choices) == choices[0]
    assert fmt.pick_choice("kennis", choices) == choices[1]
    assert fmt.pick_choice("3", choices) is None
    assert fmt.pick_choice("0", choices) is None
    assert fmt.pick_choice("geld graag", choices) is None


def test_reply_fallbacks_are_stripped() -> None:
    body = "> <@lotte:desk.test> Nieuwe zaak 7\n> tweede regel\n\nIk bel je morgen"
    assert fmt.strip_reply_fallback(body) == "Ik bel je morgen"
    assert fmt.strip_reply_fallback("> een citaat zonder lege regel") == \
        "> een citaat zonder lege regel"
    assert fmt.strip_reply_fallback("gewoon") == "gewoon"


def test_matrix_errors_map_to_the_channel_error_family() -> None:
    limited = channel_error(RoomSendError("Too many", "M_LIMIT_EXCEEDED", 1500), sending=True)
    assert isinstance(limited, RateLimited) and limited.retry_after == 1.5
    assert isinstance(channel_error(RoomSendError("not in room", "M_FORBIDDEN"), sending=True),
                      RecipientGone)
    forbidden = channel_error(SyncError("no", "M_FORBIDDEN"))
    assert type(forbidden) is ChannelError  # not about a recipient: no RecipientGone
    assert isinstance(channel_error(SyncError("gone", "M_UNKNOWN_TOKEN")), TokenRejected)
    assert isinstance(channel_error(SyncError("unknown error")), TransientError)


def test_transaction_ids_are_url_safe_and_distinct() -> None:
    assert fmt_txn("42:0") != fmt_txn("42:1")
    keys = ["volatile:error:matrix:$abc/def:0", "volatile:error:matrix:$abc/deg:0"]
    safe = [fmt_txn(k) for k in keys]
    assert safe[0] != safe[1]
    assert all(ch.isalnum() or ch in "-_." for s in safe for ch in s)
