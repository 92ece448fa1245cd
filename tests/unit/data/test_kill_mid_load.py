"""A loader killed mid-transaction leaves the previous state intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from border21.data.loaders import load_source
from border21.data.store import open_store

CHILD = textwrap.dedent(
    """
    import sys, time
    from border21.data.loaders import _base, load_source
    from border21.data.store import open_store

    original = _base._apply

    def apply_then_hang(*args, **kwargs):
        result = original(*args, **kwargs)  # every row written, COMMIT not yet run
        print("APPLIED", flush=True)
        time.sleep(120)
        return result

    _base._apply = apply_then_hang
    store = open_store(sys.argv[1], threads=1)
    load_source(store, "crossings", sys.argv[2])
    """
)


def _state(db: Path) -> tuple[list[tuple[object, ...]], int, int]:
    with open_store(db, read_only=True) as s:
        rows = s.con.execute("SELECT * FROM crossings ORDER BY ALL").fetchall()
        return (
            rows,
            int(s.scalar("SELECT count(*) FROM loads")),
            int(s.scalar("SELECT count(*) FROM quarantine")),
        )


def test_sigkill_during_load_keeps_previous_state(fixtures: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_store(db, threads=1) as s:
        load_source(s, "crossings", fixtures / "crossings_2024_slice.csv")
    before = _state(db)
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(fixtures / "crossings_2024_slice_newer.csv")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert child.stdout is not None and child.stderr is not None
            line = child.stdout.readline()
            assert line.strip() == "APPLIED", child.stderr.read()
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert _state(db) == before
    # and the database is still writable: the same file now loads normally
    with open_store(db, threads=1) as s:
        result = load_source(s, "crossings", fixtures / "crossings_2024_slice_newer.csv")
    assert result.rows_loaded == 16
