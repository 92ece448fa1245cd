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
