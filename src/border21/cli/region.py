"""`border21 region`: the ports travellers choose among, solved to equilibrium."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import typer

from border21.cli._common import cli_errors, console
from border21.i18n import N_
from border21.i18n import gettext as _

app = typer.Typer(
    help=_("Regions: port choice, officers' lanes and their equilibrium."), no_args_is_help=True
)


MAX_TOLLS = 20  # a demand curve's points; each is one equilibrium (a few seconds)


def _tolls(text: str | None) -> list[float | None]:
    from border21.errors import InputError

    if text is None:
        return [None]
    try:
        tolls: list[float | None] = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError("--toll", text, _("expected USD[,USD…], e.g. 5 or 2.5,5,10")) from None
    if not 1 <= len(tolls) <= MAX_TOLLS:
        raise InputError(
            "--toll", text, _("expected 1–{most} tolls, comma-separated").format(most=MAX_TOLLS)
        )
    return tolls


@app.command(
    "simulate",
    help=_(
        "Solve REGION to equilibrium: flows and waits by port, segment and hour, with intervals."
    ),
)
@cli_errors
def simulate(
    region: str = typer.Argument(..., help=_("Shipped region name (san_diego) or a TOML file.")),
    days: int | None = typer.Option(
        None, "--days", help=_("Days simulated per iteration; waits are read on the last (1–14).")
    ),
    overrides: list[str] = typer.Option(
        [], "--set", help=_("Override a region key (key.path=value).")
    ),
    build: list[str] = typer.Option([], "--build", help=_("Open a build option (a planned port).")),
    toll: str | None = typer.Option(
        None, "--toll", help=_("Toll in USD at the built ports, every segment; a list runs each.")
    ),
    replications: int = typer.Option(
        3, "--replications", "-r", min=1, max=100, help=_("Replications for the waits' intervals.")
    ),
    seed: int = typer.Option(0, "--seed", min=0, help=_("Root seed.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the results as JSON on stdout.")),
) -> None:
    import json

    from border21.errors import InputError
    from border21.regions.config import load_region, with_toll
    from border21.regions.equilibrium import segment_bands, solve

    if toll is not None and not build:
        raise InputError("--toll", toll, _("needs --build: tolls are charged at a built port"))
    sets = list(overrides) + ([f"equilibrium.days={days}"] if days is not None else [])
    base = load_region(region, sets)
    base.open_ports(build)  # an unknown build option fails before any work
    # every toll is checked (finite, not negative) before the first equilibrium is solved
    tolls = _tolls(toll)
    chosen = [(usd, with_toll(base, build, usd) if usd is not None else base) for usd in tolls]
    results = [
        (usd, solve(r, build=build, seed=seed, replications=replications)) for usd, r in chosen
    ]
    if as_json:
        typer.echo(json.dumps([_as_dict(usd, r) for usd, r in results], indent=1))
        return
    bands = segment_bands(base, build)  # a toll moves no band
    for usd, result in results:
        _print(usd, result, bands)
    if len(results) > 1:
        _print_curve(results)


def _as_dict(usd: float | None, result: object) -> dict[str, object]:
    import dataclasses

    out = dataclasses.asdict(result)  # type: ignore[call-overload]
    out.update(result.summary(usd))  # type: ignore[attr-defined]
    out["port_totals"] = result.port_totals()  # type: ignore[attr-defined]
    out["forgone_per_day"] = result.forgone_per_day  # type: ignore[attr-defined]
    out["rows"] = [dataclasses.asdict(r) for r in result.rows]  # type: ignore[attr-defined]
    return out  # type: ignore[no-any-return]


def _print(
    usd: float | None,
    result: object,
    bands: Mapping[tuple[str, str], tuple[tuple[str, float, float], ...]],
) -> None:
    from rich.table import Table

    from border21.regions.equilibrium import DAILY, RegionResult, band_text
    from border21.stats import NONNEGATIVE, OUT_OF_RANGE_NOTE, pm

    assert isinstance(result, RegionResult)
    state = _("converged") if result.converged else _("NOT converged")
    toll = _(", toll {usd} USD").format(usd=f"{usd:g}") if usd is not None else ""
    console.print(
        f"[bold]{result.region}[/]{toll}: "
        + _(
            "{state} after {iterations} iterations, flow gap {gap}%, wait correction moving "
            "{moving} min; {seconds} s; seed {seed}, {reps} replications"
        ).format(
            state=state,
            iterations=result.iterations,
            gap=f"{100 * result.gap:.2f}",
            moving=f"{result.wait_change_minutes:.2f}",
            seconds=f"{result.seconds:.1f}",
            seed=result.seed,
            reps=result.replications,
        ),
        highlight=False,
    )
    headers = (
        N_("port"),
        N_("segment"),
        N_("crossings/day"),
        N_("mean wait (min)"),
        N_("peak hour wait (min)"),
        N_("officers' band (min)"),
    )
    table = Table()
    for h in headers:  # names whole: the figures fold first on an 80-column terminal
        table.add_column(_(h), overflow="fold", no_wrap=h in ("port", "segment"))
    unbanded = "—"  # said under the table: the lanes keep the scenario's schedule
    at = _("{wait} at {hour}")
    marked = False
    for port in result.ports:
        for seg in sorted({r.segment for r in result.rows if r.port == port and r.segment}):
            rows = [r for r in result.rows if r.port == port and r.segment == seg]
            day = next(r for r in rows if r.hour == DAILY)
            peak = max((r for r in rows if r.hour != DAILY), key=lambda r: r.wait_minutes)
            mean = pm(day.wait_minutes, day.wait_half_width, "{:.1f}", NONNEGATIVE)
            top = pm(peak.wait_minutes, peak.wait_half_width, "{:.0f}", NONNEGATIVE)
            marked = marked or mean.endswith("‡") or top.endswith("‡")
            table.add_row(port, seg, f"{day.arrivals:,.0f}", mean,
                          at.format(wait=top, hour=f"{peak.hour:02d}:00"),
                          band_text(bands.get((port, seg), ()), unbanded))  # fmt: skip
    console.print(table)
    if marked:
        console.print(_(OUT_OF_RANGE_NOTE), highlight=False)
    totals = result.port_totals()
    per_port = _("{port}: {n}/day")
    console.print(
        "  ".join(
            per_port.format(port=p, n=f"{port['crossings_per_day']:,.0f}")
            for p, port in totals.items()
        )
        + "  "
        + _("not travelling: {n}/day").format(n=f"{result.forgone_per_day:,.0f}"),
        highlight=False,
    )
    console.print(
        _(
            "± is the 95% interval over replications at the equilibrium's flows and lanes; "
            "--json gives every hour (hour -1: the day) and every banded lane group's booths."
        )
        + " "
        + _(
            "Officers' band: the wait a group's officers hold by opening and closing booths; "
            "— where its lanes keep the port scenario's booth schedule, so its waits follow "
            "that schedule, not the queue."
        ),
        highlight=False,
    )


def _print_curve(results: Sequence[tuple[float | None, object]]) -> None:
    """The demand curve: per toll, each segment's share by port (cars and trucks, and each
    lane program, apart: never pooled into one figure)."""
    from rich.table import Table

    from border21.regions.equilibrium import RegionResult

    ports = list(dict.fromkeys(p for _, r in results for p in r.ports))  # type: ignore[attr-defined]
    table = Table(title=_("Demand curve: each segment's share of travellers by port"))
    table.add_column(_("toll USD"), justify="right")
    table.add_column(_("segment"))
    for port in ports:
        table.add_column(port, justify="right")
    for usd, result in results:
        assert isinstance(result, RegionResult)
        for seg, share in result.shares().items():
            if seg != "all":
                cells = (f"{100 * share[p]:.1f}%" if share.get(p) else "—" for p in ports)
                table.add_row(f"{usd:g}", seg, *cells)
        table.add_section()
    console.print(table)
    console.print(
        _("Shares are the equilibrium's flows; each port's waits, ± their 95% intervals, are "
          "in each toll's table above (--json: share, share_by_segment, wait_min, "
          "wait_min_ci95)."),
        highlight=False,
    )  # fmt: skip


@app.command(
    "fit",
    help=_(
        "Fit REGION's bias constants to its counted crossings and measure it against CBP's "
        "hourly waits, months held out, beside the naive forecast."
    ),
)
@cli_errors
def fit(
    region: str = typer.Argument(..., help=_("Shipped region name (san_diego) or a TOML file.")),
    holdout: str = typer.Option(
        "3,6,9,12", "--holdout", help=_("Months held out of the fit (1–12, comma-separated).")
    ),
    rounds: int = typer.Option(
        4,
        "--rounds",
        help=_(
            "Rounds of the bias update, each one equilibrium (0–20; 0: as shipped, e.g. "
            "El Paso with San Diego's behaviour, the transfer)."
        ),
    ),
    search: int | None = typer.Option(
        None,
        "--search",
        help=_(
            "Candidates the officers' search may try (officers on duty by shift, band "
            "minima), shared among the staffs, each searched on its own target groups: half "
            "at random, half refining the best; a candidate is kept only if it beats the "
            "incumbent on six equilibria beyond their noise (0–200; 0: as shipped; default "
            "40, none with --rounds 0)."
        ),  # 40: regions.fit.DEFAULT_SEARCH (a test checks they agree)
    ),
    elasticities: bool = typer.Option(
        False,
        "--elasticities",
        help=_(
            "Also fit the hour-shift and no-travel elasticities: each pair of a small grid "
            "scored on six equilibria against the fit months; a pair is kept only if it beats "
            "off beyond the equilibria's noise (95% interval)."
        ),
    ),
    volume_year: int = typer.Option(
        0,
        "--volume-year",
        help=_(
            "Solve each month with its counted crossings of this year (e.g. 2020 for San "
            "Ysidro's waits, 2025 for El Paso's; 0: one average day for every month)."
        ),
    ),
    overrides: list[str] = typer.Option(
        [], "--set", help=_("Override a region key (key.path=value).")
    ),
    db: Path | None = typer.Option(
        None, "--db", help=_("Warehouse (built from samples if missing).")
    ),
    seed: int = typer.Option(0, "--seed", min=0, help=_("Root seed.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the results as JSON on stdout.")),
) -> None:
    import json

    from border21.cli.data import warehouse_with_waits
    from border21.errors import InputError
    from border21.regions.config import load_region
    from border21.regions.fit import fit_region

    try:
        months = tuple(int(m) for m in holdout.split(",") if m.strip())
    except ValueError:
        raise InputError("--holdout", holdout, _("expected months, e.g. 3,6,9,12")) from None
    chosen = load_region(region, list(overrides))
    with warehouse_with_waits(db) as store:
        result = fit_region(
            store, chosen, holdout=months, rounds=rounds, seed=seed, volume_year=volume_year,
            search=search, elasticities=elasticities, workers=min(2, os.cpu_count() or 1),
        )  # fmt: skip
    data = {
        "region": result.region,
        "bias_utils": result.bias_utils,
        "rounds": result.rounds,
        "holdout_months": list(months),
        "volume_year": result.volume_year,
        "equilibria": result.equilibria,
        "search": result.search,
        "elasticities": result.elasticities,
        "choice": result.choice,
        "officers": result.officers,
        "month_scales": result.month_scales,
        "sandag_2017": result.sandag_2017,
        "groups": result.groups,
    }
    if as_json:
        typer.echo(json.dumps(data, indent=1))
        return
    _print_fit(data)


def _num(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def _pm(value: float | None, half: float | None, fmt: str, bounds: tuple[float, float]) -> str:
    from border21.stats import pm

    nan = float("nan")
    return pm(nan if value is None else value, nan if half is None else half, fmt, bounds)


def _print_fit(data: dict[str, Any]) -> None:
    from rich.table import Table

    from border21.stats import CORRELATION, EQUILIBRIA_RANGE_NOTE, NONNEGATIVE

    last = data["rounds"][-1]["max_abs_log_ratio"] if data["rounds"] else 0.0
    console.print(
        _("{region}: bias constants {bias}; after {n} rounds the ports' crossings are within "
          "{pct}% of the counts").format(
            region=data["region"], n=len(data["rounds"]),
            bias="; ".join(
                f"{p} " + ", ".join(f"{s} {b:+.2f}" for s, b in by_segment.items())
                for p, by_segment in data["bias_utils"].items() if by_segment
            ),
            pct=format(100 * (math.exp(last) - 1), ".0f"),
        ),
        highlight=False,
    )  # fmt: skip
    held = data["rounds"][-1].get("held", {}) if data["rounds"] else {}
    if held:
        console.print(
            _("constants held, their volume no longer answering them (lanes at capacity; "
              "modelled against counted): {held}").format(
                held=", ".join(f"{k} {100 * (math.exp(-r) - 1):+.0f}%" for k, r in held.items())
            ),
            highlight=False,
        )  # fmt: skip
    for staff in dict.fromkeys(entry["staff"] for entry in data["search"]):
        stages = [entry for entry in data["search"] if entry["staff"] == staff]
        console.print(
            _("officers' search, {staff}: {n} candidates, score {score:.2f} on its targets; "
              "kept {knobs}").format(
                staff=staff, n=sum(entry["candidates"] for entry in stages),
                score=stages[-1]["objective"],
                knobs=", ".join(f"{k.split('.', 2)[2]} {v:g}" for k, v in stages[-1].items()
                                if k.startswith("ports.")),
            ),
            highlight=False, markup=False,  # the knobs' "[day]" is not a style
        )  # fmt: skip
    # two tables, not one of twelve columns: each reads whole on an 80-column terminal
    profile = Table(
        title=_("Against CBP's waits: the hour-of-day profile"),
        caption=_(
            "± 95% intervals over the prediction's {n} equilibria (the modelled mean: t; the "
            "profile's MAE and correlation: jackknife)"
        ).format(n=data["equilibria"]),
    )
    cells = Table(
        title=_("Against CBP's waits: month × weekday × hour cells, mean absolute error (min)"),
        caption=_(
            "naive: the fit months' weekday × hour averages; known: the naive forecast scaled "
            "by each month's true mean wait; near: scaled by the mean of the fit months "
            "either side of it (a persistence forecast); r: the monthly mean waits' "
            "correlation with the counted crossings"
        ),
    )
    for col in (_("port"), _("segment"), _("months"), _("observed mean"), _("modelled mean"),
                _("MAE (min)"), _("correlation"), _("target")):  # fmt: skip
        profile.add_column(col, overflow="fold")
    for k, col in enumerate((_("port"), _("segment"), _("months"), _("model"), _("naive"),
                             _("known"), _("near"), "r")):  # fmt: skip
        cells.add_column(col, overflow="fold", no_wrap=k < 2)  # names whole; figures fold
    marked = False
    for g in data["groups"]:
        split = _("fit") if g["split"] == "fit" else _("held out")
        spread = (
            _pm(g["modelled_mean_min"], g["modelled_mean_ci95"], "{:.1f}", NONNEGATIVE),
            _pm(g["mae_min"], g["mae_ci95"], "{:.1f}", NONNEGATIVE),
            _pm(g["corr"], g["corr_ci95"], "{:.2f}", CORRELATION),
        )
        marked = marked or any(cell.endswith("‡") for cell in spread)
        profile.add_row(g["port"], g["lane_group"], split, f"{g['observed_mean_min']:.1f}",
                        *spread, _("yes") if g["target"] else _("no"))  # fmt: skip
        cells.add_row(
            g["port"], g["lane_group"], split, f"{g['cell_mae_min']:.1f}",
            _num(g["naive_cell_mae_min"], ".1f"), _num(g["naive_known_level_cell_mae_min"], ".1f"),
            _num(g["naive_neighbour_level_cell_mae_min"], ".1f"),
            _num(g["volume_wait_corr"], ".2f"),
        )  # fmt: skip
    console.print(profile)
    if marked:
        console.print(_(EQUILIBRIA_RANGE_NOTE))
    unbanded = list(dict.fromkeys(f"{g['port']} {g['lane_group']}" for g in data["groups"]
                                  if not g["banded"]))  # fmt: skip
    if unbanded:
        console.print(
            _("No officers' band (their lanes keep the port scenario's booth schedule, so "
              "their waits follow it, not the queue): {groups}.").format(
                groups=", ".join(unbanded)),
            highlight=False,
        )  # fmt: skip
    console.print(cells)
    if data["sandag_2017"]:
        sandag = Table(
            title=_("Against SANDAG's observed 2017 weekday (Tuesday–Thursday; one day, "
                    "not held out): hourly waits and vehicles processed"),
            caption=_("± 95% intervals over the {n} equilibria solved for the prediction "
                      "(crossings a day: t; the rest: jackknife)").format(
                n=data["sandag_2017"][0]["equilibria"]),
        )  # fmt: skip
        for col in (_("port"), _("segment"), _("observed mean"), _("MAE (min)"),
                    _("correlation"), _("observed a day"), _("modelled a day"),
                    _("volumes, r"), _("target")):  # fmt: skip
            sandag.add_column(col, overflow="fold")
        sandag_marked = False
        for g in data["sandag_2017"]:
            against = (
                _pm(g["mae_min"], g["mae_ci95"], "{:.1f}", NONNEGATIVE),
                _pm(g["corr"], g["corr_ci95"], "{:.2f}", CORRELATION),
                f"{g['observed_per_day']:,.0f}",
                _pm(g["modelled_per_day"], g["modelled_per_day_ci95"], "{:,.0f}", NONNEGATIVE),
                _pm(g["volume_corr"], g["volume_corr_ci95"], "{:.2f}", CORRELATION),
            )
            sandag_marked = sandag_marked or any(cell.endswith("‡") for cell in against)
            sandag.add_row(g["port"], g["lane_group"], f"{g['observed_mean_min']:.1f}", *against,
                           _("yes") if g["target"] else _("no"))  # fmt: skip
        console.print(sandag)
        if sandag_marked:
            console.print(_(EQUILIBRIA_RANGE_NOTE))
    if data["elasticities"]:
        grid = Table(
            title=_("Hour-shift and no-travel elasticities: each pair against the fit months "
                    "(score: mean over the target groups of MAE + 25 × (1 − correlation))")
        )  # fmt: skip
        for col, most in ((_("shift an hour (min)"), 10), (_("not travel (min)"), 10),
                          (_("score"), None), (_("vs off (95% CI)"), None),
                          (_("did not travel"), 8), (_("chosen"), None)):  # fmt: skip
            grid.add_column(col, max_width=most)  # the interval's column keeps its width
        for e in data["elasticities"]:
            low, high = e["vs_off_ci95"]
            grid.add_row(
                _num(e["shift_hour_minutes"], ".0f"), _num(e["forgo_minutes"], ".0f"),
                f"{e['objective']:.2f}", f"{e['vs_off']:+.2f}\n({low:+.2f}…{high:+.2f})",
                f"{100 * e['forgone_share']:.1f}%", _("yes") if e["chosen"] else "",
            )  # fmt: skip
        console.print(grid)
    if data["volume_year"]:
        console.print(
            _("Each month solved with its counted crossings of {year} (the ports' demand "
              "scaled by the month's crossings a day over the year's mean).").format(
                year=data["volume_year"]
            ),
            highlight=False,
        )  # fmt: skip
    else:
        console.print(_("One average day for every month (--volume-year 0)."), highlight=False)
    console.print(
        _("The bar for a target group (observed mean at least 15 min), on held-out months: "
          "MAE at most 10 min and correlation at least 0.8 on the hour-of-day profile, and a "
          "cell MAE below the naive forecast's (the fit months' weekday × hour averages)."),
        highlight=False,
    )  # fmt: skip
