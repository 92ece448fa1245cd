"""`border21 indicators` commands: trends, ratios and program effects over the warehouse.

Every command prints a table (or CSV/JSON with ``--format``) and can also write
a chart with ``--chart FILE`` (.html self-contained, .svg, .png or .json).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from border21.cli._common import cli_errors, console, said
from border21.cli.data import DbOption, print_frame, resolve_db
from border21.i18n import gettext as _

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    help=_("Indicators: crossings, trade, vehicle mix, waits, seizures, homicides, effects."),
    no_args_is_help=True,
)

ChartOption = typer.Option(None, "--chart", help=_("Also write a chart (.html/.svg/.png/.json)."))
FormatOption = typer.Option("table", "--format", help=_("table, csv or json."))
LimitOption = typer.Option(
    40, "--limit", min=1, help=_("Table rows shown (latest); csv/json: all.")
)


def _open(db: Path | None) -> Any:
    from border21.data.store import open_store

    return open_store(resolve_db(db), read_only=True)


def _emit(frame: pd.DataFrame, fmt: str, limit: int, title: str) -> None:
    if fmt == "table" and len(frame) > limit:
        shown = _("showing the last {n} of {total} rows (use --format csv)").format(
            n=limit, total=len(frame)
        )
        console.print(f"[dim]{shown}[/]")
        frame = frame.tail(limit)
    print_frame(frame, fmt, title=title)


def _chart(chart: Any, path: Path | None) -> None:
    if path is not None:
        from border21.reports.charts import save_chart

        save_chart(chart, path)
        console.print(_("chart: {path}").format(path=path), highlight=False)


def _time_output(
    store: Any,
    frame: pd.DataFrame,
    *,
    y: str,
    title: str,
    chart: Path | None,
    fmt: str,
    limit: int,
    color: str = "group",
) -> None:
    from border21.data.indicators import events

    if chart is not None:
        from border21.reports.charts import time_chart

        _chart(time_chart(frame, y=y, color=color, title=title, events=events(store)), chart)
    _emit(frame, fmt, limit, title)


@app.command(
    help=_("Inbound crossings by port/state/measure and period, with year-over-year change.")
)
@cli_errors
def crossings(
    measure: list[str] = typer.Option(
        ["Personal Vehicles"], "--measure", help=_("BTS measure(s).")
    ),
    by: str = typer.Option("border", "--by", help=_("border, port, state, measure, field_office.")),
    freq: str = typer.Option("month", "--freq", help=_("month or year.")),
    port: list[str] = typer.Option([], "--port", help=_("Port code or name (repeatable).")),
    start: str | None = typer.Option(None, "--start", help=_("First month, e.g. 2005-01.")),
    end: str | None = typer.Option(None, "--end", help=_("Last month.")),
    sa: bool = typer.Option(False, "--sa", help=_("Add STL trend and seasonally adjusted value.")),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.crossings(
            store, measure=measure, by=by, freq=freq, ports=port or None, start=start, end=end
        )
        if sa:
            if freq != "month":
                from border21.errors import InputError

                raise InputError("--sa", True, _("seasonal adjustment needs --freq month"))
            frame = ind.seasonal_adjust(frame)
        y = "adjusted" if sa else "value"
        _time_output(
            store,
            frame,
            y=y,
            title=_("{measure} by {by}").format(measure=", ".join(measure), by=by),
            chart=chart,
            fmt=fmt,
            limit=limit,
        )


@app.command(
    help=_("US trade with Mexico (BTS TransBorder) by trade type, mode, port or Mexican state.")
)
@cli_errors
def trade(
    by: str = typer.Option("trade_type", "--by", help=_("trade_type, mode, port, mx_state.")),
    freq: str = typer.Option("year", "--freq", help=_("month or year.")),
    country: str = typer.Option("Mexico", "--country", help=_("Mexico or Canada.")),
    sa: bool = typer.Option(False, "--sa", help=_("Add STL trend/adjusted (monthly only).")),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.trade(store, by=by, freq=freq, country=country)
        if sa:
            frame = ind.seasonal_adjust(frame, value="value_usd")
        _time_output(
            store,
            frame,
            y="adjusted" if sa else "value_usd",
            title=_("US trade with {country} by {by}").format(country=country, by=by),
            chart=chart,
            fmt=fmt,
            limit=limit,
        )


@app.command(help=_("Trucks versus personal vehicles (truck share)."))
@cli_errors
def mix(
    by: str = typer.Option("border", "--by", help=_("border, port, state, field_office.")),
    freq: str = typer.Option("year", "--freq", help=_("month or year.")),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.vehicle_mix(store, by=by, freq=freq)
        _time_output(
            store,
            frame,
            y="truck_share",
            title=_("Truck share by {by}").format(by=by),
            chart=chart,
            fmt=fmt,
            limit=limit,
        )


@app.command(help=_("Average wait to primary by hour of day for one port and lane."))
@cli_errors
def waits(
    port: str = typer.Option("San Ysidro", "--port", help=_("Wait-time port (substring match).")),
    lane: str = typer.Option("Passenger", "--lane", help=_("Passenger, Pedestrian, Commercial.")),
    sub_lane: str = typer.Option("General", "--sub-lane", help=_("General, Ready, Nexus/Sentri.")),
    month: int | None = typer.Option(
        None, "--month", min=1, max=12, help=_("Only this month, 1–12 (default: all).")
    ),
    weekday: int | None = typer.Option(None, "--weekday", min=0, max=6, help=_("0 = Sunday.")),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
) -> None:
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.hourly_wait_profile(
            store, port, lane=lane, sub_lane=sub_lane, month=month, weekday=weekday
        )
    if chart is not None:
        from border21.reports.charts import xy_chart

        _chart(
            xy_chart(
                frame.assign(port=port),
                x="hour",
                y="wait_minutes",
                color="port",
                title=_("{port} {lane}/{sub_lane}: wait by hour").format(
                    port=port, lane=lane, sub_lane=sub_lane
                ),
            ),
            chart,
        )
    title = _("{port} {lane}/{sub_lane} wait by hour").format(
        port=port, lane=lane, sub_lane=sub_lane
    )
    print_frame(frame, fmt, title=title)


@app.command(
    "wait-volume",
    help=_("Monthly mean wait (general passenger lanes) against the port's monthly volume."),
)
@cli_errors
def wait_volume(
    first_year: int = typer.Option(2019, "--from", help=_("First year of BTS volumes averaged.")),
    last_year: int = typer.Option(2024, "--to", help=_("Last year of BTS volumes averaged.")),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
) -> None:
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.wait_vs_volume(store, volume_years=(first_year, last_year))
    monthly = frame.groupby(["port", "port_code", "month"], as_index=False).agg(
        wait_minutes=("wait_minutes", "mean"), monthly_volume=("monthly_volume", "first")
    )
    if chart is not None:
        from border21.reports.charts import xy_chart

        _chart(
            xy_chart(
                monthly,
                x="monthly_volume",
                y="wait_minutes",
                color="port",
                title=_("Mean wait vs monthly personal-vehicle volume"),
                line=False,
            ),
            chart,
        )
    print_frame(monthly, fmt, title=_("wait vs volume by port and month"))


@app.command(
    "wait-hourly",
    help=_(
        "Hourly vehicles processed, lanes open and wait by lane type (needs `data load hourly`)."
    ),
)
@cli_errors
def wait_hourly(
    port: str = typer.Option("San Ysidro", "--port", help=_("Port with an hourly profile loaded.")),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
) -> None:
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.hourly_wait_vs_volume(store, port)
    if chart is not None:
        from border21.reports.charts import xy_chart

        _chart(
            xy_chart(frame, x="volume", y="wait_minutes", color="lane_type", line=False,
                     title=_("{port}: wait vs vehicles processed per hour").format(port=port)),
            chart,
        )  # fmt: skip
    print_frame(frame, fmt, title=_("{port}: hourly volume, lanes and wait").format(port=port))


@app.command(
    help=_("OFO seizure events per 1,000 inbound crossings by field office and fiscal year.")
)
@cli_errors
def seizures(
    drug: str | None = typer.Option(None, "--drug", help=_("Drug type, e.g. Fentanyl.")),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    import pandas as pd

    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.seizures_per_1000_crossings(store, drug=drug)
        if chart is not None:
            plot = frame.assign(period=pd.to_datetime(frame["fiscal_year"].astype(str) + "-01-01"))
            from border21.reports.charts import time_chart

            _chart(
                time_chart(
                    plot,
                    y="per_1000",
                    color="region",
                    events=ind.events(store),
                    title=_("Seizure events per 1,000 crossings"),
                ),
                chart,
            )
    _emit(frame, fmt, limit, _("seizures per 1,000 crossings"))


@app.command(help=_("Border Patrol apprehensions by region or sector."))
@cli_errors
def apprehensions(
    by: str = typer.Option("region", "--by", help=_("region or sector.")),
    freq: str = typer.Option("fiscal_year", "--freq", help=_("fiscal_year or month.")),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.apprehensions(store, by=by, freq=freq)
        _time_output(
            store,
            frame,
            y="value",
            title=_("Apprehensions by {by}").format(by=by),
            chart=chart,
            fmt=fmt,
            limit=limit,
        )


@app.command(
    help=_("Homicide rate per 100,000 (INEGI / CONAPO) for border, interior or named states.")
)
@cli_errors
def homicides(
    states: list[str] = typer.Option(
        ["border"], "--state", help=_("border, interior, all, or state names/codes (repeatable).")
    ),
    freq: str = typer.Option("year", "--freq", help=_("year or month (annualised).")),
    by_state: bool = typer.Option(False, "--by-state", help=_("One row per state.")),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    import pandas as pd

    from border21.data import indicators as ind

    keywords = {"border", "interior", "all"}
    with _open(db) as store:
        parts = [
            ind.homicide_rate(store, states=s, freq=freq, by_state=by_state)
            for s in states
            if s in keywords
        ]
        named = [s for s in states if s not in keywords]
        if named:
            parts.append(ind.homicide_rate(store, states=named, freq=freq))
        frame = pd.concat(parts, ignore_index=True)
        _time_output(
            store,
            frame,
            y="rate_per_100k",
            title=_("Homicides per 100,000"),
            chart=chart,
            fmt=fmt,
            limit=limit,
        )


@app.command(
    help=_("Reporting gaps in the crossings series (runs of all-zero months), never filled.")
)
@cli_errors
def gaps(
    min_months: int = typer.Option(
        3, "--min-months", min=1, help=_("Shortest run of all-zero months reported.")
    ),
    db: Path | None = DbOption,
    fmt: str = FormatOption,
) -> None:
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.crossing_gaps(store, min_months=min_months)
    print_frame(frame, fmt, title=_("crossings reporting gaps"))


@app.command(help=_("The program and events timeline, with a source for each date."))
@cli_errors
def events(db: Path | None = DbOption, fmt: str = FormatOption) -> None:
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.events(store)
    print_frame(frame[["event_date", "title", "category", "date_precision", "source_url"]], fmt)


@app.command(
    help=_(
        "Program effect (ITS, border-vs-interior DiD, synthetic control or staggered "
        "event-study DiD): p-value and interval calibrated by placebos, and the "
        "diagnostics every estimate carries."
    )
)
@cli_errors
def effect(
    series: str = typer.Option(
        ..., "--series", help=_("homicides, crossings, apprehensions, seizures, trade.")
    ),
    event: str = typer.Option(
        ...,
        "--event",
        help=_(
            "Event month, e.g. 2008-03, or an event id; staggered: a program (joint_operations)."
        ),
    ),
    method: str = typer.Option(
        "its",
        "--method",
        help=_(
            "its (interrupted time series), did (border vs interior), synth (synthetic "
            "control of one --state or --port) or staggered (Callaway–Sant'Anna event study)."
        ),
    ),
    state: str | None = typer.Option(
        None, "--state", help=_("homicides: state, border, interior.")
    ),
    port: str | None = typer.Option(None, "--port", help=_("crossings: port code or name.")),
    measure: str = typer.Option("Personal Vehicles", "--measure", help=_("crossings: measure.")),
    region: str = typer.Option(
        "Southwest Border", "--region", help=_("apprehensions: region/sector.")
    ),
    drug: str | None = typer.Option(None, "--drug", help=_("seizures: drug type.")),
    trade_type: str = typer.Option("Import", "--trade-type", help=_("trade: Import or Export.")),
    donor: list[str] = typer.Option(
        [],
        "--donor",
        help=_(
            "synth: donor state or port (repeatable; default: states no Joint Operation "
            "reached, or every other port)."
        ),
    ),
    window: int = typer.Option(
        60,
        "--window",
        min=0,
        help=_("Months each side (0 = all data); staggered: event times of ±window/12 years."),
    ),
    alpha: float = typer.Option(0.05, "--alpha", min=0.001, max=0.5, help=_("1 − CI level.")),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
) -> None:
    from border21.errors import InputError

    methods = ("its", "did", "synth", "staggered")
    if method not in methods:
        raise InputError(
            "--method", method, _("must be one of {choices}").format(choices=", ".join(methods))
        )
    if donor and method != "synth":
        raise InputError("--donor", donor[0], _("applies to --method synth only"))
    if method in ("synth", "staggered"):
        _refuse_unused(method, series, state=state, port=port, drug=drug, region=region,
                       trade_type=trade_type, measure=measure)  # fmt: skip
        with _open(db) as store:
            _design_effect(store, method, series, event, state=state, port=port,
                           measure=measure, donors=donor, window=window, alpha=alpha,
                           chart=chart, fmt=fmt)  # fmt: skip
        return
    _its_or_did(series=series, event=event, method=method, state=state, port=port,
                measure=measure, region=region, drug=drug, trade_type=trade_type,
                window=window, alpha=alpha, chart=chart, db=db, fmt=fmt)  # fmt: skip


def _refuse_unused(
    method: str, series: str, *, state: str | None, port: str | None, drug: str | None,
    region: str, trade_type: str, measure: str,
) -> None:  # fmt: skip
    """The synth and staggered designs name their unit with --state or --port only."""
    from border21.errors import InputError

    unused: list[tuple[str, object]] = [("--drug", drug)]
    unused += [("--region", region if region != "Southwest Border" else None)]
    unused += [("--trade-type", trade_type if trade_type != "Import" else None)]
    if method == "staggered" or series != "crossings":
        unused += [("--measure", measure if measure != "Personal Vehicles" else None)]
    if method == "staggered":
        unused += [("--state", state), ("--port", port)]
    elif series == "homicides":
        unused += [("--port", port)]
    elif series == "crossings":
        unused += [("--state", state)]
    for flag, value in unused:
        if value is not None:
            raise InputError(
                flag,
                value,
                _("does not apply to --method {method} --series {series}").format(
                    method=method, series=series
                ),
            )


def _design_effect(
    store: Any, method: str, series: str, event: str, *, state: str | None,
    port: str | None, measure: str, donors: list[str], window: int, alpha: float,
    chart: Path | None, fmt: str,
) -> None:  # fmt: skip
    from border21.errors import InputError

    est: Any
    if method == "synth":
        from border21.data.synth import SYNTH_SERIES, estimate_synth

        if series not in SYNTH_SERIES:
            raise InputError(
                "--series",
                series,
                _("synth runs on {series}").format(series=_(" or ").join(SYNTH_SERIES)),
            )
        treated = state if series == "homicides" else port
        if treated is None:
            flag = "--state" if series == "homicides" else "--port"
            raise InputError(
                flag, None, _("--method synth needs the treated unit ({flag})").format(flag=flag)
            )
        est = estimate_synth(
            store, series, treated, event, donors=donors or None, measure=measure,
            window_months=window or None, alpha=alpha,
        )  # fmt: skip
    else:
        from border21.data.staggered import estimate_staggered

        est = estimate_staggered(store, series, event, window_months=window or None, alpha=alpha)
    if chart is not None:
        from border21.reports.charts import event_study_chart, synth_chart

        _chart(synth_chart(est) if method == "synth" else event_study_chart(est), chart)
    _print_estimate(est.as_dict(), fmt, est.method, est.caveat)
    if method == "staggered" and fmt == "table":
        frame = est.event_times.round(4)
        print_frame(frame, fmt, title=_("effect by event time (years from adoption)"))


def _cell(item: Any) -> str:
    """One list item of an estimate as text: event-time effects as ``e: att [lo, hi]``."""
    if isinstance(item, dict):
        lo, hi = (f"{v:.4g}" if v is not None else "∞" for v in (item["ci_low"], item["ci_high"]))
        return f"{item['event_time']:+d}: {item['att']:.4g} [{lo}, {hi}]"
    return str(item)


def _print_estimate(row: dict[str, Any], fmt: str, title: str, caveat: str) -> None:
    import pandas as pd

    from border21.i18n import resolve
    from border21.i18n.message import localize

    row, caveat = localize(row, resolve()), said(caveat)  # the core's words, in the CLI's
    if fmt != "json":  # lists as one cell; the warnings are the caveat's parts
        row = {k: "; ".join(map(_cell, v)) if isinstance(v, list) else v for k, v in row.items()}
        row.pop("warnings")
    print_frame(
        pd.DataFrame([row]).T.reset_index().set_axis([_("field"), _("value")], axis=1)
        if fmt == "table"
        else pd.DataFrame([row]),
        fmt,
        title=title,
    )
    if fmt == "table" and caveat:
        console.print(caveat, highlight=False)


def _its_or_did(
    *, series: str, event: str, method: str, state: str | None, port: str | None,
    measure: str, region: str, drug: str | None, trade_type: str, window: int,
    alpha: float, chart: Path | None, db: Path | None, fmt: str,
) -> None:  # fmt: skip
    from border21.data import effects as eff
    from border21.data import indicators as ind
    from border21.errors import InputError

    if method == "did":
        if series != "homicides":
            raise InputError(
                "--method", method, _("difference-in-differences is for --series homicides")
            )
        for flag, value in (("--state", state), ("--port", port), ("--drug", drug)):
            if value is not None:  # the DiD panel is always border vs interior states
                raise InputError(flag, value, _("does not apply to --method did"))
    selection = (
        {"state": state, "port": port, "measure": measure, "region": region, "drug": drug,
         "trade_type": trade_type} if method == "its" else {}
    )  # fmt: skip
    with _open(db) as store:
        est = eff.estimate_effect(
            store, series, event, method=method, window_months=window or None, alpha=alpha,
            **selection,
        )  # fmt: skip
        if chart is not None:
            from border21.reports.charts import effect_chart

            _chart(effect_chart(est, events=ind.events(store)), chart)
    _print_estimate(est.as_dict(), fmt, est.method, est.diagnostics.caveat)
