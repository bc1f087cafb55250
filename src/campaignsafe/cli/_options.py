"""Options shared by several commands, defined once."""

from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a formatted view.")]
NoInputOpt = Annotated[
    bool, typer.Option("--no-input", help="Never prompt (also implied when stdin is not a terminal).")
]
