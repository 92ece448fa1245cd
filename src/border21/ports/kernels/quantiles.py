"""Per-key quantile and mean of waits, compiled (the staffing search's check, every candidate).

Replaces ``np.lexsort`` on (key, wait) and a gather: as costly as queueing the
crossings themselves (16 s of 39 s of a San Ysidro search) and held the GIL,
so replications could not overlap. A counting sort by key, then a sort of
each key's waits, here releases it.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def quantile_and_mean_by_key(  # pragma: no cover - compiled
    values: np.ndarray, key: np.ndarray, n_keys: int, q: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per key in ``0..n_keys-1``: count, the ``q`` quantile (NumPy's linear rule; infinite
    if either neighbour is) and the mean of ``values`` (NaN for a key with no value)."""
    n = values.shape[0]
    counts = np.zeros(n_keys, np.int64)
    for i in range(n):
        counts[key[i]] += 1
    starts = np.zeros(n_keys + 1, np.int64)
    for k in range(n_keys):
        starts[k + 1] = starts[k] + counts[k]
    fill = starts[:n_keys].copy()
    grouped = np.empty(n, np.float64)
    sums = np.zeros(n_keys)
    for i in range(n):
        k = key[i]
        grouped[fill[k]] = values[i]
        fill[k] += 1
        sums[k] += values[i]
    quantile = np.full(n_keys, np.nan)
    mean = np.full(n_keys, np.nan)
    for k in range(n_keys):
        c = counts[k]
        if c == 0:
            continue
        seg = np.sort(grouped[starts[k] : starts[k] + c])
        pos = q * (c - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, c - 1)
        a, b = seg[lo], seg[hi]
        if np.isinf(a) or np.isinf(b):
            quantile[k] = np.inf
        else:
            quantile[k] = a + (pos - lo) * (b - a)
        mean[k] = sums[k] / c
    return counts, quantile, mean
