"""What-if grids over a port scenario: every combination of the values given per key.

An axis is ``key.path=VALUES`` where VALUES is a comma-separated list of TOML
literals (``12,13,14``, ``[1,2],[3,4]``) or ``START:STOP:COUNT`` for COUNT
evenly spaced numbers (integers when START and STOP are integers and the
spacing is whole). Every key is a scenario key, set through
:mod:`border21.ports.edits` (``lanes.NAME.staffed_booths=V`` opens V booths of
lane group NAME in every hour its schedule has it open; closed hours stay
closed). A grid is bounded by :class:`~border21.ports.limits.RunLimits`.

>>> parse_axis("streams.trucks.referral_probability=0.05:0.2:4").values
[0.05, 0.1, 0.15, 0.2]
>>> parse_axis("lanes.general.staffed_booths=10:14:5").values
[10, 11, 12, 13, 14]
>>> parse_axis("secondary.bays.service.mean_seconds=[1,2],600").values
[[1, 2], 600]
"""

from __future__ import annotations

import itertools
import math
import tomllib
from dataclasses import dataclass
from typing import Any

import numpy as np

from border21.errors import InputError
from border21.frontier.sweep import PortTask
from border21.i18n.message import Message
from border21.ports.config import PortScenario
from border21.ports.edits import with_values
from border21.ports.limits import DEFAULT_LIMITS, RunLimits, check_seed
from border21.ports.runs import warm_up_for

MAX_SCENARIOS = DEFAULT_LIMITS.max_grid_scenarios


@dataclass(frozen=True, slots=True)
class Axis:
    """One swept key and its values."""

    key: str
    values: list[Any]

    @property
    def label(self) -> str:
        """The last two parts of the key (e.g. ``trucks.referral_probability``)."""
        return ".".join(self.key.split(".")[-2:])


def _split_top(text: str) -> list[str]:
    """Split at commas outside brackets and quotes."""
    parts: list[str] = []
    cur: list[str] = []
    depth, quote = 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


def _literal(raw: str, field: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        if raw.replace("_", "").isalnum():
            return raw  # a bare word, e.g. a distribution name
        raise InputError(field, raw, Message("not a TOML value")) from None


def _span(raw: str, field: str, limits: RunLimits) -> list[Any]:
    parts = raw.split(":")
    try:
        lo, hi = float(parts[0]), float(parts[1])
        count = int(parts[2])
    except ValueError:
        raise InputError(field, raw, Message("expected START:STOP:COUNT with numbers")) from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(field, raw, Message("START and STOP must be finite numbers"))
    if count < 1:
        raise InputError(field, raw, Message("COUNT must be at least 1"))
    if count > limits.max_grid_scenarios:  # refused before the values are made
        raise InputError(
            field,
            raw,
            Message(
                "COUNT at most {max_grid_scenarios:,} (the grid's bound)",
                max_grid_scenarios=limits.max_grid_scenarios,
            ),
        )
    if count == 1:
        return [_literal(parts[0], field)]
    step = (hi - lo) / (count - 1)
    whole = all(p.strip().lstrip("-").isdigit() for p in parts[:2]) and step.is_integer()
    return [int(lo + k * step) if whole else round(lo + k * step, 12) for k in range(count)]


def parse_axis(text: str, limits: RunLimits = DEFAULT_LIMITS) -> Axis:
    """Parse ``key.path=VALUES`` (see the module docs)."""
    if "=" not in text:
        raise InputError("--vary", text, Message("expected key=VALUES"))
    key, raw = (s.strip() for s in text.split("=", 1))
    if not key or "." not in key:
        raise InputError("--vary", text, Message("expected a dotted scenario key before '='"))
    raw = raw.strip()
    if raw.count(":") == 2 and not raw.startswith(("[", "{", '"', "'")):
        values = _span(raw, key, limits)
    else:
        values = [_literal(p, key) for p in _split_top(raw)]
    if not values:
        raise InputError(key, raw, Message("no values"))
    return Axis(key=key, values=values)


def _text(value: Any) -> str:
    """A value as it goes into a variant name (lists without spaces)."""
    if isinstance(value, list):
        return "[" + ",".join(_text(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True, slots=True)
class Grid:
    """The expanded grid: scenarios by variant name, and each variant's axis values."""

    axes: list[Axis]
    scenarios: dict[str, PortScenario]
    values: dict[str, dict[str, Any]]

    def tasks(
        self,
        *,
        replications: int,
        days: int,
        seed: int,
        limits: RunLimits = DEFAULT_LIMITS,
        warm_up_days: int | None = None,
    ) -> list[PortTask]:
        """One task per scenario and replication, each carrying its validated scenario.

        Refused before any task is made when the sweep is larger than ``limits``
        allow (days, replications, tasks, or one replication's expected crossings).
        The first ``warm_up_days`` (default: one day when days > 1) are left out
        of the metrics.
        """
        limits.check_counts(days=days, replications=replications)
        check_seed(seed)
        warm_up = warm_up_for(days, warm_up_days)
        limits.check_tasks(len(self.scenarios) * replications)
        per_task = [
            limits.check_run(sc, days=days, replications=1) for sc in self.scenarios.values()
        ]
        limits.check_sweep_crossings(sum(per_task) * replications)
        return [
            PortTask(
                variant=name,
                scenario=sc,
                replication=rep,
                root_seed=seed,
                days=days,
                warm_up_days=warm_up,
            )
            for name, sc in self.scenarios.items()
            for rep in range(replications)
        ]


def grid_size(axes: list[Axis]) -> int:
    """How many scenarios the axes make (their values' product)."""
    return math.prod(len(a.values) for a in axes)


def build_grid(base: PortScenario, axes: list[Axis], limits: RunLimits = DEFAULT_LIMITS) -> Grid:
    """Every combination of the axes' values, each validated into a scenario once.

    >>> from border21.ports.catalog import load_scenario
    >>> grid = build_grid(load_scenario("laredo_wtb"),
    ...                   [parse_axis("lanes.general.staffed_booths=10,12")])
    >>> [sc.lanes["general"].staffed_booths for sc in grid.scenarios.values()]
    [10, 12]
    """
    limits.check_grid(grid_size(axes))
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise InputError("--vary", ",".join(keys), Message("each key may be varied once"))
    scenarios: dict[str, PortScenario] = {}
    values: dict[str, dict[str, Any]] = {}
    for combo in itertools.product(*(a.values for a in axes)):
        name = " ".join(f"{a.label}={_text(v)}" for a, v in zip(axes, combo, strict=True))
        name = name or "base"
        point = dict(zip(keys, combo, strict=True))
        scenarios[name] = with_values(base, point)
        values[name] = point
    return Grid(axes=axes, scenarios=scenarios, values=values)


def summarise_grid(rows: list[dict[str, Any]], grid: Grid) -> Any:
    """Per variant: the axis values, metric means with 95% CI half-widths, the frontier flag.

    ``on_frontier`` marks variants no other variant beats on both mean delay
    per crossing and share of carriers caught. Rows come out in grid order.
    """
    import pandas as pd

    from border21.frontier.sweep import SUMMARY_METRICS, pareto_mask
    from border21.stats import t_quantile_975

    frame = pd.DataFrame(rows)
    metrics = [m for m in (*SUMMARY_METRICS, "referred", "crossings") if m in frame.columns]
    metrics += [
        c for c in frame.columns if c.startswith(("nb_", "sb_", "wait_min:", "p95_wait_min:"))
    ]
    grouped = frame.groupby("variant", sort=False)[metrics]
    mean = grouped.mean()
    n = frame.groupby("variant", sort=False).size()
    if int(n.min()) > 1:
        half = grouped.std(ddof=1).mul(n.map(lambda k: t_quantile_975(k - 1)), axis=0)
        half = half.div(np.sqrt(n), axis=0)
    else:
        half = mean * np.nan
    out = mean.join(half.add_suffix("_ci95"))
    out["replications"] = n
    out = out.reindex(list(grid.scenarios))
    axes = pd.DataFrame.from_dict(grid.values, orient="index").reindex(out.index)
    out = axes.join(out)
    out["on_frontier"] = pareto_mask(
        out["mean_delay_min"].to_numpy(), np.nan_to_num(out["detection_rate"].to_numpy())
    )
    return out.rename_axis("variant").reset_index()
