"""`border21 demo`: the main job — calibrated ports, targeting, cooperation, one report.

Its report and messages are in the program's language (``--lang``, else ``BORDER21_LANG``,
else English: :func:`border21.i18n.resolve`); its help in the language of the
environment, read when the command is defined.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer

from border21.cli._common import cli_errors, console, err_console, print_marked_note, said
from border21.i18n import N_, resolve, translate


def _(message: str) -> str:
    """``message`` in the environment's language (Typer reads help text at import)."""
    return translate(resolve(), message)


LANG_HELP = _("Language of the report and messages: en or es (else BORDER21_LANG, else en).")


@cli_errors
def demo(
    db: Path | None = typer.Option(
        None, "--db", help=_("Warehouse (built from samples if missing).")
    ),
    out: Path = typer.Option(
        Path("border21-demo.html"), "--out", help=_("Where to write the HTML report.")
    ),
    replications: int = typer.Option(
        30,
        "--replications",
        "-r",
        min=2,
        help=_("Replications (30: headline intervals within ±5 pp caught, ±10% delay)."),
    ),
    days: int = typer.Option(1, "--days", min=1, help=_("Simulated days per replication.")),
    seed: int = typer.Option(2026, "--seed", min=0, help=_("Root seed.")),
    lang: str | None = typer.Option(None, "--lang", help=LANG_HELP),
) -> None:
    """Run San Ysidro and Laredo under every policy and cooperation variant; write a report."""
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from border21.cli.data import resolve_db
    from border21.data.store import open_store
    from border21.frontier.demo import DemoPlan, run_demo

    language = resolve(lang)
    _ = partial(translate, language)
    started = time.perf_counter()
    plan = DemoPlan(replications=replications, days=days, seed=seed)
    path = resolve_db(db)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with open_store(path) as store, Progress(*columns, console=err_console) as bar:
        task = bar.add_task(_("warehouse"), total=None)
        if not store.sql("SELECT count(*) AS n FROM loads")["n"].iloc[0]:
            from border21.data.samples import load_samples

            bar.update(task, description=_("building the warehouse at {path}", path=path))
            load_samples(store)

        def progress(message: str, done: int, total: int) -> None:
            description = translate(language, message)  # the demo's steps are messages
            bar.update(task, description=description, completed=done, total=total or None)

        result = run_demo(store, plan, progress=progress)
        bar.update(task, description=_("writing the report"), completed=0, total=None)
        write_report(store, result, out, lang=language)
    print_summary(result, lang=language)
    seconds = f"{time.perf_counter() - started:.0f}"
    console.print(_("report: {out}  ({seconds} s)", out=out, seconds=seconds), highlight=False)


# Typer reads the command's help from its docstring: in the environment's language
demo.__doc__ = _(
    "Run San Ysidro and Laredo under every policy and cooperation variant; write a report."
)

# variants' short names in the console tables (messages: each language its own, to fit)
SHORT_VARIANT = {
    "shared_intelligence": N_("shared intel"),
    "ucp": N_("UCP"),
    "enrolment": N_("enrolment"),
}


def print_summary(result: object, *, lang: str = "en") -> None:
    """One table per port: variant × policy at the report budget (fits 80 columns), in
    ``lang``."""
    from rich.table import Table

    from border21.frontier.demo import DemoResult
    from border21.frontier.sweep import precision
    from border21.reports.terms import term
    from border21.stats import NONNEGATIVE, OUT_OF_RANGE_NOTE, PERCENT, pm

    _ = partial(translate, lang)
    assert isinstance(result, DemoResult)
    cells: list[str] = []
    summary = result.summary()
    budget = 100 * result.plan.report_budget
    days = result.plan.days
    names = {out.name: out.port for out in result.ports}
    for port, rows in summary.groupby("port", sort=False):
        flows = [("northbound", "")]
        if "sb_mean_wait_min" in rows and rows["sb_mean_wait_min"].notna().any():
            flows.append(("southbound", "sb_"))
        for flow, p in flows:
            table = Table(
                title=_(
                    "{port}, {flow}, at a {budget}% inspection budget",
                    port=names[str(port)], flow=term(lang, flow), budget=format(budget, "g"),
                )
            )  # fmt: skip
            words = (_("variant"), _("policy"))
            numbers = (_("caught %"), _("wait min"), _("licit/1k"), _("delay $k/day"))
            for col in words + numbers:
                table.add_column(col, justify="left" if col in words else "right")
            for r in rows.to_dict("records"):
                figures = [
                    pm(
                        100 * r[f"{p}detection_rate"],
                        100 * r[f"{p}detection_rate_ci95"],
                        "{:.0f}",
                        PERCENT,
                    ),
                    *(
                        pm(r[f"{p}{k}"] / scale, r[f"{p}{k}_ci95"] / scale, fmt, NONNEGATIVE)
                        for k, scale, fmt in (
                            ("mean_wait_min", 1, "{:.1f}"),
                            ("licit_per_1000", 1, "{:.0f}"),
                            ("delay_cost_usd", days * 1e3, "{:,.0f}"),
                        )
                    ),
                ]
                cells += figures
                table.add_row(
                    _short(str(r["variant"]), lang), term(lang, str(r["policy"])), *figures
                )
            console.print(table)
    for out in result.ports:
        at = out.frontier[(out.frontier["rate"] - result.plan.report_budget).abs() < 1e-9]
        for marks, rows in at[at["unstable"] != ""].groupby("unstable", sort=False):
            variants = ", ".join(dict.fromkeys(_short(v, lang) for v in rows["variant"]))
            warning = _(
                "{port} at {budget}% ({variants}): exam queue overloaded: {marks}; the report "
                "lists every queue and budget",
                port=names[out.name], budget=format(budget, "g"), variants=variants, marks=marks,
            )  # fmt: skip
            label = _("warning:")
            err_console.print(f"[yellow]{label}[/] {warning}", highlight=False)
        for note in precision(out.frontier).notes():
            console.print(f"{names[out.name]}: {said(note)}", highlight=False)
    if lang == "en":
        print_marked_note(cells)
    elif any(c.endswith("‡") for c in cells):
        console.print(translate(lang, OUT_OF_RANGE_NOTE), highlight=False)
    auc = ", ".join(f"{term(lang, k)} {v:.3f}" for k, v in result.model_auc.items())
    console.print(
        _(
            "Each flow in its own table (northbound: drugs and contraband; southbound: firearms "
            "and currency, with Mexico's import semáforo), never averaged together; ± 95% "
            "intervals over {replications} replications. Waits at primary; delay cost includes "
            "secondary and Mexican exams. Targeting model AUC on fresh traffic: {auc}.",
            replications=result.plan.replications, auc=auc,
        )
    )  # fmt: skip


def _short(variant: str, lang: str) -> str:
    """A variant's name in a console table, in ``lang``: short where it is long."""
    from border21.reports.terms import term

    if variant in SHORT_VARIANT:
        return translate(lang, SHORT_VARIANT[variant])
    return term(lang, variant)


def write_report(store: object, result: object, out: Path, *, lang: str = "en") -> None:
    """One self-contained HTML file in ``lang``: demo sections, then the warehouse trends."""
    from border21.data.store import Store
    from border21.frontier.demo import DemoResult, report_sections
    from border21.reports.trends import build_sections, render_html

    assert isinstance(store, Store) and isinstance(result, DemoResult)
    provenance = store.sql(
        """SELECT source, file_name, left(sha256, 12) AS sha256, rows_read, rows_loaded,
                  rows_quarantined FROM loads ORDER BY load_id"""
    )
    sections = report_sections(result, lang) + build_sections(store, lang)
    title = translate(lang, REPORT_TITLE)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(sections, provenance, title=title, lang=lang), encoding="utf-8")


REPORT_TITLE = N_("border21: a 21st-century border, measured")
