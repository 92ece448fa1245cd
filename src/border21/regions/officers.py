"""Officers' lane rule: each hour, open or close booths to hold a lane group's wait in its band.

In every hour a group is staffed at all, its officers close one booth when
the group's mean wait is below the band's minimum (never below one booth) and
open one when it is above the maximum (never beyond the group's booths, and
only while the port's officers on duty that hour are not all at booths; with
fewer officers than open booths, the groups least pressed close first).
Where officers are short, the groups furthest above their maximum open
first. Booths open lane by lane, then each lane's second (stacked) booth, as
the port scenario's schedules do (:class:`border21.ports.config.LaneGroup`),
so opening booths opens lanes first and stacks them when every lane is open.
The bands for San Ysidro and Otay Mesa are SANDAG's calibrated ones
(SR-11 Otay Mesa East model, DESIGN.md).

>>> import numpy as np
>>> update_booths(np.array([[4, 4]]), np.array([[70.0, 10.0]]), np.array([[30.0, 65.0]]),
...               np.array([8]), np.array([10, 10])).tolist()
[[5, 3]]
"""

from __future__ import annotations

import numpy as np


def update_booths(
    open_booths: np.ndarray,
    wait_minutes: np.ndarray,
    bands: np.ndarray,
    max_booths: np.ndarray,
    officers: np.ndarray,
    *,
    close: bool = True,
) -> np.ndarray:
    """One step of the rule for one port.

    ``open_booths`` and ``wait_minutes`` are (G, H): banded groups by hour;
    ``bands`` (G, 2) holds each group's (min, max) wait; ``max_booths`` (G,)
    its booths; ``officers`` (H,) the booths the port can staff in each hour.
    Returns the new (G, H) open booths. With ``close=False`` officers only
    open booths (the equilibrium's last phase, so that the rule cannot cycle).
    """
    new = open_booths.copy()
    staffed = open_booths > 0
    below = staffed & (wait_minutes < bands[:, :1]) & (open_booths > 1) & close
    new[below] -= 1
    over = staffed & (wait_minutes > bands[:, 1:]) & (open_booths < max_booths[:, None])
    for h in range(open_booths.shape[1]):
        pressure = wait_minutes[:, h] / bands[:, 1]
        for g in np.argsort(pressure, kind="stable"):  # fewer officers than booths: close
            while new[:, h].sum() > officers[h] and new[g, h] > 1:
                new[g, h] -= 1
        spare = int(officers[h]) - int(new[:, h].sum())
        for g in np.argsort(-pressure, kind="stable"):
            if spare <= 0:
                break
            if over[g, h]:
                new[g, h] += 1
                spare -= 1
    return new
