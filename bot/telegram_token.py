"""The Telegram bot token's form, checked offline, in words that never quote the token.

``wegwijs doctor`` reports a malformed token and ``wegwijs serve`` refuses to start with it,
both with ``token_sentence``. Spaces or quotes pasted around the token are refused, not
stripped: a quoted value in an env file is a configuration mistake to fix where it was made
(other tools reading the same file would see the quotes too).
"""

from __future__ import annotations

import re

#: The setting that holds the token, as operators write it in the environment.
TOKEN_SETTING = "WEGWIJS_TELEGRAM_TOKEN"
#: A Bot API token as @BotFather gives it: the bot's number, a colon, then the secret part.
_FORM = re.compile(r"[0-9]+:[A-Za-z0-9_-]{30,}", re.ASCII)
_AROUND = " \t\r\n\"'`\u00a0\u2018\u2019\u201c\u201d"


def token_problems(token: str) -> list[str]:
    """What is wrong with the token's form, as phrases that never quote it: spaces, line
    breaks or quotes pasted around it; not digits, a colon and 30+ of [A-Za-z0-9_-]."""
    core = token.strip(_AROUND)
    problems = []
    if core != token:
        problems.append("has spaces or quotes around it (pasted by accident?): remove them")
    if not _FORM.fullmatch(core):
        problems.append("does not look like a Telegram bot token (digits, a colon, then 30 "
                        "or more letters, digits, - or _): copy it again from @BotFather")
    return problems


def token_sentence(token: str) -> str | None:
    """One sentence naming the setting and what is wrong with it, or None when the form is
    right. Never contains any part of ``token``."""
    problems = token_problems(token)
    if not problems:
        return None
    return f"{TOKEN_SETTING} is set but " + "; it ".join(problems)
