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


def piped_text(flag: str) -> str:
    """``flag -``: standard input as the field's text. Typed at a terminal it waited on a blank screen, so there it
    first says how to end the text."""
    import sys

    from campaignsafe.inputfiles import stdin_text

    if not sys.stdin.isatty():
        return stdin_text(flag)
    end = "Ctrl-Z then Enter" if sys.platform == "win32" else "Ctrl-D"
    sys.stderr.write(f"Type or paste the text for {flag.split()[0]}; end it with {end} on a line of its own.\n")
    sys.stderr.flush()
    try:
        return stdin_text(flag)
    except KeyboardInterrupt:  # exit 130 says "answers kept as a draft" elsewhere: here nothing was kept
        from campaignsafe.errors import CampaignsafeError

        stopped = CampaignsafeError(
            "interrupted: nothing was saved",
            f"what you typed is still on the screen above: copy it into a file, then give {flag.split()[0]} - < FILE",
            code="interrupted",
        )
        stopped.exit_code = 130
        raise stopped from None
