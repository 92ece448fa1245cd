"""`border21 indicators` commands: trends, ratios and program effects over the warehouse.

Every command prints a table (or CSV/JSON with ``--format``) and can also write
a chart with ``--chart FILE`` (.html self-contained, .svg, .png or .json).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from border21.cli._common import cli_errors, console
from border21.cli.data import DbOption, print_frame, resolve_db

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    help="Indicators: crossings, trade, vehicle mix, waits, seizures, homicides, effects.",
    no_args_is_help=True,
)

ChartOption = typer.Option(None, "--chart", help="Also write a chart (.html/.svg/.png/.json).")
FormatOption = typer.Option("table", "--format", help="table, csv or json.")
LimitOption = typer.Option(40, "--limit", min=1, help="Table rows shown (latest); csv/json: all.")


def _open(db: Path | None) -> Any:
    from border21.data.store import open_store

    return open_store(resolve_db(db), read_only=True)


def _emit(frame: pd.DataFrame, fmt: str, limit: int, title: str) -> None:
    if fmt == "table" and len(frame) > limit:
        console.print(f"[dim]showing the last {limit} of {len(frame)} rows (use --format csv)[/]")
        frame = frame.tail(limit)
    print_frame(frame, fmt, title=title)


def _chart(chart: Any, path: Path | None) -> None:
    if path is not None:
        from border21.reports.charts import save_chart

        save_chart(chart, path)
        console.print(f"chart: {path}", highlight=False)


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


@app.command()
@cli_errors
def crossings(
    measure: list[str] = typer.Option(["Personal Vehicles"], "--measure", help="BTS measure(s)."),
    by: str = typer.Option("border", "--by", help="border, port, state, measure, field_office."),
    freq: str = typer.Option("month", "--freq", help="month or year."),
    port: list[str] = typer.Option([], "--port", help="Port code or name (repeatable)."),
    start: str | None = typer.Option(None, "--start", help="First month, e.g. 2005-01."),
    end: str | None = typer.Option(None, "--end", help="Last month."),
    sa: bool = typer.Option(False, "--sa", help="Add STL trend and seasonally adjusted value."),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    """Inbound crossings by port/state/measure and period, with year-over-year change."""
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.crossings(
            store, measure=measure, by=by, freq=freq, ports=port or None, start=start, end=end
        )
        if sa:
            if freq != "month":
                from border21.errors import InputError

                raise InputError("--sa", True, "seasonal adjustment needs --freq month")
            frame = ind.seasonal_adjust(frame)
        y = "adjusted" if sa else "value"
        _time_output(
            store,
            frame,
            y=y,
            title=f"{', '.join(measure)} by {by}",
            chart=chart,
            fmt=fmt,
            limit=limit,
        )


@app.command()
@cli_errors
def trade(
    by: str = typer.Option("trade_type", "--by", help="trade_type, mode, port, mx_state."),
    freq: str = typer.Option("year", "--freq", help="month or year."),
    country: str = typer.Option("Mexico", "--country", help="Mexico or Canada."),
    sa: bool = typer.Option(False, "--sa", help="Add STL trend/adjusted (monthly only)."),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    """US trade with Mexico (BTS TransBorder) by trade type, mode, port or Mexican state."""
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.trade(store, by=by, freq=freq, country=country)
        if sa:
            frame = ind.seasonal_adjust(frame, value="value_usd")
        _time_output(
            store,
            frame,
            y="adjusted" if sa else "value_usd",
            title=f"US trade with {country} by {by}",
            chart=chart,
            fmt=fmt,
            limit=limit,
        )


@app.command()
@cli_errors
def mix(
    by: str = typer.Option("border", "--by", help="border, port, state, field_office."),
    freq: str = typer.Option("year", "--freq", help="month or year."),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    """Trucks versus personal vehicles (truck share)."""
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.vehicle_mix(store, by=by, freq=freq)
        _time_output(
            store,
            frame,
            y="truck_share",
            title=f"Truck share by {by}",
            chart=chart,
            fmt=fmt,
            limit=limit,
        )


@app.command()
@cli_errors
def waits(
    port: str = typer.Option("San Ysidro", "--port", help="Wait-time port (substring match)."),
    lane: str = typer.Option("Passenger", "--lane", help="Passenger, Pedestrian, Commercial."),
    sub_lane: str = typer.Option("General", "--sub-lane", help="General, Ready, Nexus/Sentri."),
    month: int | None = typer.Option(None, "--month", min=1, max=12),
    weekday: int | None = typer.Option(None, "--weekday", min=0, max=6, help="0 = Sunday."),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
) -> None:
    """Average wait to primary by hour of day for one port and lane."""
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
                title=f"{port} {lane}/{sub_lane}: wait by hour",
            ),
            chart,
        )
    print_frame(frame, fmt, title=f"{port} {lane}/{sub_lane} wait by hour")


@app.command("wait-volume")
@cli_errors
def wait_volume(
    first_year: int = typer.Option(2019, "--from", help="First year of BTS volumes averaged."),
    last_year: int = typer.Option(2024, "--to", help="Last year of BTS volumes averaged."),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
) -> None:
    """Monthly mean wait (general passenger lanes) against the port's monthly volume."""
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
                title="Mean wait vs monthly personal-vehicle volume",
                line=False,
            ),
            chart,
        )
    print_frame(monthly, fmt, title="wait vs volume by port and month")


@app.command("wait-hourly")
@cli_errors
def wait_hourly(
    port: str = typer.Option("San Ysidro", "--port", help="Port with an hourly profile loaded."),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
) -> None:
    """Hourly vehicles processed, lanes open and wait by lane type (needs `data load hourly`)."""
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.hourly_wait_vs_volume(store, port)
    if chart is not None:
        from border21.reports.charts import xy_chart

        _chart(
            xy_chart(frame, x="volume", y="wait_minutes", color="lane_type", line=False,
                     title=f"{port}: wait vs vehicles processed per hour"),
            chart,
        )  # fmt: skip
    print_frame(frame, fmt, title=f"{port}: hourly volume, lanes and wait")


@app.command()
@cli_errors
def seizures(
    drug: str | None = typer.Option(None, "--drug", help="Drug type, e.g. Fentanyl."),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    """OFO seizure events per 1,000 inbound crossings by field office and fiscal year."""
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
                    title="Seizure events per 1,000 crossings",
                ),
                chart,
            )
    _emit(frame, fmt, limit, "seizures per 1,000 crossings")


@app.command()
@cli_errors
def apprehensions(
    by: str = typer.Option("region", "--by", help="region or sector."),
    freq: str = typer.Option("fiscal_year", "--freq", help="fiscal_year or month."),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    """Border Patrol apprehensions by region or sector."""
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.apprehensions(store, by=by, freq=freq)
        _time_output(
            store,
            frame,
            y="value",
            title=f"Apprehensions by {by}",
            chart=chart,
            fmt=fmt,
            limit=limit,
        )


@app.command()
@cli_errors
def homicides(
    states: list[str] = typer.Option(
        ["border"], "--state", help="border, interior, all, or state names/codes (repeatable)."
    ),
    freq: str = typer.Option("year", "--freq", help="year or month (annualised)."),
    by_state: bool = typer.Option(False, "--by-state", help="One row per state."),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
    limit: int = LimitOption,
) -> None:
    """Homicide rate per 100,000 (INEGI / CONAPO) for border, interior or named states."""
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
            title="Homicides per 100,000",
            chart=chart,
            fmt=fmt,
            limit=limit,
        )


@app.command()
@cli_errors
def gaps(
    min_months: int = typer.Option(3, "--min-months", min=1),
    db: Path | None = DbOption,
    fmt: str = FormatOption,
) -> None:
    """Reporting gaps in the crossings series (runs of all-zero months), never filled."""
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.crossing_gaps(store, min_months=min_months)
    print_frame(frame, fmt, title="crossings reporting gaps")


@app.command()
@cli_errors
def events(db: Path | None = DbOption, fmt: str = FormatOption) -> None:
    """The program and events timeline, with a source for each date."""
    from border21.data import indicators as ind

    with _open(db) as store:
        frame = ind.events(store)
    print_frame(frame[["event_date", "title", "category", "date_precision", "source_url"]], fmt)


@app.command()
@cli_errors
def effect(
    series: str = typer.Option(
        ..., "--series", help="homicides, crossings, apprehensions, seizures, trade."
    ),
    event: str = typer.Option(
        ...,
        "--event",
        help="Event month, e.g. 2008-03, or an event id; staggered: a program (joint_operations).",
    ),
    method: str = typer.Option(
        "its",
        "--method",
        help="its (interrupted time series), did (border vs interior), synth (synthetic "
        "control of one --state or --port) or staggered (Callaway–Sant'Anna event study).",
    ),
    state: str | None = typer.Option(None, "--state", help="homicides: state, border, interior."),
    port: str | None = typer.Option(None, "--port", help="crossings: port code or name."),
    measure: str = typer.Option("Personal Vehicles", "--measure", help="crossings: measure."),
    region: str = typer.Option(
        "Southwest Border", "--region", help="apprehensions: region/sector."
    ),
    drug: str | None = typer.Option(None, "--drug", help="seizures: drug type."),
    trade_type: str = typer.Option("Import", "--trade-type", help="trade: Import or Export."),
    donor: list[str] = typer.Option(
        [],
        "--donor",
        help="synth: donor state or port (repeatable; default: states no Joint Operation "
        "reached, or every other port).",
    ),
    window: int = typer.Option(
        60,
        "--window",
        min=0,
        help="Months each side (0 = all data); staggered: event times of ±window/12 years.",
    ),
    alpha: float = typer.Option(0.05, "--alpha", min=0.001, max=0.5, help="1 − CI level."),
    chart: Path | None = ChartOption,
    db: Path | None = DbOption,
    fmt: str = FormatOption,
) -> None:
    """Program effect (ITS, border-vs-interior DiD, synthetic control or staggered
    event-study DiD): p-value and interval calibrated by placebos, and the diagnostics
    every estimate carries."""
    from border21.errors import InputError

    methods = ("its", "did", "synth", "staggered")
    if method not in methods:
        raise InputError("--method", method, f"must be one of {', '.join(methods)}")
    if donor and method != "synth":
        raise InputError("--donor", donor[0], "applies to --method synth only")
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
            raise InputError(flag, value, f"does not apply to --method {method} --series {series}")


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
            raise InputError("--series", series, f"synth runs on {' or '.join(SYNTH_SERIES)}")
        treated = state if series == "homicides" else port
        if treated is None:
            flag = "--state" if series == "homicides" else "--port"
            raise InputError(flag, None, f"--method synth needs the treated unit ({flag})")
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
        print_frame(frame, fmt, title="effect by event time (years from adoption)")


def _cell(item: Any) -> str:
    """One list item of an estimate as text: event-time effects as ``e: att [lo, hi]``."""
    if isinstance(item, dict):
        lo, hi = (f"{v:.4g}" if v is not None else "∞" for v in (item["ci_low"], item["ci_high"]))
        return f"{item['event_time']:+d}: {item['att']:.4g} [{lo}, {hi}]"
    return str(item)


def _print_estimate(row: dict[str, Any], fmt: str, title: str, caveat: str) -> None:
    import pandas as pd

    if fmt != "json":  # lists as one cell; the warnings are the caveat's parts
        row = {k: "; ".join(map(_cell, v)) if isinstance(v, list) else v for k, v in row.items()}
        row.pop("warnings")
    print_frame(
        pd.DataFrame([row]).T.reset_index().set_axis(["field", "value"], axis=1)
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
                "--method", method, "difference-in-differences is for --series homicides"
            )
        for flag, value in (("--state", state), ("--port", port), ("--drug", drug)):
            if value is not None:  # the DiD panel is always border vs interior states
                raise InputError(flag, value, "does not apply to --method did")
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
