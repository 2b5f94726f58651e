"""Commands: placeholder until its issue lands."""

from bot.cli._apps import app, knowledge_app  # noqa: F401
