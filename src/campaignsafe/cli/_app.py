"""The typer program behind ``campaignsafe``: every sub-command, and the one place errors become exit codes.

Sub-commands live in their own modules and are imported only when used, so
``campaignsafe contact`` never pays for the incident store or the checklist.
"""

import importlib
import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from campaignsafe import __version__
from campaignsafe.cli import COMMANDS
from campaignsafe.errors import CampaignsafeError, exit_code_help


class App(TyperGroup):
    """Root group: loads sub-commands lazily and maps every error to a message and an exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, name: str) -> Any:
        if name not in COMMANDS:
            return None
        from campaignsafe.cli._usage import tidy

        module, attr, _help = COMMANDS[name]
        obj = getattr(importlib.import_module(module), attr)
        if isinstance(obj, typer.Typer):
            return tidy(typer.main.get_group(obj))
        sub = typer.Typer(add_completion=False, rich_markup_mode=None)
        sub.command(name)(obj)
        return tidy(typer.main.get_command(sub))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in COMMANDS and not args[0].startswith("-"):
            from campaignsafe.cli._usage import no_such_command
            from campaignsafe.errors import CampaignsafeError

            message, hint = no_such_command(args[0], ctx)
            exc = CampaignsafeError(message, hint, code="usage")
            exc.exit_code = 2
            raise exc
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, info[2]) for name, info in COMMANDS.items()])

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CampaignsafeError as exc:
            error_line(exc.message, exc.hint)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            error_line("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:
            from campaignsafe.cli._pipes import output_full, reader_gone
            from campaignsafe.cli._usage import is_usage_error, words

            if reader_gone(exc) or output_full(exc):  # `| head`, or a full disk under `> file`
                from campaignsafe.cli._pipes import unwritten

                raise typer.Exit(unwritten(exc, 0)) from None

            if is_usage_error(exc) and not _debug():
                error_line(*words(exc))
                raise typer.Exit(2) from None
            if type(exc).__module__.startswith("typer"):
                raise
            if _debug():
                from campaignsafe.cli._tracebacks import redacted_traceback

                sys.stderr.write(redacted_traceback(exc))
                raise typer.Exit(1) from None
            error_line(
                f"internal error ({type(exc).__name__}); nothing you entered has been lost",
                "to see the details, run it again as campaignsafe --debug COMMAND … (or with CAMPAIGNSAFE_DEBUG=1)",
            )
            raise typer.Exit(1) from None


def error_line(message: str, hint: str | None = None) -> None:
    """The error said on stderr; a reader that went away (``2>&1 | head``) does not change the exit code."""
    from campaignsafe.cli import _render

    try:
        _render.error_line(message, hint)
    except OSError as exc:
        from campaignsafe.cli._pipes import output_full, reader_gone, silence

        if not reader_gone(exc, sys.stderr) and not output_full(exc):  # stderr to a full disk: the code still says
            raise
        silence(sys.stderr)


def _debug() -> bool:
    return os.environ.get("CAMPAIGNSAFE_DEBUG", "") not in ("", "0")


app = typer.Typer(
    cls=App,
    epilog=f"{exit_code_help(short=True)}\n\nIf you are in immediate danger, call 999.",  # kept on a 24-line screen
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from campaignsafe.cli._panel import say
        from campaignsafe.versions import about_data, dataset_version

        data = about_data()
        print(f"campaignsafe {__version__}")
        for d in data["datasets"]:
            say(f"  {d['name']}: {dataset_version(d)}", 4)
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and data versions.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show internal errors in full.")] = False,
) -> None:
    """Offline safety tools for UK election candidates and agents.

    If you are in immediate danger, call 999.
    """
    if debug:
        os.environ["CAMPAIGNSAFE_DEBUG"] = "1"


def run() -> int:
    """Run the whole typer program on ``sys.argv``; its exit code."""
    try:
        app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except OSError as exc:  # writing --help or --version, which run before any command (and its handler)
        from campaignsafe.cli._pipes import output_full, reader_gone, unwritten

        if reader_gone(exc) or output_full(exc):
            return unwritten(exc, 0)
        raise
    return 0
