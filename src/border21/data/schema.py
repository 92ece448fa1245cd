"""The warehouse schema and its versioned migrations.

Each migration is a list of SQL statements applied once, in order, inside one
transaction; the ``schema_version`` table records which versions are applied.
Never edit a released migration: append a new one.

>>> import duckdb
>>> con = duckdb.connect()
>>> migrate(con)
4
>>> migrate(con)  # idempotent
4
"""

from __future__ import annotations

from typing import Any

from border21.data.names import MEXICAN_STATES
from border21.i18n.message import Message

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # v1: reference tables, facts, provenance. Fact tables carry no PRIMARY KEY: the
    # loaders enforce their unique keys (docs/reference/schema.md) with a delete-then-
    # insert upsert, which DuckDB runs several times faster than index maintenance.
    (
        """CREATE TABLE ports (
            port_code VARCHAR PRIMARY KEY, port_name VARCHAR NOT NULL, state VARCHAR,
            border VARCHAR, latitude DOUBLE, longitude DOUBLE, field_office VARCHAR)""",
        """CREATE TABLE mx_states (
            state_code INTEGER PRIMARY KEY, state_name VARCHAR NOT NULL,
            border_state BOOLEAN NOT NULL)""",
        """CREATE TABLE crossings (
            port_code VARCHAR NOT NULL, month DATE NOT NULL, measure VARCHAR NOT NULL,
            value BIGINT NOT NULL, load_id INTEGER NOT NULL)""",
        """CREATE TABLE trade (
            period VARCHAR NOT NULL, period_start DATE NOT NULL, country VARCHAR NOT NULL,
            port_code VARCHAR NOT NULL, mx_state VARCHAR NOT NULL, mode VARCHAR NOT NULL,
            trade_type VARCHAR NOT NULL, value_usd DOUBLE NOT NULL, weight_kg DOUBLE,
            load_id INTEGER NOT NULL)""",
        """CREATE TABLE seizures (
            month DATE NOT NULL, fiscal_year INTEGER NOT NULL, component VARCHAR NOT NULL,
            region VARCHAR NOT NULL, land_filter VARCHAR NOT NULL, aor VARCHAR NOT NULL,
            drug_type VARCHAR NOT NULL, events BIGINT NOT NULL, quantity_lbs DOUBLE NOT NULL,
            load_id INTEGER NOT NULL)""",
        """CREATE TABLE apprehensions (
            sector VARCHAR NOT NULL, region VARCHAR NOT NULL, month DATE NOT NULL,
            fiscal_year INTEGER NOT NULL,
            apprehensions BIGINT NOT NULL, unaccompanied_children BIGINT,
            family_units BIGINT, load_id INTEGER NOT NULL)""",
        """CREATE TABLE homicides (
            state_code INTEGER NOT NULL, month DATE NOT NULL, homicides BIGINT NOT NULL,
            load_id INTEGER NOT NULL)""",
        """CREATE TABLE sesnsp_incidence (
            state_code INTEGER NOT NULL, month DATE NOT NULL, subtype VARCHAR NOT NULL,
            modality VARCHAR NOT NULL, carpetas BIGINT NOT NULL, load_id INTEGER NOT NULL)""",
        """CREATE TABLE population (
            state_code INTEGER NOT NULL, year INTEGER NOT NULL, population BIGINT NOT NULL,
            load_id INTEGER NOT NULL)""",
        """CREATE TABLE wait_times (
            port VARCHAR NOT NULL, port_code VARCHAR, lane VARCHAR NOT NULL,
            sub_lane VARCHAR NOT NULL, month INTEGER NOT NULL, weekday INTEGER NOT NULL,
            hour INTEGER NOT NULL, wait_minutes DOUBLE, load_id INTEGER NOT NULL)""",
        """CREATE TABLE events (
            event_id VARCHAR NOT NULL, event_date DATE NOT NULL, title VARCHAR NOT NULL,
            category VARCHAR NOT NULL, country VARCHAR NOT NULL, date_precision VARCHAR NOT NULL,
            source_url VARCHAR NOT NULL, notes VARCHAR, load_id INTEGER NOT NULL)""",
        "CREATE SEQUENCE load_id_seq START 1",
        """CREATE TABLE loads (
            load_id INTEGER PRIMARY KEY, source VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL, rows_read BIGINT NOT NULL, rows_loaded BIGINT NOT NULL,
            rows_quarantined BIGINT NOT NULL, rows_skipped BIGINT NOT NULL,
            started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE quarantine (
            load_id INTEGER NOT NULL, source VARCHAR NOT NULL, line_number BIGINT NOT NULL,
            reason VARCHAR NOT NULL, raw_row VARCHAR NOT NULL)""",
    ),
    # v2: seed the Mexican states reference table
    ("__seed_mx_states__",),
    # v3: hourly volumes, lanes open and waits by port and lane (SANDAG/CBP 2017 profile)
    (
        """CREATE TABLE hourly_volumes (
            port VARCHAR NOT NULL, port_code VARCHAR, direction VARCHAR NOT NULL,
            vehicle_type VARCHAR NOT NULL, lane_type VARCHAR NOT NULL, hour INTEGER NOT NULL,
            volume DOUBLE NOT NULL, open_lanes DOUBLE, wait_minutes DOUBLE,
            load_id INTEGER NOT NULL)""",
    ),
    # v4: Texas–Mexico bridges (UNT for TxDOT): monthly northbound crossings by bridge and
    # mode (CBP counts), where each crossing is, and its northbound lanes and hours by mode
    (
        """CREATE TABLE bridge_crossings (
            field_office VARCHAR NOT NULL, port VARCHAR NOT NULL, bridge VARCHAR NOT NULL,
            mode VARCHAR NOT NULL, month DATE NOT NULL, crossings BIGINT NOT NULL,
            load_id INTEGER NOT NULL)""",
        """CREATE TABLE bridge_sites (
            code VARCHAR NOT NULL, bridge VARCHAR NOT NULL, field_office VARCHAR,
            county VARCHAR, txdot_district VARCHAR, port VARCHAR, city VARCHAR, address VARCHAR,
            latitude DOUBLE NOT NULL, longitude DOUBLE NOT NULL, load_id INTEGER NOT NULL)""",
        """CREATE TABLE bridge_lanes (
            code VARCHAR NOT NULL, bridge VARCHAR, mode VARCHAR NOT NULL,
            inspection_lanes INTEGER, inspection_lanes_text VARCHAR, lane_notes VARCHAR,
            unified_cargo_processing BOOLEAN NOT NULL, cbp_hours VARCHAR, aduanas_hours VARCHAR,
            as_of VARCHAR, hours_source VARCHAR, link_tx VARCHAR, link_mx VARCHAR,
            load_id INTEGER NOT NULL)""",
    ),
)


def current_version(con: Any) -> int:
    """Highest applied migration (0 for an empty database)."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
        "applied_at TIMESTAMP DEFAULT current_timestamp)"
    )
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(con: Any) -> int:
    """Apply pending migrations, each in its own transaction; return the version.

    A database written by a newer border21 (higher version) is refused rather than
    guessed at.
    """
    version = current_version(con)
    if version > len(MIGRATIONS):
        from border21.errors import InputError

        raise InputError(
            "db",
            f"schema v{version}",
            Message(
                "written by a newer border21 (this one knows v{version})",
                version=len(MIGRATIONS),
            ),
        )
    for number, statements in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            for sql in statements:
                if sql == "__seed_mx_states__":
                    con.executemany(
                        "INSERT INTO mx_states VALUES (?, ?, ?)",
                        [[s.code, s.name, s.border] for s in MEXICAN_STATES],
                    )
                else:
                    con.execute(sql)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        version = number
    return version


SCHEMA_VERSION = len(MIGRATIONS)
