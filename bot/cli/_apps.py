"""The Typer apps that the command modules attach their commands to."""

import typer

app = typer.Typer(
    name="wegwijs",
    help="Wegwijs: the chat help desk for civic initiatives.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
knowledge_app = typer.Typer(help="Check, import, export and compare the knowledge map.",
                            no_args_is_help=True)
app.add_typer(knowledge_app, name="knowledge")
