"""Properties of the crossings loader against a plain-Python oracle.

* every row read is loaded, skipped or quarantined — nothing is lost;
* the stored table equals the oracle: invalid rows out, the first row of a
  key wins, exact repeats skipped, conflicting repeats quarantined;
* loading release A then an overlapping release B equals "B wins for its keys".
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given, settings
from hypothesis import strategies as st

from border21.data.loaders import load_source
from border21.data.store import open_store

HEADER = ["Port Name", "State", "Port Code", "Border", "Date", "Measure", "Value"]
PORTS = {"2504": "San Ysidro", "2304": "Laredo", "XX": "Nowhere"}
MONTHS = ["Jan 2020", "Feb 2020", "Mar 2020", "Foo 2020"]
MEASURES = ["Trucks", "Pedestrians", "Hovercraft"]

row = st.tuples(
    st.sampled_from(sorted(PORTS)),
    st.sampled_from(MONTHS),
    st.sampled_from(MEASURES),
    st.one_of(st.integers(-3, 50).map(str), st.sampled_from(["", "1.5", "x"])),
)


def _valid(r: tuple[str, str, str, str]) -> bool:
    port, month, measure, value = r
    return (
        port.isdigit() and not month.startswith("Foo") and measure != "Hovercraft"
        and value.lstrip("-").isdigit() and int(value) >= 0
    )  # fmt: skip


def _oracle(rows: list[tuple[str, str, str, str]]) -> tuple[dict[tuple[str, str, str], int], int]:
    table: dict[tuple[str, str, str], int] = {}
    quarantined = 0
    for r in rows:
        if not _valid(r):
            quarantined += 1
            continue
        key, value = r[:3], int(r[3])
        if key in table and table[key] != value:
            quarantined += 1
        table.setdefault(key, value)
    return table, quarantined


def _csv(rows: list[tuple[str, str, str, str]], path: Path) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    for port, month, measure, value in rows:
        writer.writerow([PORTS[port], "CA", port, "US-Mexico Border", month, measure, value])
    path.write_text(buf.getvalue())
    return path


def _stored(store: object) -> dict[tuple[str, str, str], int]:
    rows = store.con.execute(  # type: ignore[attr-defined]
        "SELECT port_code, strftime(month, '%b %Y'), measure, value FROM crossings"
    ).fetchall()
    return {(p, m, me): v for p, m, me, v in rows}


@settings(max_examples=40, deadline=None)
@given(st.lists(row, min_size=1, max_size=40))
def test_nothing_lost_and_table_equals_oracle(rows: list[tuple[str, str, str, str]]) -> None:
    with TemporaryDirectory() as tmp, open_store(None, threads=1) as store:
        result = load_source(store, "crossings", _csv(rows, Path(tmp) / "a.csv"))
        expected, quarantined = _oracle(rows)
        assert result.rows_read == len(rows)
        assert result.rows_loaded + result.rows_skipped + result.rows_quarantined == len(rows)
        assert result.rows_quarantined == quarantined
        assert _stored(store) == expected
        assert store.scalar("SELECT count(*) FROM quarantine") == quarantined


@settings(max_examples=30, deadline=None)
@given(st.lists(row, min_size=1, max_size=25), st.lists(row, min_size=1, max_size=25))
def test_newer_release_wins_for_its_keys(
    old: list[tuple[str, str, str, str]], new: list[tuple[str, str, str, str]]
) -> None:
    with TemporaryDirectory() as tmp, open_store(None, threads=1) as store:
        load_source(store, "crossings", _csv(old, Path(tmp) / "old.csv"))
        load_source(store, "crossings", _csv(new, Path(tmp) / "new.csv"))
        expected = {**_oracle(old)[0], **_oracle(new)[0]}
        assert _stored(store) == expected


valid_row = st.tuples(
    st.sampled_from(["2504", "2304", "2506", "2402"]),
    st.sampled_from(["Dec 2019", "Jan 2020", "Feb 2020", "Jan 2021"]),
    st.sampled_from(["Trucks", "Personal Vehicles"]),
    st.integers(0, 10**9).map(str),
)
STATE_OF = {"2504": "California", "2506": "California", "2304": "Texas", "2402": "Texas"}


@settings(max_examples=30, deadline=None)
@given(st.lists(valid_row, min_size=1, max_size=40, unique_by=lambda r: r[:3]))
def test_indicator_sql_equals_python_sums(rows: list[tuple[str, str, str, str]]) -> None:
    from border21.data import indicators as ind

    with TemporaryDirectory() as tmp, open_store(None, threads=1) as store:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(HEADER)
        for port, month, measure, value in rows:
            writer.writerow([f"P{port}", STATE_OF[port], port, "US-Mexico Border", month, measure,
                             value])  # fmt: skip
        (Path(tmp) / "v.csv").write_text(buf.getvalue())
        load_source(store, "crossings", Path(tmp) / "v.csv")
        frame = ind.crossings(store, measure=["Trucks", "Personal Vehicles"], by="state",
                              freq="year")  # fmt: skip
        got = {(r.group, r.period.year): r.value for r in frame.itertuples()}
        oracle: dict[tuple[str, int], int] = {}
        for port, month, _, value in rows:
            key = (STATE_OF[port], int(month[-4:]))
            oracle[key] = oracle.get(key, 0) + int(value)
        assert got == oracle
        assert store.scalar("SELECT count(*) FROM crossings") == len(rows)
