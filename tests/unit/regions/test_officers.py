"""Officers' lane rule: hour by hour, the band held within lanes, officers and pooled lanes."""

from __future__ import annotations

import numpy as np

from border21.regions.fluid import group_waits
from border21.regions.officers import hold_band

BAND = np.array([[30.0, 65.0]])
SERVICE = np.full((1, 24), 120.0)  # 30 a booth-hour


def _hold(arrivals: np.ndarray, booths: np.ndarray, officers: int = 99, **kw: object) -> np.ndarray:
    groups = arrivals.shape[0]
    return hold_band(
        arrivals, booths, np.full((groups, 24), 120.0), 0.5, kw.pop("bands", BAND),  # type: ignore[arg-type]
        kw.pop("max_booths", np.full(groups, 16)),  # type: ignore[arg-type]
        np.full(24, officers), np.zeros((groups, 24)), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_steady_demand_is_held_in_the_band_with_a_standing_queue() -> None:
    """200 an hour: 7 booths (210) would clear the queue, so officers alternate 6 and 7 and
    the wait stays in the band in every hour, as CBP's overnight waits do."""
    arrivals = np.full((1, 24), 200.0)
    booths = _hold(arrivals, np.full((1, 24), 12))
    waits = group_waits(arrivals, booths, SERVICE, 0.5, days=3)
    assert ((waits >= 30) & (waits <= 65)).all(), waits.round()
    assert set(booths[0, 1:].tolist()) <= {6, 7}


def test_a_peak_opens_booths_up_to_the_group_s_booths_and_no_further() -> None:
    arrivals = np.full((1, 24), 100.0)
    arrivals[0, 8:12] = 900.0  # 30 booths' worth: more than the 16 there are
    booths = _hold(arrivals, np.full((1, 24), 4))
    assert booths[0, 9:12].tolist() == [16, 16, 16]
    assert booths.max() == 16 and booths.min() >= 1


def test_closed_hours_stay_closed_and_a_group_keeps_one_booth() -> None:
    arrivals = np.full((1, 24), 5.0)  # too few to hold any queue
    start = np.full((1, 24), 6)
    start[0, :5] = 0
    booths = _hold(arrivals, start)
    assert (booths[0, :5] == 0).all() and (booths[0, 5:] == 1).all()


def test_a_group_keeps_its_minimum_booths_in_its_open_hours() -> None:
    """SANDAG's "minimum allowed lanes": with a floor of 4 the quiet group keeps 4 (not 1) in
    every open hour, and its closed hours stay closed; a busier group is not held to it."""
    arrivals = np.full((1, 24), 5.0)
    start = np.full((1, 24), 6)
    start[0, :5] = 0
    booths = _hold(arrivals, start, min_booths=np.array([4]))
    assert (booths[0, :5] == 0).all() and (booths[0, 5:] == 4).all()
    busy = _hold(np.full((1, 24), 200.0), np.full((1, 24), 2), min_booths=np.array([4]))
    assert busy.min() >= 4 and busy.max() > 4


def test_a_floor_above_the_officers_on_duty_is_kept() -> None:
    """One officer for two groups with floors of 3 and 2: the floors stay open (the rule
    keeps them; officers short of them are the scenario's to fix), nothing above them."""
    booths = _hold(np.full((2, 24), 200.0), np.full((2, 24), 4), officers=1,
                   bands=np.array([[30.0, 65.0], [30.0, 65.0]]),
                   min_booths=np.array([3, 2]))  # fmt: skip
    assert (booths[0] == 3).all() and (booths[1] == 2).all()


def test_too_few_officers_share_the_shortage_by_pressure() -> None:
    """Two groups each wanting 16 booths at a peak, 20 officers: a booth at a time goes from
    the group that would be least pressed without it, so both keep several."""
    arrivals = np.full((2, 24), 100.0)
    arrivals[:, 8:12] = 900.0
    bands = np.array([[30.0, 65.0], [30.0, 55.0]])
    booths = _hold(arrivals, np.full((2, 24), 4), officers=20, bands=bands)
    assert (booths.sum(axis=0) <= 20).all()
    assert booths[:, 10].min() >= 8  # neither group starved
    assert booths[1, 10] >= booths[0, 10]  # the narrower band is pressed sooner


def test_flexible_lanes_move_to_the_busier_group_within_the_pool() -> None:
    """General and Ready share 20 booths' lanes: each may open up to all 20 (its own 10 and
    the other's), the two together at most 20."""
    arrivals = np.full((2, 24), 60.0)
    arrivals[0, 8:12] = 900.0  # General swamped, Ready quiet
    kw = {"bands": np.array([[30.0, 65.0], [30.0, 55.0]]), "max_booths": np.array([20, 20])}
    pooled = _hold(arrivals, np.full((2, 24), 2), pool=np.array([True, True]), pool_booths=20,
                   **kw)  # fmt: skip
    assert pooled[0, 10] > 10 and (pooled.sum(axis=0) <= 20).all()
    apart = _hold(arrivals, np.full((2, 24), 2), max_booths=np.array([10, 10]), bands=kw["bands"])
    assert apart[0, 10] == 10


def _balanced(ratio: float, most_wait: float = 120.0, favoured: int = 1) -> np.ndarray:
    """General (0) and Ready (1) in a pool of 20 booths, each banded alike (30–65 min), with
    SANDAG's balancing toward ``favoured``: 300 an hour each way from 08:00 to 12:00."""
    arrivals = np.full((2, 24), 60.0)
    arrivals[:, 8:12] = 300.0
    balance = None if ratio == 0 else (1 - favoured, favoured, ratio, most_wait)
    return _hold(arrivals, np.full((2, 24), 4), bands=np.array([[30.0, 65.0]] * 2),
                 max_booths=np.array([20, 20]), pool=np.array([True, True]), pool_booths=20,
                 passes=1, balance=balance)  # fmt: skip


def _waits(booths: np.ndarray) -> np.ndarray:
    arrivals = np.full((2, 24), 60.0)
    arrivals[:, 8:12] = 300.0
    return group_waits(arrivals, booths, np.full((2, 24), 120.0), 0.5, days=1)


def test_balancing_gives_the_favoured_group_booths_until_general_waits_its_ratio_longer() -> None:
    """Same demand, same band: the bands alone give the two groups the same booths and waits;
    with SANDAG's balance (1.45) booths go from General to Ready until General waits longer
    than Ready in every hour of the day's rise (06:00–14:00), the pool kept; a larger ratio
    moves more, and favouring General turns it round."""
    alone, balanced = _balanced(0.0), _balanced(1.45)
    assert (alone[0] == alone[1]).all()
    day = slice(6, 14)
    waits = _waits(balanced)
    assert (waits[0, day] > 1.2 * waits[1, day]).all(), waits[:, day].round()
    assert (balanced.sum(axis=0) <= 20).all()
    wider = _waits(_balanced(3.0))
    assert wider[1, day].mean() < waits[1, day].mean() < wider[0, day].mean()
    turned = _waits(_balanced(1.45, favoured=0))
    assert (turned[1, day] > 1.2 * turned[0, day]).all()


def test_balancing_stops_where_general_would_wait_past_the_balance_maximum() -> None:
    """SANDAG moves no lane once General waits 120 minutes; with a 5-minute maximum no booth
    moves in the busy hours, where General's wait under the bands is already past it."""
    capped = _balanced(3.0, most_wait=5.0)
    alone = _balanced(0.0)
    assert (capped[:, 8:12] == alone[:, 8:12]).all()
    assert (_waits(alone)[0, 8:12] > 5.0).all()


def test_balancing_never_takes_the_giver_below_its_floor() -> None:
    arrivals = np.full((2, 24), 60.0)
    booths = _hold(arrivals, np.full((2, 24), 4), bands=np.array([[30.0, 65.0]] * 2),
                   max_booths=np.array([20, 20]), pool=np.array([True, True]), pool_booths=20,
                   min_booths=np.array([3, 1]), balance=(0, 1, 10.0, 1440.0))  # fmt: skip
    assert booths[0].min() == 3


def test_officers_open_just_enough_and_from_a_single_booth() -> None:
    """From 1 or 2 booths, 200 an hour: officers open one at a time until the wait is in the
    band, so they stop at 7 (210 an hour), never 8; closing lanes clear their queue, so some
    hours hold it with 5."""
    arrivals = np.full((1, 24), 200.0)
    for start in (1, 2):
        booths = _hold(arrivals, np.full((1, 24), start))
        assert booths.max() == 7 and booths.min() >= 5


def test_officers_on_duty_are_all_used_when_short() -> None:
    arrivals = np.full((2, 24), 100.0)
    arrivals[:, 8:12] = 900.0
    bands = np.array([[30.0, 65.0], [30.0, 55.0]])
    booths = _hold(arrivals, np.full((2, 24), 4), officers=20, bands=bands)
    assert booths[:, 8:12].sum(axis=0).tolist() == [20, 20, 20, 20]


def test_each_kind_of_traffic_is_staffed_by_its_own_officers() -> None:
    """Two groups short of officers: in one staff of 20 they share the shortage; staffed
    apart (10 each, e.g. car and pedestrian lanes), a hard-pressed group cannot take a booth
    from the other's officers, and each staff's booths stay within its own officers."""
    arrivals = np.full((2, 24), 100.0)
    arrivals[0, 8:12] = 1500.0  # group 0 pressed far more than group 1
    arrivals[1, 8:12] = 400.0
    bands = np.array([[30.0, 65.0], [30.0, 65.0]])
    service = np.full((2, 24), 120.0)

    def hold(officers: np.ndarray, staff: np.ndarray | None) -> np.ndarray:
        return hold_band(arrivals, np.full((2, 24), 4), service, 0.5, bands, np.full(2, 16),
                         officers, np.zeros((2, 24)), staff=staff)  # fmt: skip

    shared = hold(np.full(24, 20), None)
    apart = hold(np.full((2, 24), 10), np.array([0, 1]))
    assert shared[:, 8:12].sum(axis=0).tolist() == [20] * 4
    assert (apart[:, 8:12] <= 10).all() and (apart[0, 8:12] == 10).all()
    assert (shared[0, 8:12] > apart[0, 8:12]).all()  # one staff: group 0 took group 1's


def test_the_shortage_is_taken_from_the_group_least_pressed_without_the_booth() -> None:
    """Group 0 is swamped (a booth fewer and its wait soars past its 65-minute maximum);
    group 1 is moderately busy with a 600-minute maximum: with 20 officers for both, the
    booths come off group 1 while group 0 keeps what it wants."""
    arrivals = np.full((2, 24), 100.0)
    arrivals[0, 8:12] = 420.0  # 14 booths' worth (30 an hour each)
    arrivals[1, 8:12] = 300.0
    bands = np.array([[30.0, 65.0], [30.0, 600.0]])
    alone = _hold(arrivals[:1], np.full((1, 24), 4), bands=bands[:1])
    both = _hold(arrivals, np.full((2, 24), 4), officers=20, bands=bands)
    assert (both[0, 8:12] == alone[0, 8:12]).all() and (both.sum(axis=0) <= 20).all()


def test_one_officer_short_the_group_with_the_looser_band_gives_up_the_booth() -> None:
    """One hour open, both groups at their 16 booths (band minima 0: they never close),
    31 officers: the booth comes off the group whose wait with one booth fewer is the
    smaller share of its band's maximum (30 min against the other's 10)."""
    arrivals = np.zeros((2, 24))
    arrivals[:, 0] = (180.0, 220.0)
    start = np.zeros((2, 24), dtype=int)
    start[:, 0] = 16
    booths = hold_band(arrivals, start, np.full((2, 24), 120.0), 0.5,
                       np.array([[0.0, 10.0], [0.0, 30.0]]), np.full(2, 16), np.full(24, 31),
                       np.zeros((2, 24)), passes=1)  # fmt: skip
    assert booths[:, 0].tolist() == [16, 15]


def test_officers_fewer_than_the_open_groups_leave_each_one_booth_all_day() -> None:
    """One officer, two groups open all day: neither closes below one booth, and the rule
    still goes through every hour (it does not stop at the first it cannot satisfy)."""
    booths = _hold(np.full((2, 24), 200.0), np.full((2, 24), 4), officers=1,
                   bands=np.array([[30.0, 65.0], [30.0, 65.0]]))  # fmt: skip
    assert (booths == 1).all()


def test_pooled_lanes_exactly_filled_are_not_cut() -> None:
    """Two flexible groups each wanting 4 booths, a pool of 8: nothing to give up."""
    arrivals = np.full((2, 24), 110.0)  # 4 booths (120 an hour) hold the band, 3 do not
    bands = np.array([[30.0, 65.0]] * 2)
    free = _hold(arrivals, np.full((2, 24), 4), bands=bands)
    most = int(free.sum(axis=0).max())
    pooled = _hold(arrivals, np.full((2, 24), 4), bands=bands, pool=np.array([True, True]),
                   pool_booths=most)  # fmt: skip
    assert (pooled == free).all()


def test_arrivals_while_a_group_is_closed_wait_for_its_opening() -> None:
    """Closed 00:00–06:00 with 100 arriving an hour: the 600 queued meet the opening, so
    officers open more booths at 06:00 than for one closed hour's 100."""
    arrivals = np.full((1, 24), 100.0)

    def opening(closed_from: int) -> int:
        start = np.full((1, 24), 4)
        start[0, closed_from:6] = 0
        return int(_hold(arrivals, start, passes=1)[0, 6])

    assert opening(0) > opening(5) >= 1


def test_the_simulator_s_correction_is_added_to_the_fluid_wait() -> None:
    """A positive offset (the simulator queues longer than the fluid model) makes officers
    see a longer wait and open more booths; a negative one, fewer."""
    arrivals = np.full((1, 24), 200.0)
    service = np.full((1, 24), 120.0)

    def hold(offset: float) -> np.ndarray:
        return hold_band(arrivals, np.full((1, 24), 12), service, 0.5, BAND, np.array([16]),
                         np.full(24, 99), np.full((1, 24), offset))  # fmt: skip

    assert hold(60.0).sum() > hold(0.0).sum() > hold(-25.0).sum()
