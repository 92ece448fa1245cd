"""`border21 calibrate`: fit a port scenario to CBP's published hourly waits."""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import cli_errors, console, err_console, ready_out, wrote
from border21.i18n import N_
from border21.i18n import gettext as _


def _months(text: str, field: str) -> tuple[int, ...]:
    from border21.errors import InputError

    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise InputError(field, text, _("expected comma-separated month numbers")) from None


HELP = _("Fit per-lane service times and staffing to CBP hourly waits; report held-out error.")


@cli_errors
def calibrate(
    port: str = typer.Argument(
        ..., help=_("Shipped scenario with observed waits: san_ysidro, el_paso_bota.")
    ),
    db: Path | None = typer.Option(
        None, "--db", help=_("Warehouse (built from samples if missing).")
    ),
    fit_months: str = typer.Option("1,3,5,7,9,11", "--fit-months", help=_("Months to fit on.")),
    holdout_months: str = typer.Option("2,4,6,8,10,12", "--holdout-months", help=_("Held out.")),
    year: int | None = typer.Option(None, "--year", help=_("BTS year for monthly volumes.")),
    days: int = typer.Option(3, "--days", min=1, help=_("Simulated days per grid point.")),
    hourly_rounds: int = typer.Option(
        4,
        "--hourly-rounds",
        min=0,
        help=_("Rounds of the hill-climb that fits open booths by hour (0: scales only)."),
    ),
    out: Path | None = typer.Option(
        None, "--out", help=_("Write the calibrated TOML, table, chart.")
    ),
) -> None:
    from rich.table import Table

    from border21.cli.data import warehouse_with_waits
    from border21.frontier.calibration import calibrate_port
    from border21.ports.catalog import load_scenario
    from border21.ports.limits import DEFAULT_LIMITS

    DEFAULT_LIMITS.check_counts(days=days, replications=1)
    DEFAULT_LIMITS.check_rounds(hourly_rounds)
    scenario = load_scenario(port)
    key = port.strip().lower().replace("-", "_")
    ready_out(out)
    with warehouse_with_waits(db) as store:
        err_console.print(_("fitting (grid search with common random numbers)…"))
        result = calibrate_port(
            store,
            key,
            scenario,
            fit_months=_months(fit_months, "--fit-months"),
            holdout_months=_months(holdout_months, "--holdout-months"),
            year=year,
            days=days,
            hourly_iterations=hourly_rounds,
        )
    table = Table(
        title=_("Calibration of {port} to CBP hourly waits").format(port=scenario.port.name)
    )
    for col in (
        N_("lane group"),
        N_("service ×"),
        N_("staffing ×"),
        N_("RMSE before"),
        N_("RMSE fit"),
        N_("RMSE held-out"),
        N_("corr fit"),
        N_("booths by hour"),
    ):
        table.add_column(_(col), justify="left" if col == "lane group" else "right")
    for f in result.fits:
        table.add_row(
            f.group,
            f"{f.service_scale:.2f}",
            f"{f.staffing_scale:.2f}",
            f"{f.rmse_before:.1f}",
            f"{f.rmse_fit:.1f}",
            f"{f.rmse_holdout:.1f}",
            f"{f.corr_fit:.2f}",
            f"{min(f.hourly_staffing)}–{max(f.hourly_staffing)}"
            if f.hourly_staffing
            else _("scaled"),
        )
    console.print(table)
    console.print(
        _(
            "fit months {fit}, held-out months {held}; errors in minutes of mean wait by hour."
        ).format(fit=list(result.fit_months), held=list(result.holdout_months))
    )
    if out is not None:
        write_calibration(result, out, key)
        wrote(out)


def write_calibration(result: object, out: Path, name: str) -> None:
    """Calibrated scenario as TOML, fits and profiles as CSV, the profile chart."""
    import tomli_w

    from border21.frontier.calibration import CalibrationResult
    from border21.frontier.charts import calibration_chart
    from border21.reports.charts import save_chart

    assert isinstance(result, CalibrationResult)
    out.mkdir(parents=True, exist_ok=True)
    data = result.scenario.model_dump(mode="json", exclude_none=True)
    (out / f"{name}_calibrated.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    result.table().to_csv(out / "fits.csv", index=False)
    result.profiles.to_csv(out / "profiles.csv", index=False)
    save_chart(calibration_chart(result.profiles), out / "profiles.png")
    save_chart(calibration_chart(result.profiles), out / "profiles.html")
