"""The officers' band each group of the report's regions table shows."""

from __future__ import annotations

from border21.reports.regions import _band_cell


def test_a_band_cell_reads_as_the_table_prints_it() -> None:
    assert _band_cell((("general", 60.0, 65.0),), "none") == "60–65"
    assert _band_cell((("general", 10.0, 30.0), ("ready", 7.5, 20.0)), "none") == (
        "general 10–30; ready 7.5–20"
    )
    assert _band_cell((), "none: the scenario's booths") == "none: the scenario's booths"
