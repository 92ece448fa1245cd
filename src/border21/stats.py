"""Small statistics shared by the simulator and the frontier."""

from __future__ import annotations


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
