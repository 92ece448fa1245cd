"""Diagnostics every program-effect estimate carries, and the caveat they add up to.

* **placebo rank**: where the event's studentized level change ranks among the
  in-time placebos (:mod:`border21.data.placebos`); it *is* the p-value.
* **pre-trend**: the placebo 12 months before the event, fitted on pre-event
  data only. A calibrated p below alpha means the series was already moving.
* **break timing**: the month within 12 months of the event whose break is the
  sharpest. A break more than two months away that is clearly sharper (|t| at
  least one more than the event's, and beyond the placebos' ``1 − 2·alpha``
  quantile) means the estimate credits the event with a change that happened
  at another date.
* **other events**: every timeline event (elections aside) in the window, with
  the confounders (the 2007–09 recession, the peso's fall, COVID
  restrictions, Joint Operations, policy changes) an estimate cannot
  separate from the event.
* **missing / zero months**: months in the window with no value or a zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from border21.data.placebos import month_key, month_start

if TYPE_CHECKING:
    import pandas as pd

TIMING_TOLERANCE_MONTHS = 2
"""A sharper break this near the event is the event (dates are often month-precise)."""


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """What an effect estimate must be read with. ``caveat`` is one plain line."""

    placebo_rank: int
    n_placebos: int
    critical_t: float
    pretrend_month: str | None
    pretrend_p: float | None
    break_month: str | None
    break_t: float | None
    other_events: tuple[str, ...]
    missing_months: int
    zero_months: int
    warnings: tuple[str, ...]

    @property
    def caveat(self) -> str:
        """One line for a reader: empty when every diagnostic passes."""
        if not self.warnings:
            return ""
        return "Read with care: " + "; ".join(self.warnings) + "."

    def as_dict(self) -> dict[str, Any]:
        """Plain fields for JSON and tables (lists joined for tables by the caller)."""
        return {
            "placebo_rank": self.placebo_rank,
            "n_placebos": self.n_placebos,
            "placebo_critical_t": _finite(self.critical_t),
            "pretrend_month": self.pretrend_month,
            "pretrend_p": self.pretrend_p,
            "break_month": self.break_month,
            "break_t": self.break_t,
            "other_events": list(self.other_events),
            "missing_months": self.missing_months,
            "zero_months": self.zero_months,
            "warnings": list(self.warnings),
            "caveat": self.caveat,
        }


def _finite(value: float) -> float | None:
    import math

    return value if math.isfinite(value) else None


def events_in_window(
    events: pd.DataFrame | None, event_k: int, lo_k: int, hi_k: int
) -> tuple[str, ...]:
    """``"YYYY-MM event_id"`` of timeline events in months ``[lo_k, hi_k)``, other than
    those in the event's own month and elections, nearest the event first."""
    if events is None or events.empty:
        return ()
    import pandas as pd

    found = []
    for row in events.itertuples():
        k = month_key(pd.Timestamp(row.event_date))
        if lo_k <= k < hi_k and k != event_k and row.category != "election":
            found.append((abs(k - event_k), k, f"{month_start(k):%Y-%m} {row.event_id}"))
    return tuple(text for _, _, text in sorted(found))


@dataclass(frozen=True, slots=True)
class Evidence:
    """The raw figures :func:`diagnose` judges."""

    alpha: float
    event_k: int
    t_event: float
    hac_p: float
    p: float
    rank: int
    n_placebos: int
    critical_t: float
    timing_t: float  # the placebos' 1 − 2·alpha |t| quantile
    pretrend: tuple[int, float] | None  # (month, calibrated p)
    sharpest: tuple[int, float] | None  # (month, t) near the event
    other_events: tuple[str, ...]
    missing_months: int
    zero_months: int


def diagnose(ev: Evidence) -> Diagnostics:
    """Turn the evidence into diagnostics with a plain warning per failed check."""
    import math

    warnings = []
    if not math.isfinite(ev.critical_t):
        warnings.append(
            f"only {ev.n_placebos} placebo months: too few for any estimate on this "
            f"series to reach {ev.alpha:g}; the interval is unbounded"
        )
    if ev.p >= ev.alpha and ev.hac_p < ev.alpha:
        warnings.append(
            f"the change is not unusual for this series (placebo rank {ev.rank} of "
            f"{ev.n_placebos + 1}) although the HAC test calls it significant"
        )
    if ev.pretrend is None:
        warnings.append("too few months before the event to test for a pre-trend")
    elif ev.pretrend[1] < ev.alpha:
        warnings.append(
            f"the series already broke before the event (placebo at "
            f"{month_start(ev.pretrend[0]):%Y-%m}, p = {ev.pretrend[1]:.2g})"
        )
    if ev.sharpest is not None:
        k, t = ev.sharpest
        gap = k - ev.event_k
        sharper = abs(t) >= max(abs(ev.t_event) + 1.0, ev.timing_t)
        if abs(gap) > TIMING_TOLERANCE_MONTHS and sharper:
            side = "after" if gap > 0 else "before"
            warnings.append(
                f"the sharpest break is at {month_start(k):%Y-%m}, {abs(gap)} months "
                f"{side} the event"
            )
    if ev.other_events:
        shown = ", ".join(ev.other_events[:4]) + (" …" if len(ev.other_events) > 4 else "")
        warnings.append(f"{len(ev.other_events)} other events in the window ({shown})")
    if ev.missing_months or ev.zero_months:
        warnings.append(
            f"{ev.missing_months} missing and {ev.zero_months} zero months in the window"
        )
    return Diagnostics(
        placebo_rank=ev.rank,
        n_placebos=ev.n_placebos,
        critical_t=ev.critical_t,
        pretrend_month=f"{month_start(ev.pretrend[0]):%Y-%m}" if ev.pretrend else None,
        pretrend_p=ev.pretrend[1] if ev.pretrend else None,
        break_month=f"{month_start(ev.sharpest[0]):%Y-%m}" if ev.sharpest else None,
        break_t=ev.sharpest[1] if ev.sharpest else None,
        other_events=ev.other_events,
        missing_months=ev.missing_months,
        zero_months=ev.zero_months,
        warnings=tuple(warnings),
    )
