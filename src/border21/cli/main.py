"""The ``border21`` command. Sub-commands live in sibling modules.

Each sub-command module imports only Typer at module level so that
``border21 --help`` stays instant; NumPy, Numba, DuckDB and LightGBM are
imported inside the commands that need them.

The language (``--lang en|es``, else ``BORDER21_LANG``, else English) is
chosen before the commands are built: Typer reads each ``help=`` and
docstring when its module is imported, so :func:`run` reads ``--lang`` from
the arguments first, then imports the sub-command modules (:func:`build`).
``app`` is built on first use (``from border21.cli.main import app``), in the
language of the environment at that moment.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import typer

from border21.i18n import N_

if TYPE_CHECKING:
    from typer import _click  # Typer's own copy of Click
    from typer.core import TyperGroup

LANG_OPTION = "--lang"

# Typer's own words around our help (its panels, defaults, error box), which it reads
# through the standard gettext; see use_frame_language. Typer's bundled copy of Click
# has no gettext: run sets the --help text itself (help_option_says), but "Usage:"
# and Click's parse errors ("Missing option", "No such option") stay English.
FRAME_WORDS = (
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("Error"),
    N_("[default: {}]"),
    N_("[env var: {}]"),
    N_("[required]"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
    N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    N_("Aborted."),
    N_("Aborted!"),
    N_("No such command {name!r}."),
)


def split_lang(args: list[str]) -> tuple[str | None, list[str]]:
    """The ``--lang`` value wherever it stands (before a lone ``--``), and the rest.

    >>> split_lang(["simulate", "tiny", "--lang", "es", "--days", "2"])
    ('es', ['simulate', 'tiny', '--days', '2'])
    >>> split_lang(["--lang=es", "--help"])
    ('es', ['--help'])
    """
    lang: str | None = None
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg == LANG_OPTION and i + 1 < len(args):
            lang, i = args[i + 1], i + 2
            continue
        if arg.startswith(LANG_OPTION + "="):
            lang, i = arg.split("=", 1)[1], i + 1
            continue
        rest.append(arg)
        i += 1
    return lang, rest


def use_frame_language(lang: str) -> None:
    """Typer's own words ("Options", "[default: …]", the "Error" box) in ``lang``.

    Typer calls the standard ``gettext.gettext``, which reads the default domain
    and the ``LANGUAGE`` variable: for Spanish both point at border21's catalog.
    English touches neither (so a Spanish desktop's ``LANGUAGE`` never leaks in).
    """
    import gettext

    from border21.i18n import DEFAULT, DOMAIN, locale_dir

    if lang == DEFAULT:
        return
    gettext.bindtextdomain(DOMAIN, str(locale_dir()))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = lang


def speak_click() -> None:
    """Typer's copy of Click writes its usage line ("Usage: …") and its parse errors ("No
    such option: --dayz", "Missing argument 'scenario'.") as literal English, without
    gettext: in another language, translate them where Typer prints them (its usage line
    and its error box). The CLI test in Spanish fails if a Typer upgrade moves either."""
    from typer import rich_utils
    from typer._click import exceptions as errors
    from typer._click import formatting

    from border21.i18n import gettext as _

    write_usage = formatting.HelpFormatter.write_usage

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    def message(exc: Any) -> str:
        if isinstance(exc, errors.NoSuchOption):
            text = _("No such option: {name}").format(name=exc.option_name)
            if exc.possibilities:
                options = ", ".join(sorted(exc.possibilities))
                text += " " + _("(Possible options: {options})").format(options=options)
            return text
        if isinstance(exc, errors.MissingParameter):
            hint = exc.param.get_error_hint() if exc.param is not None else ""
            kind = exc.param_type or (exc.param.param_type_name if exc.param else "parameter")
            words = {"argument": _("Missing argument {hint}."),
                     "option": _("Missing option {hint}.")}  # fmt: skip
            return words.get(kind, _("Missing parameter {hint}.")).format(hint=hint)
        if isinstance(exc, errors.BadParameter):
            named = exc.param_hint or (exc.param.get_error_hint() if exc.param else "")
            where = named if isinstance(named, str) else " / ".join(named)
            from border21.cli._common import said
            from border21.ports.config import pydantic_reason  # Typer coerces with pydantic

            reason = said(pydantic_reason(str(exc.message)))
            return _("Invalid value for {hint}: {reason}").format(hint=where, reason=reason)
        text = str(exc.format_message())
        head, did, suggestions = text.partition(". Did you mean ")  # Typer's own suffix
        if did:
            return f"{head}. " + _("Did you mean {suggestions}?").format(
                suggestions=suggestions.rstrip("?")
            )
        return text

    format_error = rich_utils.rich_format_error

    def show(exc: Any) -> None:
        text = message(exc)
        exc.format_message = lambda: text  # this one error, in the CLI's language
        format_error(exc)

    formatting.HelpFormatter.write_usage = usage  # type: ignore[method-assign]
    rich_utils.rich_format_error = show  # type: ignore[assignment]


def _group_class() -> type[TyperGroup]:
    from typer.core import TyperGroup

    class Border21Group(TyperGroup):
        """Accepts ``--lang`` after a sub-command too, by moving it before the first."""

        def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
            lang, rest = split_lang(args)
            if lang is not None and not rest:  # `border21 --lang es`: the help, as bare `border21`
                rest = ["--help"]
            moved = [LANG_OPTION, lang] if lang is not None else []
            return super().parse_args(ctx, moved + rest)

    return Border21Group


def _version(value: bool) -> None:
    from border21 import __version__

    if value:
        typer.echo(f"border21 {__version__}")
        raise typer.Exit()


def _lang(ctx: typer.Context, value: str | None) -> str | None:
    """Install ``--lang`` as the process's language; restore the previous one on exit."""
    from border21.cli._common import fail
    from border21.i18n import ENV_VAR, use
    from border21.i18n import gettext as _

    if value is None:
        return None
    previous = os.environ.get(ENV_VAR)
    try:
        chosen = use(value)
    except ValueError:
        raise fail(
            _("{option} = {value!r}: not a supported language (en, es)").format(
                option=LANG_OPTION, value=value
            )
        ) from None

    def restore() -> None:  # in-process callers (tests) get their environment back
        if previous is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = previous

    ctx.call_on_close(restore)
    return chosen


def build() -> typer.Typer:
    """The ``border21`` app, its help in the language :func:`border21.i18n.resolve` gives now."""
    from border21.cli import (
        audit,
        border,
        calibrate,
        data,
        demo,
        frontier,
        indicators,
        ports,
        region,
        report,
        serve,
        simulate,
        staff,
        sweep,
        target,
        users,
    )
    from border21.i18n import gettext as _

    app = typer.Typer(
        name="border21",
        cls=_group_class(),
        help=_("Decision support for a 21st-century US–Mexico border."),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.add_typer(ports.app, name="ports")
    app.add_typer(border.app, name="border")
    app.add_typer(data.app, name="data")
    app.add_typer(indicators.app, name="indicators")
    # report and demo keep their own English help text; their one-line summaries here
    app.add_typer(
        report.app, name="report", help=_("Self-contained HTML reports over the warehouse.")
    )
    app.add_typer(target.app, name="target")
    app.add_typer(region.app, name="region")
    app.command("simulate", help=simulate.HELP)(simulate.simulate)
    app.command("frontier", help=frontier.HELP)(frontier.frontier)
    app.command("sweep", help=sweep.HELP)(sweep.sweep)
    app.command("staff", help=staff.HELP)(staff.staff)
    app.command("calibrate", help=calibrate.HELP)(calibrate.calibrate)
    app.command(
        "demo",
        help=_(
            "Run San Ysidro and Laredo under every policy and cooperation variant; write a report."
        ),
    )(demo.demo)
    app.command("serve", help=serve.HELP)(serve.serve)
    app.add_typer(users.app, name="users")
    app.add_typer(audit.app, name="audit")

    @app.callback()
    def main(
        version: bool = typer.Option(
            False, "--version", callback=_version, is_eager=True, help=_("Show the version.")
        ),
        lang: str | None = typer.Option(
            None,
            LANG_OPTION,
            callback=_lang,
            is_eager=True,
            metavar="en|es",
            show_default=False,
            help=_(
                "Language of help, messages and reports: en or es (default: $BORDER21_LANG, "
                "else en). Accepted after a sub-command too."
            ),
        ),
    ) -> None:
        """The root's own options (its help text is the Typer's ``help``, above)."""

    return app


def __getattr__(name: str) -> Any:
    if name == "app":  # built on first use, so `import border21.cli.main` stays light
        app = build()
        globals()["app"] = app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run() -> None:
    """Console-script entry point: the language first, then the commands in it."""
    from border21.i18n import DEFAULT, resolve, use
    from border21.i18n import gettext as _

    lang, _rest = split_lang(sys.argv[1:])
    try:
        chosen = use(lang)
    except ValueError:
        chosen = resolve()  # the --lang callback refuses it, in the language of the environment
    use_frame_language(chosen)
    command = typer.main.get_command(build())
    if chosen != DEFAULT:
        help_option_says(command, _("Show this message and exit."))
        speak_click()
    command()


def help_option_says(command: Any, text: str) -> None:
    """Every command's ``--help`` described by ``text``.

    Typer's copy of Click writes "Show this message and exit." without gettext;
    a command makes its help option once and keeps it, so setting the text on
    that option holds for the whole run.
    """
    option = command.get_help_option(typer.Context(command))
    if option is not None:
        option.help = text
    for sub in getattr(command, "commands", {}).values():
        help_option_says(sub, text)
