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
from border21.i18n.message import Message

if TYPE_CHECKING:
    import pandas as pd

TIMING_TOLERANCE_MONTHS = 2
"""A sharper break this near the event is the event (dates are often month-precise)."""


def caveat(warnings: tuple[str, ...] | list[str]) -> str:
    """The one line a reader gets from an estimate's warnings: empty when there are none."""
    if not warnings:
        return ""
    return Message("Read with care: {warnings}.", warnings=Message.join_all("; ", warnings))


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
        return caveat(self.warnings)

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

    warnings: list[str] = []  # Messages: translated where they are shown
    if not math.isfinite(ev.critical_t):
        warnings.append(Message(
            "only {n} placebo months: too few for any estimate on this series to reach "
            "{alpha:g}; the interval is unbounded", n=ev.n_placebos, alpha=ev.alpha,
        ))  # fmt: skip
    if ev.p >= ev.alpha and ev.hac_p < ev.alpha:
        warnings.append(Message(
            "the change is not unusual for this series (placebo rank {rank} of {of}) "
            "although the HAC test calls it significant", rank=ev.rank, of=ev.n_placebos + 1,
        ))  # fmt: skip
    if ev.pretrend is None:
        warnings.append(Message("too few months before the event to test for a pre-trend"))
    elif ev.pretrend[1] < ev.alpha:
        broke = month_start(ev.pretrend[0]).strftime("%Y-%m")
        warnings.append(Message(
            "the series already broke before the event (placebo at {month}, p = {p:.2g})",
            month=broke, p=ev.pretrend[1],
        ))  # fmt: skip
    if ev.sharpest is not None:
        k, t = ev.sharpest
        gap = k - ev.event_k
        sharper = abs(t) >= max(abs(ev.t_event) + 1.0, ev.timing_t)
        if abs(gap) > TIMING_TOLERANCE_MONTHS and sharper:
            month = f"{month_start(k):%Y-%m}"
            warnings.append(
                Message(
                    "the sharpest break is at {month}, {n} months after the event",
                    month=month, n=abs(gap),
                )
                if gap > 0
                else Message(
                    "the sharpest break is at {month}, {n} months before the event",
                    month=month, n=abs(gap),
                )
            )  # fmt: skip
    if ev.other_events:
        shown = ", ".join(ev.other_events[:4]) + (" …" if len(ev.other_events) > 4 else "")
        warnings.append(Message(
            "{n} other events in the window ({events})", n=len(ev.other_events), events=shown
        ))  # fmt: skip
    if ev.missing_months or ev.zero_months:
        warnings.append(Message(
            "{missing} missing and {zero} zero months in the window",
            missing=ev.missing_months, zero=ev.zero_months,
        ))  # fmt: skip
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
