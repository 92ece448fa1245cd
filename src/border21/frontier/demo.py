"""The main job: calibrated ports, targeting policies and cooperation, in one report.

:func:`run_demo` is pure over an open warehouse: it calibrates San Ysidro to
CBP's hourly waits (a small grid), trains the isolated and shared-intelligence
targeting models, sweeps policies and budgets for San Ysidro and Laredo World
Trade Bridge under each cooperation variant, and returns the tables and chart
specs. The CLI adapter (``border21 demo``) prints and writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from border21.frontier.calibration import calibrate_port
from border21.frontier.risk import RiskSetup
from border21.frontier.sweep import (
    build_tasks,
    execute,
    frontier,
    mark_unstable,
    shifts,
    summarise,
    unstable_points,
    unstable_warnings,
)
from border21.frontier.variants import build_variants, risk_pools
from border21.i18n import DEFAULT, N_, translate
from border21.i18n.message import Message
from border21.ports.catalog import load_scenario
from border21.reports.terms import term

if TYPE_CHECKING:
    import pandas as pd

    from border21.data.store import Store
    from border21.frontier.calibration import CalibrationResult
    from border21.ports.allocate import Allocation
    from border21.ports.results import Overload
    from border21.reports.regions import RegionRuns


@dataclass(frozen=True, kw_only=True)
class DemoPlan:
    """What the demo runs; the defaults finish in about a minute on two cores."""

    ports: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "san_ysidro": ("baseline", "shared_intelligence", "enrolment", "southbound"),
            "laredo_wtb": ("baseline", "shared_intelligence", "ucp", "enrolment"),
        }
    )
    policies: tuple[str, ...] = ("random", "trusted", "targeted")
    budgets: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2)
    report_budget: float = 0.05
    # San Ysidro's trusted lanes already carry ~75% of cars (SANDAG 2017), so a small step;
    # Laredo's FAST share is 25%, so half as many again.
    enrolment_scales: dict[str, float] = field(
        default_factory=lambda: {"san_ysidro": 1.1, "laredo_wtb": 1.5}
    )
    replications: int = 30  # headline intervals within ±5 pp caught, ±10% delay
    days: int = 1
    seed: int = 2026
    calibration_days: int = 2
    calibration_scales: tuple[float, ...] = (0.9, 1.0, 1.1)
    calibration_hourly_rounds: int = 2
    # the border-wide allocation in the report: this many more officers, 8-hour shifts,
    # 3 replications of 2 days (about 10 s); 0 leaves it out
    allocation_officers: int = 10
    # the regions in the report: each solved as shipped beside CBP's observed waits, and
    # Otay Mesa East at these tolls (about 15 s); () leaves them out
    region_tolls: tuple[float, ...] = (0.0, 5.0, 10.0, 20.0)


@dataclass(frozen=True)
class PortOutcome:
    """One port's frontier table, the paired shifts of its cooperation variants, and
    the warnings for queues overloaded at some variant and budget."""

    name: str
    port: str
    frontier: pd.DataFrame
    shifts: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    # (variant, grid point, budget) → its overloaded queues: the warnings, for a report to
    # write in its own language
    overloads: dict[tuple[str, str, float], list[Overload]] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoResult:
    """Everything the demo computed, ready to print and report."""

    plan: DemoPlan
    calibration: CalibrationResult
    ports: list[PortOutcome]
    model_auc: dict[str, float]
    allocation: Allocation | None = None
    regions: RegionRuns | None = None

    def summary(self) -> pd.DataFrame:
        """Per scenario, variant and policy at the report budget: northbound as the
        headline, southbound in ``sb_*`` columns, each figure with its ``_ci95``."""
        import pandas as pd

        rows = []
        for out in self.ports:
            table = out.frontier
            at = table[(table["rate"] - self.plan.report_budget).abs() < 1e-9]
            rows.append(at.assign(port=out.name))
        cols = [
            "port",
            "variant",
            "policy",
            "rate",
            "detection_rate",
            "detection_rate_ci95",
            "mean_wait_min",
            "mean_wait_min_ci95",
            "p95_wait_min",
            "p95_wait_min_ci95",
            "mean_delay_min",
            "mean_delay_min_ci95",
            "licit_per_1000",
            "licit_per_1000_ci95",
            "delay_cost_usd",
            "delay_cost_usd_ci95",
        ]
        frame = pd.concat(rows, ignore_index=True)
        cols += [c for c in frame.columns if c.startswith("sb_")]
        return frame[cols]


Progress = Callable[[str, int, int], None]


def run_demo(
    store: Store, plan: DemoPlan | None = None, *, progress: Progress | None = None
) -> DemoResult:
    """Run the whole demo against an initialised warehouse."""
    plan = plan or DemoPlan()
    say = progress or (lambda _msg, _done, _total: None)
    sy = load_scenario("san_ysidro")
    say(N_("calibrating San Ysidro to CBP hourly waits"), 0, 1)
    calibration = calibrate_port(
        store,
        "san_ysidro",
        sy,
        days=plan.calibration_days,
        seeds=(1,),
        service_scales=plan.calibration_scales,
        staffing_scales=(1.0,),
        hourly_iterations=plan.calibration_hourly_rounds,
    )
    scenarios = {"san_ysidro": calibration.scenario, "laredo_wtb": load_scenario("laredo_wtb")}
    all_variants = {
        name: build_variants(
            scenarios[name], list(variants), enrolment_scale=plan.enrolment_scales.get(name, 1.5)
        )
        for name, variants in plan.ports.items()
    }
    say(N_("training targeting models (isolated and shared intelligence)"), 0, 1)
    merged = {f"{p}/{v}": sc for p, vs in all_variants.items() for v, sc in vs.items()}
    pools = risk_pools(merged, plan.policies, setup=RiskSetup(), seed=plan.seed)
    auc = {
        ("shared" if sc.cooperation.shared_intelligence else "isolated"): pool.auc()
        for key, sc in merged.items()
        if (pool := pools[key]) is not None
    }
    outcomes = []
    for name, variants in all_variants.items():
        tasks = build_tasks(
            variants,
            plan.policies,
            plan.budgets,
            replications=plan.replications,
            days=plan.days,
            seed=plan.seed,
        )
        rows = execute(
            tasks,
            risks={v: pools[f"{name}/{v}"] for v in variants},
            progress=_Ticker(say, f"simulating {scenarios[name].port.name}", len(tasks)),
        )
        unstable = unstable_points(tasks)
        outcomes.append(
            PortOutcome(
                name=name,
                port=scenarios[name].port.name,
                frontier=mark_unstable(frontier(summarise(rows)), unstable),
                shifts=shifts(rows),
                warnings=unstable_warnings(unstable),
                overloads=unstable,
            )
        )
    allocation = None
    if plan.allocation_officers:
        from border21.ports.allocate import allocate

        say(N_("placing officers across the border"), 0, 1)
        allocation = allocate(plan.allocation_officers, days=2, replications=3, seed=plan.seed)
    regions = None
    if plan.region_tolls:
        from border21.reports.regions import run_regions

        say(N_("solving the regions to equilibrium"), 0, 1)
        regions = run_regions(store, tolls=plan.region_tolls, seed=plan.seed)
    return DemoResult(
        plan=plan, calibration=calibration, ports=outcomes, model_auc=auc,
        allocation=allocation, regions=regions,
    )  # fmt: skip


class _Ticker:
    """Counts finished runs and reports them (called from worker threads)."""

    def __init__(self, say: Progress, label: str, total: int) -> None:
        import threading

        self.say, self.label, self.total, self.done = say, label, total, 0
        self._lock = threading.Lock()

    def __call__(self, k: int) -> None:
        with self._lock:
            self.done += k
            self.say(self.label, self.done, self.total)


def report_sections(result: DemoResult, lang: str = DEFAULT) -> list[Any]:
    """The demo's own report sections (frontiers, shifts, calibration), in ``lang``."""
    from border21.frontier.charts import calibration_chart, frontier_chart
    from border21.reports.trends import Section, _table

    _ = partial(translate, lang)
    sections = []
    for out in result.ports:
        levels = budget_table(out.frontier, result.plan.report_budget, lang)
        marked = bool(levels.map(lambda c: str(c).endswith("‡")).to_numpy().any())
        sections.append(
            Section(
                title=_("Security–trade frontier: {port}", port=out.port),
                text=_frontier_text(result, out, marked, lang),
                charts=(frontier_chart(out.frontier, title=out.port, lang=lang).to_dict(),),
                table_html=_table(levels)
                + _table(_shift_table(out.shifts, result.plan.report_budget, lang)),
            )
        )
    fits = result.calibration.table()
    fit_columns = {
        "group": _("lane group"), "service_scale": _("service-time scale"),
        "staffing_scale": _("staffing scale"), "rmse_before": _("RMSE before"),
        "rmse_fit": _("RMSE, fit months"), "rmse_holdout": _("RMSE, held-out months"),
        "corr_fit": _("correlation, fit months"), "hourly_staffing": _("hourly staffing"),
    }  # fmt: skip
    sections.append(
        Section(
            title=_("Wait-time profiles: simulated vs observed (San Ysidro)"),
            text=_(
                "CBP's historical average wait by hour of day against the simulator, before and "
                "after calibrating each lane group's service time; solid lines are the fit "
                "months, dashed the held-out months. RMSE in minutes."
            ),
            charts=(calibration_chart(result.calibration.profiles, lang=lang).to_dict(),),
            table_html=_table(fits, floatfmt="{:,.2f}", columns=fit_columns),
        )
    )
    if result.allocation is not None:
        sections.append(allocation_section(result.allocation, lang))
    if result.regions is not None:
        from border21.reports.regions import region_sections

        sections += region_sections(result.regions, lang)
    return sections


def allocation_section(result: Allocation, lang: str = DEFAULT) -> Any:
    """The border-wide allocation on the border map: each port's delay cost saved a day
    (its colour) beside its crossings (its area), the ports that gain officer-hours in a
    table, each figure ± its 95% interval, and the allocation's notes."""
    import pandas as pd

    from border21.ports.catalog import border_ports_frame
    from border21.reports.charts import border_map
    from border21.reports.trends import Section, _table
    from border21.stats import pm

    _ = partial(translate, lang)
    ports = border_ports_frame()
    by_code = {p.port_code: p for p in result.ports}
    ports["delay_cost_saved_usd"] = [
        by_code[c].delay_cost_saved_usd if c in by_code else 0.0 for c in ports["port_code"]
    ]
    chart = border_map(
        ports,
        size="crossings_per_day",
        size_title=_("crossings a day (BTS)"),
        color="delay_cost_saved_usd",
        color_title=_("delay cost saved $/day"),
        title=_(
            "{officers} more officers × {hours} h: delay cost saved a day",
            officers=result.officers, hours=result.shift_hours,
        ),
        top=("delay_cost_saved_usd", "${:,.0f}"),
        closing=_("The table below gives every port that gains officer-hours."),
        lang=lang,
    )  # fmt: skip
    rows = [
        {
            _("port code"): p.port_code,
            _("port"): p.name,
            _("officer-hours"): f"{p.officer_hours:+,}",
            _("waiting hours saved/day"): pm(
                p.delay_hours_saved, p.delay_hours_saved_ci95, "{:,.0f}"
            ),
            _("delay cost saved $/day"): pm(
                p.delay_cost_saved_usd, p.delay_cost_saved_usd_ci95, "{:,.0f}"
            ),
        }
        for p in result.ports
        if p.officer_hours
    ]
    saved = sum(p.delay_cost_saved_usd for p in result.ports)
    text = _(
        "Where {officers} more officers, each working {hours} hours of the repeating day, "
        "save the most delay cost of trade and travel: one officer-hour at a time to the "
        "port, lane group and hour where it saves the most (marginal analysis over the "
        "simulator with common random numbers; {replications} replications of {days} days, "
        "the first a warm-up). Across the border they save ${saved} a day. ± is the 95% "
        "interval over replications, paired (the same crossings before and after). "
        "`border21 border allocate` runs any number, or a cut.",
        officers=result.officers, hours=result.shift_hours, replications=result.replications,
        days=result.days, saved=format(saved, ",.0f"),
    )  # fmt: skip
    notes = " ".join(note.in_language(lang) if isinstance(note, Message) else note
                     for note in result.notes)  # fmt: skip
    return Section(
        _("Where more officers save the most delay"),
        f"{text} {notes}".strip(),
        (chart.to_dict(),),
        _table(pd.DataFrame(rows)),
    )


def _frontier_text(result: DemoResult, out: PortOutcome, marked: bool, lang: str) -> str:
    """The paragraph of one port's frontier section."""
    from border21.stats import OUT_OF_RANGE_NOTE

    _ = partial(translate, lang)
    plan = result.plan
    percent = _("{pct}%")
    text = _(
        "Northbound: share of carriers caught against the mean delay per crossing (queues "
        "plus secondary inspection), for each referral policy and budget ({budgets}); "
        "{replications} replications of {days} day(s), bars are 95% confidence intervals. "
        "Panels are cooperation variants. The first table gives each variant and policy at a "
        "{budget}% budget, northbound (NB) and southbound (SB) apart, never averaged "
        "together, each figure ± its 95% interval over replications; the second how each "
        "variant moves them, paired with the baseline by replication (common random numbers).",
        budgets=", ".join(percent.format(pct=format(100 * b, "g")) for b in plan.budgets),
        replications=plan.replications,
        days=plan.days,
        budget=format(100 * plan.report_budget, "g"),
    )
    if marked:
        text += " " + translate(lang, OUT_OF_RANGE_NOTE) + "."
    if out.warnings:
        text += " " + _(
            "Overloaded queues (utilisation ≥ 1 in some hours of the peak weekday): {queues}",
            queues=" ".join(f"{w}." for w in _overload_lines(out, lang)),
        )
    return text


def _overload_lines(out: PortOutcome, lang: str) -> list[str]:
    """The port's overloaded-queue warnings in ``lang``: one line per variant, grid point
    and queue, as :func:`border21.frontier.sweep.unstable_warnings` words them in English."""
    from border21.frontier.sweep import EXAM_QUEUES

    if lang == DEFAULT or not out.overloads:
        return out.warnings
    _ = partial(translate, lang)
    found: dict[tuple[str, str, str], dict[float, Overload]] = {}
    for (variant, grid, rate), overloads in out.overloads.items():
        at = _("variant {variant}", variant=term(lang, variant))
        if grid:
            at = _("{at} at {grid}", at=at, grid=grid)
        for o in overloads:
            found.setdefault((at, o.where, o.streams), {})[rate] = o
    lines = []
    for (at, where, _streams), by_rate in found.items():
        if where.startswith(EXAM_QUEUES):
            budgets = ", ".join(format(100 * r, "g") for r in sorted(by_rate))
            at = _("{at} at budget(s) {budgets}%", at=at, budgets=budgets)
        lines.append(f"{at}: {by_rate[max(by_rate)].describe().in_language(lang)}")  # type: ignore[attr-defined]
    return lines


# a frontier table's headers, by flow (NB, SB), in the report's language
_FLOW = {"NB": N_("NB"), "SB": N_("SB")}
_LEVEL_COLUMNS = {
    "caught": N_("{flow} caught %"),
    "delay": N_("{flow} delay min"),
    "p95": N_("{flow} p95 wait min"),
    "licit": N_("{flow} licit/1000"),
    "cost": N_("{flow} delay cost $"),
}
_SHIFT_COLUMNS = {
    "caught": N_("{flow} Δ caught (pp)"),
    "delay": N_("{flow} Δ delay (min/crossing)"),
    "cost": N_("{flow} Δ delay cost ($)"),
}


def _words(at: pd.DataFrame, lang: str) -> dict[str, Any]:
    """The variant and policy columns of a table, in ``lang``."""
    from border21.reports.terms import terms

    _ = partial(translate, lang)
    return {
        _("variant"): terms(lang, at["variant"]),
        _("policy"): terms(lang, at["policy"]),
    }


def budget_table(table: pd.DataFrame, budget: float, lang: str = DEFAULT) -> pd.DataFrame:
    """A frontier table's rows at one budget, each flow apart, each figure ± its 95% interval
    (marked ‡ where it reaches outside what the figure can be); headers and words in
    ``lang``."""
    import pandas as pd

    from border21.stats import NONNEGATIVE, PERCENT

    at = table[(table["rate"] - budget).abs() < 1e-9]

    def cells(column: str, fmt: str, scale: float = 1.0) -> list[str]:
        bounds = PERCENT if scale == 100.0 else NONNEGATIVE
        return _pm_cells(at, column, fmt, scale, bounds)

    def name(key: str, flow: str) -> str:
        return translate(lang, _LEVEL_COLUMNS[key], flow=translate(lang, _FLOW[flow]))

    columns = _words(at, lang)
    flows = [("NB", "")] + ([("SB", "sb_")] if "sb_mean_delay_min" in at else [])
    for flow, prefix in flows:
        columns |= {
            name("caught", flow): cells(f"{prefix}detection_rate", "{:.1f}", 100.0),
            name("delay", flow): cells(f"{prefix}mean_delay_min", "{:.2f}"),
            name("p95", flow): cells(f"{prefix}p95_wait_min", "{:.1f}"),
            name("licit", flow): cells(f"{prefix}licit_per_1000", "{:.1f}"),
            name("cost", flow): cells(f"{prefix}delay_cost_usd", "{:,.0f}"),
        }
    return pd.DataFrame(columns)


def _shift_table(moved: pd.DataFrame, budget: float, lang: str = DEFAULT) -> pd.DataFrame:
    """The variants' paired shifts against baseline at the report budget, readable units."""
    import pandas as pd

    if moved.empty:
        return moved
    at = moved[(moved["rate"] - budget).abs() < 1e-9]

    def cells(column: str, fmt: str, scale: float = 1.0) -> list[str]:
        return _pm_cells(at, column, fmt, scale)

    def name(key: str, flow: str) -> str:
        return translate(lang, _SHIFT_COLUMNS[key], flow=translate(lang, _FLOW[flow]))

    columns = _words(at, lang) | {
        name("caught", "NB"): cells("d_detection", "{:+.1f}", 100.0),
        name("delay", "NB"): cells("d_delay_min", "{:+.2f}"),
        name("cost", "NB"): cells("d_delay_cost_usd", "{:+,.0f}"),
    }
    if "d_sb_delay_min" in at:
        columns |= {
            name("caught", "SB"): cells("d_sb_detection", "{:+.1f}", 100.0),
            name("delay", "SB"): cells("d_sb_delay_min", "{:+.2f}"),
        }
    return pd.DataFrame(columns)


def _pm_cells(
    frame: pd.DataFrame,
    column: str,
    fmt: str,
    scale: float = 1.0,
    bounds: tuple[float, float] | None = None,
) -> list[str]:
    """A column as ``value ± half-width`` text, the half-width from ``{column}_ci95``."""
    from border21.stats import pm

    halves = frame[f"{column}_ci95"] if f"{column}_ci95" in frame else [float("nan")] * len(frame)
    pairs = zip(frame[column], halves, strict=True)
    return [pm(scale * v, scale * h, fmt, bounds) for v, h in pairs]
