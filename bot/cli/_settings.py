"""The desk's settings for a command: invalid ones end the command with a sentence each,
never with pydantic's traceback (its input dump would show secrets such as the token)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from bot.settings import Settings


def settings_or_exit() -> Settings:
    from pydantic import ValidationError

    from bot.doctor import settings_errors
    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        for line in settings_errors(exc):
            typer.echo(f"configuration: {line}", err=True)
        raise typer.Exit(code=1) from None
