"""Travellers' port choice: a multinomial logit on travel time, port time and toll.

The utility of port *p* for a traveller of a segment from zone *z* in hour *h* is

    U = β · (travel_minutes[z, p] + w · wait_minutes[p, h] + 60 · toll_usd[p] / VOT) + bias[p]

with β = −0.025 utils per minute and w = 2.5 (SANDAG's SR-11 Otay Mesa East
model, DESIGN.md "Parameters worth knowing"): a toll enters as the minutes of
the traveller's time it is worth. A port closed in that hour has no utility.

>>> import numpy as np
>>> shares = logit_shares(np.array([[0.0, -1.0]]), np.array([[True, True]]))
>>> [round(float(s), 4) for s in shares[0]]
[0.7311, 0.2689]
"""

from __future__ import annotations

import numpy as np


def utilities(
    travel_minutes: np.ndarray,
    wait_minutes: np.ndarray,
    toll_usd: np.ndarray,
    bias_utils: np.ndarray,
    *,
    travel_minute_utils: float,
    port_time_weight: float,
    value_of_time_usd_per_hour: float,
) -> np.ndarray:
    """Utilities (Z, H, P) from ``travel_minutes`` (Z, P) and ``wait_minutes`` (H, P)."""
    toll_minutes = 60.0 * toll_usd / value_of_time_usd_per_hour
    generalised = (
        travel_minutes[:, None, :]
        + port_time_weight * wait_minutes[None, :, :]
        + toll_minutes[None, None, :]
    )
    return np.asarray(travel_minute_utils * generalised + bias_utils[None, None, :])


def logit_shares(utility: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Multinomial logit shares over the last axis; unavailable alternatives get 0.

    Where no alternative is available the shares are all 0 (nobody can travel).
    """
    masked = np.where(available, utility, -np.inf)
    top = masked.max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    weights = np.where(available, np.exp(masked - top), 0.0)
    total = weights.sum(axis=-1, keepdims=True)
    return np.asarray(np.divide(weights, total, out=np.zeros_like(weights), where=total > 0))


def hour_shares(
    logsum: np.ndarray, *, travel_minute_utils: float, shift_minutes: float, forgo_minutes: float
) -> np.ndarray:
    """Where travellers of each zone and hour go: (Z, H) logsums → (Z, H, H + 1) shares.

    A traveller who meant to cross in hour *h* crosses then (utility ``logsum[h]``,
    the expected best port), an hour earlier or later (``logsum[h ± 1]`` plus
    β × ``shift_minutes``; the day repeats, so 23:00 neighbours 00:00), or not at
    all (β × ``forgo_minutes``, the last column), by multinomial logit. An hour with
    no open port (logsum −∞) can only be shifted away from or forgone.

    >>> s = hour_shares(np.zeros((1, 24)), travel_minute_utils=-0.025, shift_minutes=40.0,
    ...                 forgo_minutes=200.0)
    >>> [round(float(v), 4) for v in (s[0, 5, 5], s[0, 5, 4], s[0, 5, 24])]
    [0.5739, 0.2111, 0.0039]
    """
    zones, hours = logsum.shape
    out = np.zeros((zones, hours, hours + 1))
    shift = travel_minute_utils * shift_minutes
    forgo = travel_minute_utils * forgo_minutes
    for h in range(hours):
        before, after = (h - 1) % hours, (h + 1) % hours
        options = np.stack(
            [logsum[:, h], logsum[:, before] + shift, logsum[:, after] + shift,
             np.full(zones, forgo)], axis=1,
        )  # fmt: skip
        shares = logit_shares(options, np.isfinite(options))
        out[:, h, h] += shares[:, 0]
        out[:, h, before] += shares[:, 1]
        out[:, h, after] += shares[:, 2]
        out[:, h, hours] += shares[:, 3]
    return out


def logsums(utility: np.ndarray, available: np.ndarray) -> np.ndarray:
    """log Σ exp(U) over the last axis among the available alternatives; −∞ where none is."""
    masked = np.where(available, utility, -np.inf)
    top = masked.max(axis=-1)
    safe = np.where(np.isfinite(top), top, 0.0)
    total = np.where(available, np.exp(masked - safe[..., None]), 0.0).sum(axis=-1)
    with np.errstate(divide="ignore"):
        return np.asarray(np.where(total > 0, safe + np.log(total), -np.inf))
