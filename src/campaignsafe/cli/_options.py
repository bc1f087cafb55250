"""Options shared by several commands, defined once."""

from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a formatted view.")]
NoInputOpt = Annotated[
    bool, typer.Option("--no-input", help="Never prompt (also implied when stdin is not a terminal).")
]
PassFile = Annotated[
    str | None,
    typer.Option(
        "--passphrase-file",
        help="Read the passphrase from the first line of FILE (for scripts). Never give it on the command line.",
        metavar="FILE",
        show_default=False,
    ),
]
