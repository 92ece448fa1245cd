"""Small statistics shared by the simulator and the frontier."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from border21.i18n import N_


def t_quantile_975(df: int) -> float:
    """Student-t 97.5% quantile (two-sided 95% interval); NaN without degrees of freedom.

    >>> round(t_quantile_975(9), 3)
    2.262
    """
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.975)) if df > 0 else float("nan")


def ci95_half_width(std: float, n: int) -> float:
    """Half-width of the 95% t-interval of a mean of ``n`` replications with sample sd ``std``."""
    return t_quantile_975(n - 1) * std / n**0.5 if n > 1 else float("nan")


def jackknife_ci95(samples: Any, statistic: Callable[[Any], float | None]) -> float | None:
    """Half-width of the 95% t interval of ``statistic(samples)`` by the jackknife: the
    statistic recomputed with each replication (a row of ``samples``) left out, its
    standard error √((n − 1)/n · Σ(θ₍ᵢ₎ − θ̄)²) times t(n − 1). For a statistic that is not a
    mean of the replications (a profile's error or correlation against the mean profile).
    None with fewer than three replications or a statistic that cannot be computed.

    >>> import numpy as np
    >>> round(jackknife_ci95(np.array([1.0, 2.0, 3.0, 4.0]), np.mean), 3)  # = the t interval
    2.054
    """
    import numpy as np

    n = len(samples)
    if n < 3:
        return None
    left_out = [statistic(np.delete(samples, i, axis=0)) for i in range(n)]
    if any(v is None or v != v for v in left_out):
        return None
    values = np.asarray(left_out, dtype=float)
    se = float(np.sqrt((n - 1) / n * ((values - values.mean()) ** 2).sum()))
    return t_quantile_975(n - 1) * se


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion; NaNs without trials.

    >>> [round(x, 2) for x in wilson_interval(6, 29)]  # 6/29 = 0.21
    [0.1, 0.38]
    """
    if trials <= 0:
        return float("nan"), float("nan")
    from scipy.stats import binomtest

    ci = binomtest(successes, trials).proportion_ci(0.95, method="wilson")
    return float(ci.low), float(ci.high)


CORRELATION = (-1.0, 1.0)
EQUILIBRIA_RANGE_NOTE = N_(
    "‡ the 95% interval reaches outside what the figure can be (a wait or an error below 0, "
    "a correlation beyond ±1): an interval over a few equilibria is rough there"
)  # English; an adapter prints gettext(EQUILIBRIA_RANGE_NOTE)
PERCENT = (0.0, 100.0)  # a share, in percent
NONNEGATIVE = (0.0, float("inf"))  # a time, count, rate or cost
OUT_OF_RANGE_NOTE = N_(
    "‡ the 95% interval reaches outside what the quantity can be (a share below 0 or "
    "above 100%, a negative time, count or cost): too few replications for a t interval "
    "there; run more (-r)"
)  # English; an adapter prints gettext(OUT_OF_RANGE_NOTE)


def pm(value: float, half: float, fmt: str, bounds: tuple[float, float] | None = None) -> str:
    """``value ± half`` as text: "—" without a value, no ± without a half-width.

    The half-width takes ``fmt`` without its sign flag. With ``bounds`` (what the
    quantity can be, in the units shown), an interval reaching outside them as printed
    (at ``fmt``'s precision) is marked ``‡`` (print :data:`OUT_OF_RANGE_NOTE` with the
    table).

    >>> pm(12.345, 0.5, "{:.1f}"), pm(-0.25, 0.1, "{:+.2f}"), pm(3.0, float("nan"), "{:.1f}")
    ('12.3 ± 0.5', '-0.25 ± 0.10', '3.0')
    >>> pm(4.0, 10.0, "{:.0f}", PERCENT), pm(40.0, 10.0, "{:.0f}", PERCENT)
    ('4 ± 10 ‡', '40 ± 10')
    >>> pm(0.004, 0.01, "{:.1f}", NONNEGATIVE), pm(0.04, 0.06, "{:.1f}", NONNEGATIVE)
    ('0.0 ± 0.0', '0.0 ± 0.1 ‡')
    """
    if value != value:
        return "—"
    text = fmt.format(value)
    if half != half:
        return text
    half_text = fmt.replace("+", "").format(half)
    # judged as shown: "0.0 ± 0.0" is not marked for a 0.004 ± 0.01 that rounds inside
    shown, shown_half = (float(t.replace(",", "")) for t in (text, half_text))
    outside = bounds is not None and (
        shown - shown_half < bounds[0] or shown + shown_half > bounds[1]
    )
    text = f"{text} ± {half_text}"
    return f"{text} ‡" if outside else text
