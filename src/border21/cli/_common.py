"""Helpers shared by the CLI commands: error handling and console output."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from border21.errors import Border21Error
from border21.i18n import gettext as _
from border21.stats import PERCENT, pm

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print a one-line error to stderr and return the exit (code 2) to raise."""
    prefix = _("error:")
    err_console.print(f"[bold red]{prefix}[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def said(text: str) -> str:
    """``text`` in the CLI's language: a core's :class:`~border21.i18n.message.Message`
    translated, any other text as it is."""
    from border21.i18n import resolve
    from border21.i18n.message import Message

    return text.in_language(resolve()) if isinstance(text, Message) else text


def note(text: str) -> None:
    """A note on stderr: ``note: …`` (``nota: …``); a core's Message in the CLI's language."""
    prefix = _("note:")
    err_console.print(f"[yellow]{prefix}[/] {said(text)}", highlight=False)


def warn(text: str) -> None:
    """A warning on stderr: ``warning: …`` (``advertencia: …``); a core's Message in the
    CLI's language."""
    prefix = _("warning:")
    err_console.print(f"[yellow]{prefix}[/] {said(text)}", highlight=False)


def wrote(out: object) -> None:
    """The last line of a command that wrote files: ``wrote DIR``."""
    console.print(_("wrote {path}").format(path=out), highlight=False)


def cli_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn border21's own errors and unreadable files into exit code 2, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except Border21Error as exc:  # a core's reason in the CLI's language
            from border21.i18n import resolve

            raise fail(exc.in_language(resolve())) from None
        except OSError as exc:
            raise fail(f"{exc.filename or ''}: {exc.strerror or exc}") from None

    return wrapper


def ready_out(out: Path | None) -> None:
    """Make the ``--out`` directory, or fail, before any work: not after an hour's run."""
    if out is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    if not os.access(out, os.W_OK | os.X_OK):
        raise fail(
            _("{option} = {value}: the directory is not writable").format(
                option="--out", value=repr(str(out))
            )
        )


def pct(rate: float, half: float) -> str:
    """A share in percent ± its half-width; "—" when there was nothing to share (no carriers)."""
    return pm(100 * rate, 100 * half, "{:.1f}", PERCENT)


def print_marked_note(cells: list[str]) -> None:
    """After a table: the note for its intervals marked ‡ (outside the possible range), if any."""
    from border21.stats import OUT_OF_RANGE_NOTE

    if any(c.endswith("‡") for c in cells):
        console.print(_(OUT_OF_RANGE_NOTE), highlight=False)
