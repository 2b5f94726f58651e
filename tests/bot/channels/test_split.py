"""The shared splitter (``bot.channels.split``) with both ways of counting: characters
(Matrix) and UTF-16 code units (Telegram)."""

from __future__ import annotations

import pytest

from bot.channels.split import split_text
from bot.channels.telegram_format import utf16_len


def test_a_word_longer_than_the_limit_is_cut_hard_and_kept_whole() -> None:
    text = "kort " + "x" * 25 + " eind"
    parts = split_text(text, 10)
    assert parts == ["kort", "x" * 10, "x" * 10, "x" * 5 + " eind"]
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_newline_is_preferred_over_a_later_space_and_a_paragraph_over_a_later_line() -> None:
    assert split_text("aaaa bbbb\ncc dd ee", 15) == ["aaaa bbbb", "cc dd ee"]
    assert split_text("aaaa\n\nbbbb\ncc dd", 14) == ["aaaa", "bbbb\ncc dd"]


def test_a_separator_too_early_in_the_part_is_not_used() -> None:
    # A cut in the first quarter would leave a nearly empty part: cut hard instead.
    assert split_text("a " + "b" * 30, 20) == ["a " + "b" * 18, "b" * 12]


def test_surrogate_pairs_are_never_split_at_the_boundary() -> None:
    # 3 units of "a" then emoji of 2 units each: a limit of 4 fits "a" * 3 and no half emoji.
    text = "aaa" + "🙂" * 3
    parts = split_text(text, 4, utf16_len)
    assert parts == ["aaa", "🙂🙂", "🙂"]
    assert all(utf16_len(p) <= 4 for p in parts)
    assert "".join(parts) == text
    # Counting characters, the same text fits in fewer parts.
    assert split_text(text, 4) == ["aaa🙂", "🙂🙂"]


def test_short_empty_and_blank_texts() -> None:
    assert split_text("Hallo", 5) == ["Hallo"]
    assert split_text("", 5) == [""]
    assert split_text("  ", 5) == ["  "]
    assert split_text(" " * 12, 5) == [""]


def test_a_limit_no_character_fits_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        split_text("abc", 0)
    with pytest.raises(ValueError, match="longer than the limit"):
        split_text("🙂🙂", 1, utf16_len)
