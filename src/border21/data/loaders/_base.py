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
from border21.i18n.message import Message

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
    # Cells with line breaks inside quotes (addresses, notes): DuckDB's parallel CSV
    # scanner refuses them with null_padding, so such a source is read on one thread.
    quoted_newlines: bool = False
    read_excel: Callable[[Path], Any] | None = field(default=None)
    # The publisher's range: rows whose ``year_sql`` (an expression over the parsed
    # columns) falls outside first_year … last_year (None: the current year plus
    # ``years_ahead``) are quarantined, so a typo like 1019 or 2091 is never loaded.
    year_sql: str | None = None
    first_year: int = 0
    last_year: int | None = None
    years_ahead: int = 0

    def year_range(self, today: datetime) -> tuple[int, int]:
        """First and last year this publisher can have data for, as of ``today``."""
        last = self.last_year if self.last_year is not None else today.year + self.years_ahead
        return self.first_year, last


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
    rows_replaced: int = 0

    def summary(self) -> str:
        """One line for humans.

        >>> LoadResult("crossings", "f.csv", "ab", 3, 2, 1, 0, 7).summary()
        'crossings: f.csv read 3, loaded 2, quarantined 1, skipped 0 (load 7)'
        >>> LoadResult("crossings", "f.csv", "ab", 3, 3, 0, 0, 8, rows_replaced=3).summary()
        'crossings: f.csv read 3, loaded 3, quarantined 0, skipped 0, replaced 3 stored (load 8)'
        """
        if self.unchanged:
            return f"{self.source}: {self.file_name} already loaded (sha256 {self.sha256[:12]})"
        replaced = f", replaced {self.rows_replaced} stored" if self.rows_replaced else ""
        return (
            f"{self.source}: {self.file_name} read {self.rows_read}, loaded {self.rows_loaded}, "
            f"quarantined {self.rows_quarantined}, skipped {self.rows_skipped}{replaced} "
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


def _duckdb_encoding(spec: SourceSpec) -> str:
    return "latin-1" if spec.encoding.lower() in ("latin1", "latin-1") else spec.encoding


def csv_header(path: Path, encoding: str = "utf-8") -> tuple[list[str], str]:
    """Column names and delimiter of a CSV file, from its first line (BOM-safe).

    Reading the header in Python lets DuckDB skip its sniffer: the load then
    parses every column as text with the delimiter given.
    """
    import csv

    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    with path.open(newline="", encoding=enc, errors="replace") as fh:
        first = fh.readline()
    delim = max((",", ";", "\t", "|"), key=first.count)
    return next(csv.reader([first], delimiter=delim), []), delim


def first_undecodable(path: Path, encoding: str = "utf-8") -> str | None:
    """Where a text file first breaks ``encoding``, and the encoding that reads it.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = f.write_bytes(b"a,b\\n1,Ju\\xe1rez\\n")
    >>> first_undecodable(f)[:65]
    'line 2, byte 5: 0xe1 is not valid utf-8; the file reads as cp1252'
    """
    if path.suffix.lower() in (".parquet", ".xlsx", ".xls"):
        return None
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                byte = line[exc.start]
                return Message(
                    "line {line}, byte {at}: {byte:#04x} is not valid {encoding}; {hint}",
                    line=number,
                    at=exc.start + 1,
                    byte=byte,
                    encoding=encoding,
                    hint=_encoding_hint(path),
                )
    return None


def _encoding_hint(path: Path) -> str:
    data = path.read_bytes()
    for enc, label in (("utf-8", "UTF-8"), ("cp1252", "cp1252 (Windows Latin-1)")):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8":
            return Message("the file reads as UTF-8 elsewhere: check that line")
        command = f"iconv -f {enc} -t utf-8 {path.name} > {path.stem}-utf8{path.suffix}"
        return Message(
            "the file reads as {label}: re-save it as UTF-8, e.g. `{command}`",
            label=label,
            command=command,
        )
    command = f"iconv -f latin1 -t utf-8 {path.name} > {path.stem}-utf8{path.suffix}"
    return Message(
        "the file reads as {label}: re-save it as UTF-8, e.g. `{command}`",
        label="latin-1 (ISO-8859-1)",
        command=command,
    )


def _reader_sql(spec: SourceSpec, path: Path) -> tuple[str, list[Any]]:
    suffix = "".join(path.suffixes[-2:]).lower()
    if suffix.endswith(".parquet"):
        return "SELECT COLUMNS(*)::VARCHAR FROM read_parquet(?)", [str(path)]
    header, delim = csv_header(path, spec.encoding)
    if not header or len(set(header)) != len(header):
        raise InputError("file", str(path), Message("no header line, or repeated column names"))
    columns = (
        "{" + ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in header) + "}"
    )
    parallel = ", parallel=false" if spec.quoted_newlines else ""
    return (
        f"""SELECT * FROM read_csv(?, columns={columns}, header=true, auto_detect=false,
                delim='{delim}', quote='"', escape='"', null_padding=true,
                encoding='{_duckdb_encoding(spec)}'{parallel})""",
        [str(path)],
    )


def _stage(store: Store, spec: SourceSpec, path: Path) -> list[str]:
    """Stage the file as ``_raw0`` (every column VARCHAR); return its header."""
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
        bad = first_undecodable(path, spec.encoding)
        raise InputError("file", str(path), bad or str(exc).strip().splitlines()[0]) from None
    header = [r[0] for r in con.execute("DESCRIBE _raw0").fetchall()]
    return header


def _number_lines(con: Any) -> None:
    """Expose the staged rows as view ``_raw`` with their source ``line_number``."""
    # rowid follows insertion (= file) order; temp tables offset it, so rebase; +2 = header.
    # A view, not a copy: the parse reads the staged rows once.
    base = int(con.execute("SELECT coalesce(min(rowid), 0) FROM _raw0").fetchone()[0])
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW _raw AS SELECT rowid - {base} + 2 AS line_number, * "
        "FROM _raw0"
    )


def _skeleton(name: str) -> str:
    """ASCII letters and digits only, lower case: ``"Año"`` and a mis-encoded ``"AÒo"``
    both give ``"ao"``. Used to recognise headers whose accents were mangled."""
    ascii_only = "".join(c for c in name.lower() if c.isascii())
    return " ".join("".join(c if c.isalnum() else " " for c in ascii_only).split())


def reconcile_header(spec: SourceSpec, header: list[str]) -> dict[str, str]:
    """Map header names that match an expected column only up to accents or encoding
    damage (same :func:`_skeleton`, unambiguous) to the expected name."""
    expected = [c for c in spec.columns + spec.optional_columns if c not in header]
    by_skeleton: dict[str, list[str]] = {}
    for col in expected:
        by_skeleton.setdefault(_skeleton(col), []).append(col)
    mapping = {}
    for name in header:
        if name in spec.columns or name in spec.optional_columns:
            continue
        candidates = by_skeleton.get(_skeleton(name), [])
        if len(candidates) == 1:
            mapping[name] = candidates[0]
    return mapping


def check_columns(spec: SourceSpec, header: list[str], file_name: str) -> None:
    """Refuse a file whose columns differ from the source's contract, naming them."""
    expected = set(spec.columns)
    allowed = expected | set(spec.optional_columns)
    missing = [c for c in spec.columns if c not in header]
    unexpected = [c for c in header if c not in allowed]
    problems = []
    if missing:
        names = ", ".join(repr(c) for c in missing)
        problems.append(Message("missing columns {names}", names=names))
    if unexpected:
        names = ", ".join(repr(c) for c in unexpected)
        problems.append(Message("unexpected columns {names}", names=names))
    if problems:
        raise InputError(
            f"{spec.name} file",
            file_name,
            Message(
                "{problems} (expected {expected})",
                problems=Message.join_all("; ", problems),
                expected=list(spec.columns),
            ),
        )


def _already_loaded(store: Store, source: str, digest: str) -> bool:
    n = store.scalar("SELECT count(*) FROM loads WHERE source = ? AND sha256 = ?", [source, digest])
    return bool(n)


def _quarantine_years(store: Store, spec: SourceSpec, today: datetime) -> None:
    """Give good rows dated outside the publisher's range a quarantine reason."""
    if spec.year_sql is None:
        return
    first, last = spec.year_range(today)
    store.con.execute(
        f"""UPDATE _parsed SET ok = FALSE,
                why = 'year ' || ({spec.year_sql}) || ' outside the publisher''s range '
                      || {first} || '–' || {last}
            WHERE why IS NULL AND NOT skipped
              AND ({spec.year_sql}) NOT BETWEEN {first} AND {last}"""
    )


def _mark_duplicates(store: Store, spec: SourceSpec) -> None:
    """Set ``why`` (quarantine reason) and ``skipped`` on repeated keys in ``_parsed``.

    Among good rows sharing a key, the first (by line) wins; a later exact repeat is
    skipped, a later row with other values is quarantined. Only keys that occur more
    than once are ranked, so a clean file costs one GROUP BY.
    """
    con = store.con
    key = ", ".join(spec.key)
    cols = ", ".join(spec.target_columns)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _dups AS
            WITH d AS (
                SELECT line_number, {key}, md5(concat_ws('|', {cols})) AS row_hash
                FROM _parsed
                WHERE ok AND ({key}) IN (
                    SELECT ({key}) FROM _parsed WHERE ok GROUP BY ALL HAVING count(*) > 1)),
            r AS (
                SELECT *, row_number() OVER w AS dup_rank,
                       first_value(row_hash) OVER w AS first_hash,
                       first_value(line_number) OVER w AS first_line
                FROM d WINDOW w AS (PARTITION BY {key} ORDER BY line_number))
            SELECT line_number, {key}, row_hash = first_hash AS same, first_line
            FROM r WHERE dup_rank > 1"""
    )
    same_key = " AND ".join(f"p.{k} = d.{k}" for k in spec.key)
    # rare in practice, so an UPDATE of the few repeated rows beats rewriting the table
    con.execute(
        f"""UPDATE _parsed p
            SET why = CASE WHEN d.same THEN NULL
                           ELSE 'conflicting duplicate of line ' || d.first_line END,
                skipped = d.same
            FROM _dups d
            WHERE p.line_number = d.line_number AND {same_key}"""
    )


def load_file(
    store: Store, spec: SourceSpec, path: Path, *, force: bool = False, label: str | None = None
) -> LoadResult:
    """Load ``path`` as source ``spec`` in one transaction; see the module docstring."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file", str(path), Message("no such file"))
    file_name = label or path.name
    digest = sha256_of(path)
    if not force and _already_loaded(store, spec.name, digest):
        return LoadResult(spec.name, file_name, digest, 0, 0, 0, 0, None, unchanged=True)
    started = datetime.now()
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        header = _stage(store, spec, path)
        for old, new in reconcile_header(spec, header).items():
            con.execute(f"ALTER TABLE _raw0 RENAME COLUMN {_q(old)} TO {_q(new)}")
            header[header.index(old)] = new
        check_columns(spec, header, file_name)
        for col in spec.optional_columns:  # absent optional columns read as NULL
            if col not in header:
                con.execute(f"ALTER TABLE _raw0 ADD COLUMN {_q(col)} VARCHAR")
        _number_lines(con)
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
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _parsed AS
            SELECT *, (reason IS NULL AND NOT skip) AS ok,
                   CASE WHEN skip THEN NULL ELSE reason END AS why, skip AS skipped
            FROM ({spec.parse_sql})"""
    )
    _quarantine_years(store, spec, started)
    _mark_duplicates(store, spec)
    raw_json = "json_object(" + ", ".join(f"'{h}', r.{_q(h)}" for h in header) + ")::VARCHAR"
    con.execute(
        f"""INSERT INTO quarantine
            SELECT ?, ?, p.line_number, min(p.why), any_value({raw_json})
            FROM _parsed p JOIN _raw r USING (line_number)
            WHERE p.why IS NOT NULL GROUP BY p.line_number""",
        [load_id, spec.name],
    )
    # upsert: rows of this release replace the stored rows with the same key
    deleted = con.execute(
        f"""DELETE FROM {spec.table} WHERE ({key}) IN (
                SELECT ({key}) FROM _parsed WHERE why IS NULL AND NOT skipped)"""
    ).fetchone()
    inserted = con.execute(
        f"""INSERT INTO {spec.table} ({cols}, load_id)
            SELECT {cols}, {load_id} FROM _parsed WHERE why IS NULL AND NOT skipped"""
    ).fetchone()
    for sql in spec.after_sql:
        con.execute(sql)
    read = int(store.scalar("SELECT count(*) FROM _raw0"))
    loaded = int(inserted[0]) if inserted else 0
    quarantined = int(store.scalar("SELECT count(*) FROM quarantine WHERE load_id = ?", [load_id]))
    skipped = int(
        store.scalar(
            """SELECT count(DISTINCT line_number) FROM _parsed
               WHERE skipped AND why IS NULL AND line_number NOT IN (
                   SELECT line_number FROM _parsed WHERE NOT skipped OR why IS NOT NULL)"""
        )
    )
    con.execute(
        "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [load_id, spec.name, file_name, digest, read, loaded, quarantined, skipped, started],
    )
    for drop in ("TABLE _dups", "TABLE _parsed", "VIEW _raw", "TABLE _raw0"):
        con.execute(f"DROP {drop}")
    replaced = int(deleted[0]) if deleted else 0
    return LoadResult(
        spec.name, file_name, digest, read, loaded, quarantined, skipped, load_id,
        rows_replaced=replaced,
    )  # fmt: skip
