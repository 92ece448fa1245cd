"""The one load pipeline every source shares.

A source is declared as a :class:`SourceSpec`: the columns its file must have,
the table it fills, its key, and one SQL ``SELECT`` that parses the raw text
columns (table ``_raw``, every column VARCHAR, plus ``line_number``) into the
table's columns plus a ``reason`` column (NULL when the row is good) and a
``skip`` flag (publisher subtotal rows that are not data).

The pipeline: hash the file; refuse it if columns are missing or unexpected;
then, in ONE transaction, stage it, quarantine bad rows with their reason and
source line, upsert good rows by key (a newer release replaces overlapping
rows, never duplicates them) and record the load. A crash before COMMIT leaves
the previous state intact. Loading a file whose sha256 was already loaded for
the same source is a no-op unless ``force=True``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from border21.errors import InputError

if TYPE_CHECKING:
    from border21.data.store import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceSpec:
    """How to load one publisher's file into one table."""

    name: str
    description: str
    columns: tuple[str, ...]
    table: str
    target_columns: tuple[str, ...]
    key: tuple[str, ...]
    parse_sql: str
    optional_columns: tuple[str, ...] = ()
    after_sql: tuple[str, ...] = ()
    encoding: str = "utf-8"
    read_excel: Callable[[Path], Any] | None = field(default=None)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What one load did. ``unchanged`` means the same file was already loaded."""

    source: str
    file_name: str
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_skipped: int
    load_id: int | None
    unchanged: bool = False

    def summary(self) -> str:
        """One line for humans.

        >>> LoadResult("crossings", "f.csv", "ab", 3, 2, 1, 0, 7).summary()
        'crossings: f.csv read 3, loaded 2, quarantined 1, skipped 0 (load 7)'
        """
        if self.unchanged:
            return f"{self.source}: {self.file_name} already loaded (sha256 {self.sha256[:12]})"
        return (
            f"{self.source}: {self.file_name} read {self.rows_read}, loaded {self.rows_loaded}, "
            f"quarantined {self.rows_quarantined}, skipped {self.rows_skipped} "
            f"(load {self.load_id})"
        )


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reader_sql(spec: SourceSpec, path: Path) -> tuple[str, list[Any]]:
    suffix = "".join(path.suffixes[-2:]).lower()
    if suffix.endswith(".parquet"):
        return "SELECT COLUMNS(*)::VARCHAR FROM read_parquet(?)", [str(path)]
    enc = "latin-1" if spec.encoding.lower() in ("latin1", "latin-1") else spec.encoding
    return (
        "SELECT * FROM read_csv(?, all_varchar=true, header=true, null_padding=true, "
        f"encoding='{enc}')",
        [str(path)],
    )


def _stage(store: Store, spec: SourceSpec, path: Path) -> list[str]:
    """Create ``_raw`` (all VARCHAR + line_number) from the file; return its header."""
    import duckdb

    con = store.con
    try:
        if spec.read_excel is not None and path.suffix.lower() in (".xlsx", ".xls"):
            frame = spec.read_excel(path)
            con.register("_excel_frame", frame)
            con.execute("CREATE OR REPLACE TEMP TABLE _raw0 AS SELECT * FROM _excel_frame")
            con.unregister("_excel_frame")
        else:
            sql, params = _reader_sql(spec, path)
            con.execute(f"CREATE OR REPLACE TEMP TABLE _raw0 AS {sql}", params)
    except duckdb.Error as exc:
        raise InputError("file", str(path), str(exc).strip().splitlines()[0]) from None
    header = [r[0] for r in con.execute("DESCRIBE _raw0").fetchall()]
    # rowid follows insertion (= file) order; temp tables offset it, so rebase; +2 = header
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _raw AS "
        "SELECT rowid - (SELECT min(rowid) FROM _raw0) + 2 AS line_number, * FROM _raw0"
    )
    con.execute("DROP TABLE _raw0")
    return header


def check_columns(spec: SourceSpec, header: list[str], file_name: str) -> None:
    """Refuse a file whose columns differ from the source's contract, naming them."""
    expected = set(spec.columns)
    allowed = expected | set(spec.optional_columns)
    missing = [c for c in spec.columns if c not in header]
    unexpected = [c for c in header if c not in allowed]
    problems = []
    if missing:
        problems.append("missing columns " + ", ".join(repr(c) for c in missing))
    if unexpected:
        problems.append("unexpected columns " + ", ".join(repr(c) for c in unexpected))
    if problems:
        raise InputError(
            f"{spec.name} file",
            file_name,
            "; ".join(problems) + f" (expected {list(spec.columns)})",
        )


def _already_loaded(store: Store, source: str, digest: str) -> bool:
    n = store.scalar("SELECT count(*) FROM loads WHERE source = ? AND sha256 = ?", [source, digest])
    return bool(n)


def load_file(
    store: Store, spec: SourceSpec, path: Path, *, force: bool = False, label: str | None = None
) -> LoadResult:
    """Load ``path`` as source ``spec`` in one transaction; see the module docstring."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file", str(path), "no such file")
    file_name = label or path.name
    digest = sha256_of(path)
    if not force and _already_loaded(store, spec.name, digest):
        return LoadResult(spec.name, file_name, digest, 0, 0, 0, 0, None, unchanged=True)
    started = datetime.now()
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        header = _stage(store, spec, path)
        check_columns(spec, header, file_name)
        for col in spec.optional_columns:  # absent optional columns read as NULL
            if col not in header:
                con.execute(f"ALTER TABLE _raw ADD COLUMN {_q(col)} VARCHAR")
        result = _apply(store, spec, header, file_name, digest, started)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result


def _apply(
    store: Store, spec: SourceSpec, header: list[str], file_name: str, digest: str, started: Any
) -> LoadResult:
    con = store.con
    load_id = int(store.scalar("SELECT nextval('load_id_seq')"))
    key = ", ".join(spec.key)
    cols = ", ".join(spec.target_columns)
    # Exact repeats of a row are skipped; a repeated key with other values is quarantined.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _parsed AS
            WITH p AS ({spec.parse_sql}),
            q AS (SELECT *, (reason IS NULL AND NOT skip) AS ok,
                         md5(concat_ws('|', {cols})) AS row_hash FROM p),
            d AS (SELECT *, row_number() OVER w AS dup_rank,
                         first_value(row_hash) OVER w AS first_hash,
                         first_value(line_number) OVER w AS first_line
                  FROM q WINDOW w AS (PARTITION BY {key}, ok ORDER BY line_number))
            SELECT *,
                   CASE WHEN skip THEN NULL
                        WHEN ok AND dup_rank > 1 AND row_hash <> first_hash
                        THEN 'conflicting duplicate of line ' || first_line
                        ELSE reason END AS why,
                   skip OR (ok AND dup_rank > 1 AND row_hash = first_hash) AS skipped
            FROM d"""
    )
    raw_json = "json_object(" + ", ".join(f"'{h}', r.{_q(h)}" for h in header) + ")::VARCHAR"
    con.execute(
        f"""INSERT INTO quarantine
            SELECT ?, ?, p.line_number, min(p.why), any_value({raw_json})
            FROM _parsed p JOIN _raw r USING (line_number)
            WHERE p.why IS NOT NULL GROUP BY p.line_number""",
        [load_id, spec.name],
    )
    con.execute(
        f"""INSERT OR REPLACE INTO {spec.table} ({cols}, load_id)
            SELECT {cols}, {load_id} FROM _parsed WHERE why IS NULL AND NOT skipped"""
    )
    for sql in spec.after_sql:
        con.execute(sql)
    counts = con.execute(
        """SELECT (SELECT count(*) FROM _raw),
                  count(*) FILTER (WHERE why IS NULL AND NOT skipped),
                  count(DISTINCT line_number) FILTER (WHERE why IS NOT NULL),
                  count(DISTINCT line_number) FILTER (WHERE why IS NULL AND skipped)
           FROM _parsed"""
    ).fetchone()
    assert counts is not None
    read, loaded, quarantined, skipped = (int(c) for c in counts)
    con.execute(
        "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [load_id, spec.name, file_name, digest, read, loaded, quarantined, skipped, started],
    )
    con.execute("DROP TABLE _parsed")
    con.execute("DROP TABLE _raw")
    return LoadResult(spec.name, file_name, digest, read, loaded, quarantined, skipped, load_id)
