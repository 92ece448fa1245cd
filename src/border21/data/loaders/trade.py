"""BTS North American TransBorder Freight Data (the UNT/TxDOT dashboard extracts).

Three layouts, told apart by their header, all into table ``trade``:

* monthly by country × mode × trade type (``Year, Month, Country, ...``);
* annual by Texas port (``Year, PortCode, Port, ...``), country Mexico;
* annual by Mexican state (``Year, MexState, ...``), country Mexico.

Dimensions a layout does not have are stored as ``'ALL'``. Values are nominal
USD; weights in kg. Trade type is ``Export`` (US exports) or ``Import``.
"""

from __future__ import annotations

from border21.data.loaders._base import SourceSpec
from border21.data.loaders._sql import folded
from border21.data.names import alias_rows

_TARGET = (
    "period", "period_start", "country", "port_code", "mx_state", "mode", "trade_type",
    "value_usd", "weight_kg",
)  # fmt: skip
_KEY = ("period", "period_start", "country", "port_code", "mx_state", "mode", "trade_type")
_STATES = ", ".join(f"('{name}', {code})" for name, code in alias_rows())


_COUNTRY = "WHEN country NOT IN ('Mexico', 'Canada') THEN 'unknown country ' || country"
_PORT = "WHEN NOT regexp_full_match(port_code, '[0-9]{4}') THEN 'unknown port code ' || port_code"
_MXSTATE = "WHEN mx_state IS NULL THEN 'unknown Mexican state ' || coalesce(raw_state, 'NULL')"


def _checks(extra: str = "") -> str:
    return f"""CASE WHEN period_start IS NULL THEN 'unparseable year/month'
                    WHEN mode IS NULL OR mode = '' THEN 'missing mode'
                    WHEN trade_type NOT IN ('Export', 'Import')
                         THEN 'unknown trade type ' || coalesce(trade_type, 'NULL')
                    WHEN value_usd IS NULL THEN 'trade value not a number'
                    WHEN value_usd < 0 THEN 'negative trade value'
                    WHEN weight_kg < 0 THEN 'negative weight'
                    {extra}
               END AS reason"""


MONTHLY = SourceSpec(
    name="trade",
    description="BTS TransBorder: monthly trade by country, mode, trade type",
    columns=("Year", "Month", "Country", "Mode", "TradeType", "TradeValue", "Weight"),
    optional_columns=("WeightLb",),
    table="trade",
    target_columns=_TARGET,
    key=_KEY,
    parse_sql=f"""
        SELECT *, FALSE AS skip,
               {_checks(_COUNTRY)}
        FROM (SELECT line_number, 'month' AS period,
                     try_cast(make_date(try_cast("Year" AS INT), try_cast("Month" AS INT), 1)
                              AS DATE) AS period_start,
                     trim("Country") AS country, 'ALL' AS port_code, 'ALL' AS mx_state,
                     trim("Mode") AS mode, trim("TradeType") AS trade_type,
                     try_cast("TradeValue" AS DOUBLE) AS value_usd,
                     try_cast("Weight" AS DOUBLE) AS weight_kg
              FROM _raw)""",
)

PORTS = SourceSpec(
    name="trade",
    description="BTS TransBorder: annual US–Mexico trade by Texas port, mode, trade type",
    columns=("Year", "PortCode", "Port", "Mode", "TradeType", "TradeValue", "Weight"),
    optional_columns=("FreightCharges", "Region", "Lat", "Lon", "WeightLb"),
    table="trade",
    target_columns=_TARGET,
    key=_KEY,
    parse_sql=f"""
        SELECT *, FALSE AS skip,
               {_checks(_PORT)}
        FROM (SELECT line_number, 'year' AS period,
                     try_cast(make_date(try_cast("Year" AS INT), 1, 1) AS DATE) AS period_start,
                     'Mexico' AS country, coalesce(trim("PortCode"), '') AS port_code,
                     'ALL' AS mx_state, trim("Mode") AS mode, trim("TradeType") AS trade_type,
                     try_cast("TradeValue" AS DOUBLE) AS value_usd,
                     try_cast("Weight" AS DOUBLE) AS weight_kg
              FROM _raw)""",
)

STATES = SourceSpec(
    name="trade",
    description="BTS TransBorder: annual US trade by Mexican state, mode, trade type",
    columns=("Year", "MexState", "Mode", "TradeType", "TradeValue", "Weight"),
    optional_columns=("WeightLb",),
    table="trade",
    target_columns=_TARGET,
    key=_KEY,
    parse_sql=f"""
        SELECT *, FALSE AS skip,
               {_checks(_MXSTATE)}
        FROM (SELECT line_number, 'year' AS period,
                     try_cast(make_date(try_cast("Year" AS INT), 1, 1) AS DATE) AS period_start,
                     'Mexico' AS country, 'ALL' AS port_code, "MexState" AS raw_state,
                     CASE WHEN s.code IS NOT NULL THEN lpad(s.code::VARCHAR, 2, '0')
                          WHEN lower(trim("MexState")) IN ('unknown', 'other/unknown')
                          THEN 'UNKNOWN' END AS mx_state,
                     trim("Mode") AS mode, trim("TradeType") AS trade_type,
                     try_cast("TradeValue" AS DOUBLE) AS value_usd,
                     try_cast("Weight" AS DOUBLE) AS weight_kg
              FROM _raw LEFT JOIN (VALUES {_STATES}) s(name, code)
                ON s.name = {folded('"MexState"')})""",
)

SPECS: tuple[SourceSpec, ...] = (MONTHLY, PORTS, STATES)
