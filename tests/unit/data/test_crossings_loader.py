"""Crossings loader: validation, quarantine, idempotency, revisions, duplicates."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from border21.data.loaders import load_source
from border21.data.store import Store
from border21.errors import InputError


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _snapshot(store: Store) -> list[tuple[object, ...]]:
    return store.con.execute(
        "SELECT port_code, month, measure, value FROM crossings ORDER BY ALL"
    ).fetchall()


def test_loads_a_clean_slice(store: Store, fixtures: Path) -> None:
    result = load_source(store, "crossings", fixtures / "crossings_2024_slice.csv")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (14, 14, 0)
    assert (
        store.scalar(
            "SELECT value FROM crossings WHERE port_code = '2504' AND month = DATE '2024-01-01' "
            "AND measure = 'Personal Vehicles'"
        )
        > 1_000_000
    )
    ports = store.sql("SELECT port_code, port_name, field_office FROM ports ORDER BY 1")
    assert ports.values.tolist() == [
        ["2304", "Laredo", "LAREDO"], ["2504", "San Ysidro", "SAN DIEGO"],
        ["2506", "Otay Mesa", "SAN DIEGO"],
    ]  # fmt: skip
    status = store.status()
    assert status.loc[0, "rows_loaded"] == 14 and status.loc[0, "source"] == "crossings"


def test_bad_rows_are_quarantined_with_reason_and_line(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    rows = _rows(fixtures / "crossings_2024_slice.csv")
    rows[2][4] = "Foo 2024"  # line 3: unparseable date
    rows[3][6] = "-5"  # line 4: negative count
    rows[4][2] = "XX1"  # line 5: unknown port code
    rows[5][5] = "Hovercraft"  # line 6: unknown measure
    rows[6][6] = "12.5"  # line 7: not an integer
    bad = _write(tmp_path / "bad.csv", rows)
    result = load_source(store, "crossings", bad)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (14, 9, 5)
    got = store.con.execute("SELECT line_number, reason FROM quarantine ORDER BY 1").fetchall()
    assert [line for line, _ in got] == [3, 4, 5, 6, 7]
    reasons = [reason for _, reason in got]
    assert reasons[0].startswith("unparseable date Foo 2024")
    assert reasons[1] == "negative count -5"
    assert reasons[2] == "unknown port code XX1"
    assert reasons[3] == "unknown measure Hovercraft"
    assert reasons[4].startswith("value not an integer")
    raw = store.scalar("SELECT raw_row FROM quarantine WHERE line_number = 4")
    assert '"Value":"-5"' in raw


@pytest.mark.parametrize(
    ("drop", "add", "message"),
    [
        ("Measure", None, "missing columns 'Measure'"),
        (None, "Colour", "unexpected columns 'Colour'"),
        ("Value", "Count", "missing columns 'Value'; unexpected columns 'Count'"),
    ],
)
def test_files_with_wrong_columns_are_refused_naming_them(
    store: Store, fixtures: Path, tmp_path: Path, drop: str | None, add: str | None, message: str
) -> None:
    rows = _rows(fixtures / "crossings_2024_slice.csv")
    if drop:
        i = rows[0].index(drop)
        rows = [r[:i] + r[i + 1 :] for r in rows]
    if add:
        rows = [r + ([add] if n == 0 else ["x"]) for n, r in enumerate(rows)]
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        load_source(store, "crossings", _write(tmp_path / "cols.csv", rows))
    assert store.scalar("SELECT count(*) FROM loads") == 0
    assert store.scalar("SELECT count(*) FROM crossings") == 0


def test_loading_the_same_file_twice_changes_nothing(store: Store, fixtures: Path) -> None:
    first = load_source(store, "crossings", fixtures / "crossings_2024_slice.csv")
    before = _snapshot(store)
    again = load_source(store, "crossings", fixtures / "crossings_2024_slice.csv")
    assert again.unchanged and again.load_id is None and "already loaded" in again.summary()
    assert _snapshot(store) == before
    assert store.scalar("SELECT count(*) FROM loads") == 1
    forced = load_source(store, "crossings", fixtures / "crossings_2024_slice.csv", force=True)
    assert forced.load_id == (first.load_id or 0) + 1
    assert _snapshot(store) == before


def test_newer_overlapping_release_updates_never_duplicates(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    load_source(store, "crossings", fixtures / "crossings_2024_slice.csv")
    rows = _rows(fixtures / "crossings_2024_slice_newer.csv")
    revised = next(r for r in rows[1:] if r[4] == "Feb 2024" and r[2] == "2504")
    revised[6] = str(int(revised[6]) + 1000)  # the publisher revised a February figure
    newer = _write(tmp_path / "newer.csv", rows)
    load_source(store, "crossings", newer)
    counts = store.sql("SELECT month, count(*) AS n FROM crossings GROUP BY 1 ORDER BY 1")
    assert counts["n"].tolist() == [6, 8, 8]  # Jan from old, Feb replaced, Mar new
    assert store.scalar("SELECT count(*) FROM (SELECT DISTINCT * FROM crossings)") == 22
    got = store.scalar(
        "SELECT value FROM crossings WHERE port_code = '2504' AND month = DATE '2024-02-01' "
        "AND measure = ?",
        [revised[5]],
    )
    assert got == int(revised[6])


def test_exact_repeats_are_skipped_and_conflicting_ones_quarantined(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    rows = _rows(fixtures / "crossings_2024_slice.csv")
    conflicting = list(rows[2])
    conflicting[6] = "1"
    rows += [list(rows[1]), conflicting]  # lines 16 (exact repeat of 2) and 17
    result = load_source(store, "crossings", _write(tmp_path / "dup.csv", rows))
    assert (result.rows_loaded, result.rows_skipped, result.rows_quarantined) == (14, 1, 1)
    assert store.con.execute("SELECT line_number, reason FROM quarantine").fetchall() == [
        (17, "conflicting duplicate of line 3")
    ]


def test_parquet_input_reads_like_csv(store: Store, fixtures: Path, tmp_path: Path) -> None:
    pq = tmp_path / "slice.parquet"
    store.con.execute(
        f"COPY (SELECT * FROM read_csv('{fixtures / 'crossings_2024_slice.csv'}', "
        f"all_varchar=true)) TO '{pq}' (FORMAT parquet)"
    )
    result = load_source(store, "crossings", pq)
    assert result.rows_loaded == 14
