"""Officers' lane rule: hour by hour, booths open and close to hold each group's wait in its band.

Officers watch the queue. Going through the day hour by hour, with the backlog
each hour inherits from the one before (the fluid queue of
:mod:`border21.regions.fluid`, plus the simulator's correction), officers set
each banded group's open booths for the hour:

* **close** while the wait the hour's arrivals would see is below the band's
  minimum, as long as one booth fewer would not push it above the maximum
  (never below the band's ``min_booths``, SANDAG's "minimum allowed lanes": one
  unless given). Closing lanes clear their own queue (the engine's
  rule), so holding a queue at night takes fewer booths than the arrivals need;
* **open** while it is above the maximum (never beyond the group's booths;
  flexible lanes move between the groups of a pool — General and Ready at San
  Ysidro — so a group may open any of the pool's lanes, the pool's booths
  together bounded);
* and never staff more booths at once than the port's officers on duty in
  the hour, counted apart for each kind of traffic (car, truck and pedestrian
  lanes are separate operations with their own officers): with too few, a
  booth at a time goes from the group of that kind that would be least pressed
  without it (wait over the band's maximum), so the groups share the shortage;
  no group below its minimum booths (those stay open, as SANDAG's rule keeps them);
* and, with a ``balance`` of a flexible pool (SANDAG's General/Ready balancing), move
  booths one at a time from the pool's other group to the favoured one while the other's
  wait is under the balance's maximum and under its ratio × the favoured group's wait.

A group closed in an hour stays closed (a port's opening hours are its
scenario's). The day is gone through ``passes`` times so that the overnight
backlog is the evening's. Booths open lane by lane, then each lane's second
(stacked) booth, as the port scenario's schedules do.

The first version changed every hour at once by one booth per iteration, on the
whole day's waits: a closure at 02:00 lengthens the queue at 03:00 and later,
so the simultaneous steps chased each other and could not hold the band's lower
edge — the lanes cleared at night while CBP's waits stay 40–50 minutes.

>>> import numpy as np
>>> from border21.regions.fluid import group_waits
>>> arrivals, service = np.full((1, 24), 200.0), np.full((1, 24), 120.0)  # 30 a booth-hour
>>> booths = hold_band(arrivals, np.full((1, 24), 12), service, 0.5, np.array([[30.0, 65.0]]),
...                    np.array([16]), np.full(24, 40), np.zeros((1, 24)))
>>> int(booths.min()), int(booths.max())  # 12 open: no queue; 6 (180 an hour) build one
(4, 7)
>>> waits = group_waits(arrivals, booths, service, 0.5, days=3)
>>> bool(((waits >= 30) & (waits <= 65)).all())  # held in the band all day
True
"""

from __future__ import annotations

import numpy as np
from numba import njit

from border21.regions.fluid import cleared, stationary_minutes

PASSES = 3  # days gone through: the overnight backlog settles to the evening's


def hold_band(
    arrivals: np.ndarray,
    booths: np.ndarray,
    service_seconds: np.ndarray,
    cv2: float,
    bands: np.ndarray,
    max_booths: np.ndarray,
    officers: np.ndarray,
    offsets: np.ndarray,
    *,
    pool: np.ndarray | None = None,
    pool_booths: int = 0,
    staff: np.ndarray | None = None,
    min_booths: np.ndarray | None = None,
    balance: tuple[int, int, float, float] | None = None,
    passes: int = PASSES,
) -> np.ndarray:
    """The open booths (G, 24) officers choose for one port's banded groups.

    ``arrivals``, ``service_seconds`` and ``offsets`` (the simulator's correction of the
    fluid wait, minutes) are (G, 24); ``booths`` (G, 24) the booths open now, where
    officers start from; ``bands`` (G, 2) each group's (min, max) wait in minutes;
    ``max_booths`` (G,) its booths; ``officers`` (24,) or (K, 24) the booths the port can
    staff at once in each hour, over all its banded groups or over each of K staffs apart,
    ``staff`` (G,) giving each group's row (all 0 when None). ``pool`` (G,) marks the groups
    whose lanes are flexible: together they open at most ``pool_booths`` (each may take any
    of the pool's lanes). ``min_booths`` (G,) the fewest booths each group keeps in an hour it
    is open (one each when None). ``balance`` (giver, favoured, ratio, max wait minutes): two
    groups of the same staff; while the giver's wait is under the max wait and under ratio ×
    the favoured group's, a booth moves from the giver to the favoured (None: no balancing).
    """
    giver, favoured, ratio, most_wait = (-1, -1, 0.0, 0.0) if balance is None else balance
    groups = booths.shape[0]
    floor = np.ones(groups, np.int64) if min_booths is None else np.asarray(min_booths, np.int64)
    max_booths = np.asarray(max_booths, np.int64)

    def f64(a: object) -> np.ndarray:
        return np.ascontiguousarray(a, dtype=np.float64)

    return _hold_band(
        f64(arrivals),
        np.ascontiguousarray(booths, dtype=np.int64),
        f64(service_seconds),
        float(cv2),
        f64(np.reshape(bands, (groups, 2))),
        np.ascontiguousarray(max_booths),
        f64(np.atleast_2d(officers)),
        f64(offsets),
        np.zeros(groups, np.bool_) if pool is None else np.asarray(pool, np.bool_),
        int(pool_booths),
        np.zeros(groups, np.int64) if staff is None else np.asarray(staff, np.int64),
        np.minimum(floor, max_booths),
        int(giver),
        int(favoured),
        float(ratio),
        float(most_wait),
        int(passes),
    )


@njit(cache=True, nogil=True)
def _wait(
    arrivals: np.ndarray,
    service: np.ndarray,
    cv2: float,
    offsets: np.ndarray,
    backlog: float,
    before: int,
    g: int,
    h: int,
    n: int,
) -> float:  # pragma: no cover - compiled
    """The mean wait (minutes) of hour ``h``'s arrivals at group ``g`` with ``n`` booths open
    after ``before``, behind ``backlog``."""
    q = cleared(backlog, float(n), float(before))
    mu = 3600.0 * n / service[g, h]
    after = max(0.0, q + arrivals[g, h] - mu)
    stationary = stationary_minutes(arrivals[g, h], n, service[g, h], cv2)
    return float(60.0 * 0.5 * (q + after) / mu + stationary + offsets[g, h])


# Compiled: a san_diego region-day calls the rule 60 times; as Python over the hours and
# groups it took 0.36 of its 2.9 s (2026-12-06; compiled, every shipped region's equilibrium
# came out the same to the last booth and digit).
@njit(cache=True, nogil=True)
def _hold_band(
    arrivals: np.ndarray,
    booths: np.ndarray,
    service: np.ndarray,
    cv2: float,
    bands: np.ndarray,
    max_booths: np.ndarray,
    on_duty: np.ndarray,
    offsets: np.ndarray,
    in_pool: np.ndarray,
    pool_booths: int,
    staff_of: np.ndarray,
    floor: np.ndarray,
    giver: int,
    favoured: int,
    ratio: float,
    most_wait: float,
    passes: int,
) -> np.ndarray:  # pragma: no cover - compiled
    groups, hours = booths.shape
    new = booths.copy()
    backlog = np.zeros(groups)
    any_pool = in_pool.any()
    for _ in range(passes):
        for h in range(hours):
            last = (h + hours - 1) % hours
            want = new[:, h].copy()
            staffed = booths[:, h] > 0  # a closed hour stays closed
            for g in range(groups):
                if not staffed[g]:
                    continue
                low, high = bands[g, 0], bands[g, 1]
                before = new[g, last]
                n = max(want[g], floor[g])
                while (
                    n > floor[g]
                    and _wait(arrivals, service, cv2, offsets, backlog[g], before, g, h, n) < low
                    and _wait(arrivals, service, cv2, offsets, backlog[g], before, g, h, n - 1)
                    <= high
                ):
                    n -= 1
                while (
                    n < max_booths[g]
                    and _wait(arrivals, service, cv2, offsets, backlog[g], before, g, h, n) > high
                ):
                    n += 1
                want[g] = n
            while True:  # too few officers or pooled lanes: the least pressed give up a booth
                short = -1
                for k in range(on_duty.shape[0]):
                    total = 0
                    for g in range(groups):
                        if staff_of[g] == k:
                            total += want[g]
                    if total > on_duty[k, h]:
                        short = k
                        break
                pooled = 0
                for g in range(groups):
                    if in_pool[g]:
                        pooled += want[g]
                over_pool = any_pool and pooled > pool_booths
                if short < 0 and not over_pool:
                    break
                best, pressure = -1, np.inf
                for g in range(groups):
                    mine = staff_of[g] == short if short >= 0 else in_pool[g]
                    if staffed[g] and want[g] > floor[g] and mine:
                        before = new[g, last]
                        fewer = want[g] - 1
                        p = _wait(arrivals, service, cv2, offsets, backlog[g], before, g, h, fewer)
                        p /= bands[g, 1]
                        if best < 0 or p < pressure:
                            best, pressure = g, p
                if best < 0:
                    break
                want[best] -= 1
            if giver >= 0 and staffed[giver] and staffed[favoured]:
                while want[giver] > floor[giver] and want[favoured] < max_booths[favoured]:
                    w_giver = _wait(
                        arrivals, service, cv2, offsets, backlog[giver], new[giver, last],
                        giver, h, want[giver],
                    )  # fmt: skip
                    w_favoured = _wait(
                        arrivals, service, cv2, offsets, backlog[favoured], new[favoured, last],
                        favoured, h, want[favoured],
                    )  # fmt: skip
                    if not (w_giver < most_wait and ratio * w_favoured > w_giver):
                        break
                    want[giver] -= 1
                    want[favoured] += 1
            for g in range(groups):
                if want[g] > 0:
                    q = cleared(backlog[g], float(want[g]), float(new[g, last]))
                    mu = 3600.0 * want[g] / service[g, h]
                    backlog[g] = max(0.0, q + arrivals[g, h] - mu)
                else:
                    backlog[g] += arrivals[g, h]
            new[:, h] = want
    return new
