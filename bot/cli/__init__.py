"""The ``wegwijs`` command line. Each module below attaches its own commands."""

from bot.cli import (  # noqa: F401  (imported for their commands)
    desk_cmds,
    knowledge_cmds,
    knowledge_sheets_cmds,
    ops_cmds,
    report_cmds,
    routing_cmds,
    serve_cmds,
)
from bot.cli._apps import app


def main() -> None:
    app()
