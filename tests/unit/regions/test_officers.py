"""Officers' lane rule: opens above the band, closes below it, within lanes and officers."""

from __future__ import annotations

import numpy as np

from border21.regions.officers import update_booths

BAND = np.array([[30.0, 65.0]])


def test_opens_above_the_band_and_closes_below_it() -> None:
    new = update_booths(
        np.array([[4, 4, 4]]), np.array([[70.0, 50.0, 20.0]]), BAND, np.array([8]),
        np.array([20, 20, 20]),
    )  # fmt: skip
    assert new.tolist() == [[5, 4, 3]]


def test_never_beyond_the_booths_never_below_one_never_opens_a_closed_hour() -> None:
    new = update_booths(
        np.array([[8, 1, 0]]), np.array([[500.0, 0.0, 500.0]]), BAND, np.array([8]),
        np.array([20, 20, 20]),
    )  # fmt: skip
    assert new.tolist() == [[8, 1, 0]]


def test_officers_on_duty_go_to_the_group_furthest_above_its_band() -> None:
    bands = np.array([[30.0, 65.0], [30.0, 55.0]])
    booths = np.array([[4], [4]])
    waits = np.array([[70.0], [110.0]])  # 1.08 and 2.0 times their maxima
    new = update_booths(booths, waits, bands, np.array([8, 8]), np.array([9]))
    assert new.tolist() == [[4], [5]]
    # A group closing below its band frees an officer for another group in the same hour.
    new = update_booths(booths, np.array([[10.0], [110.0]]), bands, np.array([8, 8]), np.array([8]))
    assert new.tolist() == [[3], [5]]


def test_fewer_officers_than_open_booths_close_the_least_pressed_group_first() -> None:
    bands = np.array([[30.0, 65.0], [30.0, 55.0]])
    new = update_booths(
        np.array([[4], [4]]), np.array([[40.0], [50.0]]), bands, np.array([8, 8]), np.array([6])
    )
    assert new.tolist() == [[2], [4]]


def test_in_the_last_phase_officers_only_open() -> None:
    new = update_booths(
        np.array([[4, 4]]), np.array([[70.0, 10.0]]), BAND, np.array([8]), np.array([20, 20]),
        close=False,
    )  # fmt: skip
    assert new.tolist() == [[5, 4]]
