"""The regions in the report: simulated against CBP's observed waits by hour, and the Otay
Mesa East demand curve by toll (docs/regions.md).

:func:`run_regions` solves what the sections show (about 20 s on two cores);
:func:`region_sections` draws them in a language.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from border21.i18n import DEFAULT, translate

if TYPE_CHECKING:
    import pandas as pd

    from border21.data.store import Store
    from border21.regions.equilibrium import RegionResult

BUILD = ("san_diego", "otay_mesa_east")  # the region with a planned port, and the port
TOLLS = (0.0, 5.0, 10.0, 20.0)
# Equilibria on independent seeds whose mean is each region's simulated profile: one
# equilibrium's booths follow its own path (San Ysidro's pedestrians waited 33.5 min on one
# against CBP's 19.6), so the report shows what `region fit` predicts, a mean of several, with
# the spread between them. `region fit` uses 6; 4 keep the demo under its 2 minutes.
EQUILIBRIA = 4


@dataclass(frozen=True)
class RegionRuns:
    """Each region's base equilibria (independent seeds) with CBP's observed hourly waits
    beside them, and the planned port's equilibria by toll."""

    base: dict[str, list[RegionResult]]
    observed: pd.DataFrame  # observed_profiles of every region's ports
    tolls: list[tuple[float, RegionResult]]
    build: str


def _solve(task: tuple[str, float | None, int, int]) -> RegionResult:
    """One equilibrium (a worker process's task): a region as shipped, or with the planned
    port built at a toll."""
    from border21.regions.config import load_region, with_toll
    from border21.regions.equilibrium import solve

    name, usd, seed, replications = task
    region = load_region(name)
    if usd is None:
        return solve(region, seed=seed, replications=replications)
    port = BUILD[1]
    return solve(with_toll(region, [port], usd), build=[port], seed=seed, replications=replications)


def run_regions(
    store: Store,
    *,
    regions: tuple[str, ...] = ("san_diego", "el_paso"),
    tolls: tuple[float, ...] = TOLLS,
    replications: int = 3,
    seed: int = 0,
    equilibria: int = EQUILIBRIA,
    workers: int | None = None,
) -> RegionRuns:
    """Solve every region as shipped on ``equilibria`` seeds (``seed``, ``seed`` + 1, …), and
    the planned port at each toll (on ``seed``), on ``workers`` processes (up to 2)."""
    import pandas as pd

    from border21.regions.fit import map_processes
    from border21.regions.observed import observed_profiles

    base_tasks = [
        (name, None, seed + i, replications) for name in regions for i in range(equilibria)
    ]
    toll_tasks = [(BUILD[0], float(usd), seed, replications) for usd in tolls]
    workers = min(2, os.cpu_count() or 1) if workers is None else workers
    solved = map_processes(_solve, [*base_tasks, *toll_tasks], workers)
    base = {name: solved[k * equilibria : (k + 1) * equilibria] for k, name in enumerate(regions)}
    observed = pd.concat(
        [observed_profiles(store, many[0].ports) for many in base.values()], ignore_index=True
    )
    runs = list(zip((float(usd) for usd in tolls), solved[len(base_tasks) :], strict=True))
    return RegionRuns(base=base, observed=observed, tolls=runs, build=BUILD[1])


def region_sections(runs: RegionRuns, lang: str = DEFAULT) -> list[Any]:
    """Two report sections: observed against simulated by hour, and the demand curve."""
    return [_observed_section(runs, lang), _curve_section(runs, lang)]


def _observed_section(runs: RegionRuns, lang: str) -> Any:
    import altair as alt
    import pandas as pd

    from border21.regions.config import load_region
    from border21.regions.equilibrium import band_text, segment_bands
    from border21.regions.observed import TARGET_MIN_OBSERVED, bar, compare
    from border21.reports.charts import Chart, to_records
    from border21.reports.trends import Section, _table
    from border21.stats import CORRELATION, EQUILIBRIA_RANGE_NOTE, NONNEGATIVE, pm

    _ = partial(translate, lang)
    profiles, tables = [], []
    for name, many in runs.base.items():
        both, table = compare(many, runs.observed, bar(name))
        profiles.append(both.assign(region=name))
        tables.append(table.assign(region=name))
    both = pd.concat(profiles, ignore_index=True)
    table = pd.concat(tables, ignore_index=True)
    observed, simulated = _("observed (CBP)"), _("simulated (hour the booth is reached)")
    long = pd.concat(
        [
            both.assign(series=observed, wait_min=both["observed_min"]),
            both.assign(series=simulated, wait_min=both["reported_min"]),
        ],
        ignore_index=True,
    )
    long = pd.concat([long, *_sandag_series(runs, both, simulated, _)], ignore_index=True)
    long["group"] = long["port"] + " · " + long["segment"]
    met = int(table["meets"].sum())
    targets = int(table["target"].sum())
    worst = table[table["target"]].sort_values("mae_min", ascending=False).head(1)
    furthest = (
        (worst["port"].iloc[0] + " · " + worst["segment"].iloc[0], worst["mae_min"].iloc[0])
        if len(worst) else ("—", float("nan"))
    )  # fmt: skip
    description = _(
        "Small multiples, one per port and segment with a published counterpart ({n}): "
        "CBP's observed mean wait by hour of day against the region's simulated one; {met} "
        "of {targets} target groups meet the bar, the furthest is {worst} ({mae} min off). "
        "The table below gives every figure.",
        n=long["group"].nunique(), met=met, targets=targets, worst=furthest[0],
        mae=format(float(furthest[1]), ".0f"),
    ) + " " + _(
        "SANDAG's observed 2017 weekday is drawn beside at San Ysidro and Otay Mesa, the "
        "only observed waits at Otay Mesa."
    )  # fmt: skip
    chart = (
        alt.Chart(alt.Data(values=to_records(long[["group", "hour", "series", "wait_min"]])))
        .mark_line(point=True)
        .encode(
            x=alt.X("hour:Q", title=_("hour of day"), scale=alt.Scale(domain=[0, 23])),
            y=alt.Y("wait_min:Q", title=_("mean wait (min)")),
            color=alt.Color("series:N", title=_("series")),
            tooltip=[
                alt.Tooltip("group:N", title=_("port · segment")),
                alt.Tooltip("series:N", title=_("series")),
                alt.Tooltip("hour:Q", title=_("hour")),
                alt.Tooltip("wait_min:Q", format=".1f", title=_("mean wait (min)")),
            ],
        )
        .properties(width=200, height=130)
        .facet(facet=alt.Facet("group:N", title=None), columns=4)
        .properties(
            title=_("Regions: CBP's observed waits against the simulated, by hour"),
            description=description,
        )
    )
    yes, no = _("yes"), _("no")
    bands = {name: segment_bands(load_region(name)) for name in runs.base}
    held = [
        band_text(bands[r].get((p, s), ()), _("none: the scenario's booths"))
        for r, p, s in zip(table["region"], table["port"], table["segment"], strict=True)
    ]
    shown = pd.DataFrame(
        {
            _("region"): table["region"],
            _("port"): table["port"],
            _("segment"): table["segment"],
            _("observed mean (min)"): table["observed_mean_min"].map("{:.1f}".format),
            _("simulated mean (min)"): [
                pm(v, h, "{:.1f}", NONNEGATIVE)
                for v, h in zip(
                    table["simulated_mean_min"], table["simulated_mean_ci95"], strict=True
                )
            ],  # fmt: skip
            _("mean absolute error (min)"): [
                pm(v, h, "{:.1f}", NONNEGATIVE)
                for v, h in zip(table["mae_min"], table["mae_ci95"], strict=True)
            ],
            _("correlation"): [
                pm(v, h, "{:.2f}", CORRELATION)
                for v, h in zip(table["corr"], table["corr_ci95"], strict=True)
            ],
            _("officers' band (min)"): held,
            _("target group"): [yes if v else no for v in table["target"]],
            # the bar is a target group's: "—" for the others, not a "no" read as a miss
            _("bar (min, correlation)"): [
                f"≤ {bar(r)[0]:g}, ≥ {bar(r)[1]:g}" if is_target else "—"
                for r, is_target in zip(table["region"], table["target"], strict=True)
            ],
            _("meets the bar"): [
                (yes if v else no) if is_target else "—"
                for v, is_target in zip(table["meets"], table["target"], strict=True)
            ],
        }
    )
    bars = ", ".join(
        _("{region}: error at most {mae:g} min and correlation at least {corr:g}",
          region=name, mae=bar(name)[0], corr=bar(name)[1])
        for name in runs.base
    )  # fmt: skip
    equilibria = len(next(iter(runs.base.values())))
    text = _(
        "Each region solved to equilibrium as shipped (travellers' port choice, officers' "
        "lane bands and the simulator iterated until flows and waits agree) on {n} "
        "independent seeds; the simulated wait by hour is their mean, as `border21 region "
        "fit` predicts (one equilibrium's booths follow its own path); the simulated mean "
        "carries its 95% interval over the {n} (t), the error and the correlation theirs "
        "(jackknife: each equilibrium left out in turn). Each port and segment is set "
        "against CBP's "
        "published average for the hour (over the published months and weekdays). Both count "
        "a crossing's wait in the hour it reached the booth, as CBP's Bluetooth readers do. "
        "The bars issue 14 sets on the hour-of-day profile, for a group whose observed mean "
        "is at least {least:g} min: {bars} (El Paso is predicted with San Diego's behaviour, "
        "so its bar is looser). {met} of {targets} target groups meet theirs. This is every "
        "month, fit and held out alike, with the shipped parameters: `border21 region fit` "
        "gives the held-out figures (docs/regions.md).",
        n=equilibria, least=TARGET_MIN_OBSERVED, bars=bars, met=met, targets=targets,
    ) + " " + _(
        "The column of officers' bands gives the wait each group's officers hold by opening "
        "and closing booths; a group without one keeps its port scenario's booth schedule, "
        "so its simulated waits follow that schedule, not the officers' response to the "
        "queue (SENTRI, say: docs/regions.md)."
    ) + " " + _(
        "Beside CBP's, the charts draw SANDAG's observed hourly waits of an average Tuesday "
        "to Thursday of 2017 for San Ysidro's and Otay Mesa's car lanes (General, Ready, "
        "SENTRI), the SR-11 model's calibration target and the only observed waits at Otay "
        "Mesa; another year and one day, so they are shown, not scored here (`border21 region "
        "fit` measures the model against them)."
    )  # fmt: skip
    if shown.map(lambda cell: str(cell).endswith("‡")).to_numpy().any():
        text += " " + translate(lang, EQUILIBRIA_RANGE_NOTE) + "."
    return Section(
        _("Regions: simulated against CBP's observed waits"),
        text,
        (Chart(chart, {}).to_dict(),),
        _table(shown),
    )


def _sandag_series(
    runs: RegionRuns, cbp: pd.DataFrame, simulated: str, _: Any
) -> list[pd.DataFrame]:
    """SANDAG's observed 2017 weekday as a series beside CBP's, and the simulated series of
    the groups CBP does not publish (Otay Mesa's car lanes)."""
    from border21.regions.observed import mean_profiles, sandag_2017

    sandag = sandag_2017()
    published = set(zip(cbp["port"], cbp["segment"], strict=True))
    out = []
    for many in runs.base.values():
        mine = sandag.merge(mean_profiles(many), on=["port", "segment", "hour"])
        if mine.empty:
            continue
        out.append(
            mine.assign(series=_("observed (SANDAG, 2017 weekday)"), wait_min=mine["wait_minutes"])
        )
        alone = [
            (p, s) not in published for p, s in zip(mine["port"], mine["segment"], strict=True)
        ]
        new = mine[alone]
        out.append(new.assign(series=simulated, wait_min=new["reported_min"]))
    return [frame[["port", "segment", "hour", "series", "wait_min"]] for frame in out]


def _curve_section(runs: RegionRuns, lang: str) -> Any:
    import altair as alt
    import pandas as pd

    from border21.reports.charts import Chart, to_records
    from border21.reports.trends import Section, _table
    from border21.stats import NONNEGATIVE, pm

    _ = partial(translate, lang)
    port = runs.build
    curve, rows = [], []
    for usd, result in runs.tolls:
        summary = result.summary(usd)
        by_segment: dict[str, dict[str, float]] = summary["share_by_segment"]  # type: ignore[assignment]
        waits: dict[str, dict[str, float]] = summary["wait_min"]  # type: ignore[assignment]
        halves: dict[str, dict[str, float]] = summary["wait_min_ci95"]  # type: ignore[assignment]
        for segment, share in by_segment.items():
            if segment not in result.flows.get(port, {}):  # e.g. pedestrians: no hall there
                continue
            curve.append({"toll": usd, "segment": segment, "share": share[port]})
            row = {_("toll (USD)"): format(usd, "g"), _("segment"): segment,
                   _("{port}'s share", port=port): f"{100 * share[port]:.1f}%"}  # fmt: skip
            for p in result.ports:
                if segment in waits.get(p, {}):
                    row[_("{port} wait (min)", port=p)] = pm(
                        waits[p][segment], halves[p][segment], "{:.1f}", NONNEGATIVE
                    )
            rows.append(row)
    frame = pd.DataFrame(curve)
    low, high = min(usd for usd, _r in runs.tolls), max(usd for usd, _r in runs.tolls)
    at_high = frame[frame["toll"] == high].sort_values("share", ascending=False)
    chart = (
        alt.Chart(alt.Data(values=to_records(frame)))
        .mark_line(point=True)
        .encode(
            x=alt.X("toll:Q", title=_("toll (USD)")),
            y=alt.Y("share:Q", title=_("share of the segment"), axis=alt.Axis(format="%")),
            color=alt.Color("segment:N", title=_("segment")),
            tooltip=[
                alt.Tooltip("segment:N", title=_("segment")),
                alt.Tooltip("toll:Q", title=_("toll (USD)")),
                alt.Tooltip("share:Q", format=".1%", title=_("share of the segment")),
            ],
        )
        .properties(
            width=520,
            height=260,
            title=_("{port}: share of each segment by toll", port=port),
            description=_(
                "Line chart of {port}'s share of each segment against its toll, {low} to "
                "{high} USD; at {high} USD it keeps {share}% of {segment}, its largest. The "
                "table below gives every share and each port's wait.",
                port=port,
                low=format(low, "g"),
                high=format(high, "g"),
                share=format(100 * at_high["share"].iloc[0], ".1f"),
                segment=at_high["segment"].iloc[0],
            ),
        )  # fmt: skip
    )
    text = _(
        "Otay Mesa East, the planned tolled port, opened in the San Diego region at tolls "
        "of {tolls} USD (every segment): each time the region is solved to equilibrium "
        "again, and the table gives the new port's share of each segment and the mean wait "
        "of that segment at every port, ± its 95% interval over 3 replications. Cars and "
        "trucks, and each lane program, stay apart. The choice parameters are SANDAG's "
        "(−0.025 utils a minute, port time weighted 2.5) and the bias constants are fitted "
        "to the ports' 2017 crossings, but values of time and zones are assumptions, so this "
        "is the model's demand curve, not a forecast; SANDAG's published forecasts are not "
        "in the shared data to compare. Pedestrians, who have no hall at the new port, are "
        "left out.",
        tolls=", ".join(format(usd, "g") for usd, _r in runs.tolls),
    )  # fmt: skip
    return Section(
        _("Otay Mesa East: the demand curve by toll"),
        text,
        (Chart(chart, {}).to_dict(),),
        _table(pd.DataFrame(rows).fillna("—")),
    )
