"""Hourly fluid queues: a smooth, deterministic wait model for the equilibrium's inner loop.

A lane group with ``c`` open booths of mean service ``s`` seconds serves
``μ = 3600 c / s`` vehicles an hour. Arrivals beyond μ join a backlog carried
from hour to hour (``Q[h+1] = max(0, Q[h] + λ[h] − μ[h])``); the backlog's
wait is ``Q / μ``. Below capacity, random arrivals and service still queue:
Sakasegawa's approximation of the M/G/c wait (Sakasegawa 1977; Hopp & Spearman,
*Factory Physics*, eq. 8.10) with ρ capped at ``RHO_CAP``. A closed group's
arrivals wait for its next opening. The simulator's own waits correct this
model during the equilibrium (:mod:`border21.regions.equilibrium`).

>>> import numpy as np
>>> booths, service = np.array([[2] * 24]), np.array([[60.0] * 24])
>>> round(float(group_waits(np.array([[100.0] * 24]), booths, service, 1.0)[0, 12]), 2)
2.3
>>> # 30 an hour over capacity: 720 queued after day one, 735 in its first hour, + 9.3 min
>>> round(float(group_waits(np.array([[150.0] * 24]), booths, service, 1.0)[0, 0]), 1)
376.8
"""

from __future__ import annotations

import numpy as np

HOURS = 24
RHO_CAP = 0.95  # the stationary term grows without bound at ρ = 1; the backlog term takes over
CLOSED_WAIT_MINUTES = 60.0  # per hour until the group opens


def group_waits(
    arrivals: np.ndarray,
    booths: np.ndarray,
    service_seconds: np.ndarray,
    cv2: float,
    days: int = 2,
) -> np.ndarray:
    """Mean wait in minutes by group and hour of the last of ``days`` identical days.

    ``arrivals`` (G, 24) vehicles an hour, ``booths`` (G, 24) open booths,
    ``service_seconds`` (G, 24) mean service; ``cv2`` the squared coefficient
    of variation of service (arrivals are Poisson).
    """
    groups = arrivals.shape[0]
    capacity = np.where(booths > 0, 3600.0 * booths / np.maximum(service_seconds, 1e-9), 0.0)
    backlog = np.zeros(groups)
    waits = np.zeros((groups, HOURS))
    for day in range(days):
        for h in range(HOURS):
            mu = capacity[:, h]
            after = np.maximum(0.0, backlog + arrivals[:, h] - mu)
            queued = 0.5 * (backlog + after)
            if day == days - 1:
                waits[:, h] = np.where(mu > 0, 60.0 * queued / np.maximum(mu, 1e-9), 0.0)
            backlog = after
    rho = np.minimum(
        np.divide(arrivals, capacity, out=np.zeros_like(arrivals), where=capacity > 0), RHO_CAP
    )
    c = np.maximum(booths, 1)
    stationary = (1.0 + cv2) / 2.0 * rho ** (np.sqrt(2.0 * (c + 1)) - 1.0) / (c * (1.0 - rho))
    waits += np.where(capacity > 0, stationary * service_seconds / 60.0, 0.0)
    closed = capacity <= 0
    for g in range(groups):
        for hour in np.flatnonzero(closed[g]):
            h = int(hour)
            later = np.flatnonzero(~closed[g, h:])
            until = int(later[0]) if later.size else HOURS - h + int(np.flatnonzero(~closed[g])[0])
            waits[g, h] = CLOSED_WAIT_MINUTES * until
    return waits
