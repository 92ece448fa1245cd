"""BTS North American TransBorder Freight Data (the UNT/TxDOT dashboard extracts).

Four layouts, told apart by their header, all into table ``trade``:

* monthly by country × mode × trade type (``Year, Month, Country, ...``);
* annual by Texas port (``Year, PortCode, Port, ...``), country Mexico;
* annual by Mexican state (``Year, MexState, ...``), country Mexico;
* BTS's raw monthly DOT1 file (``TRDTYPE, USASTATE, DEPE, ...``): port × mode ×
  Mexican state (exports only; imports have no Mexican state), summed over US
  states. Non-border ports keep BTS's ``XX`` suffix (e.g. ``20XX``).

Dimensions a layout does not have are stored as ``'ALL'``. Values are nominal
USD; weights in kg. Trade type is ``Export`` (US exports) or ``Import``.
"""

from __future__ import annotations

from border21.data.loaders._base import SourceSpec
from border21.data.loaders._sql import folded
from border21.data.names import MEXSTATE_CODES, alias_rows

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
    # TransBorder starts in April 1993
    year_sql="year(period_start)",
    first_year=1993,
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
    # TransBorder starts in April 1993
    year_sql="year(period_start)",
    first_year=1993,
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
    # TransBorder starts in April 1993
    year_sql="year(period_start)",
    first_year=1993,
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

_MEXSTATE = ", ".join(f"('{k}', '{v:02d}')" for k, v in MEXSTATE_CODES.items())
_MODES = (
    "('1', 'Vessel'), ('3', 'Air'), ('4', 'Mail (U.S. Postal Service)'), ('5', 'Truck'), "
    "('6', 'Rail'), ('7', 'Pipeline'), ('8', 'Other/Unknown'), ('9', 'Foreign Trade Zones (FTZs)')"
)

DOT1 = SourceSpec(
    name="trade",
    # TransBorder starts in April 1993
    year_sql="year(period_start)",
    first_year=1993,
    description="BTS TransBorder raw monthly DOT1 file: US state × port × mode × Mexican state",
    columns=(
        "TRDTYPE",
        "USASTATE",
        "DEPE",
        "DISAGMOT",
        "MEXSTATE",
        "CANPROV",
        "COUNTRY",
        "VALUE",
        "SHIPWT",
        "FREIGHT_CHARGES",
        "DF",
        "CONTCODE",
        "MONTH",
        "YEAR",
    ),  # fmt: skip
    table="trade",
    target_columns=_TARGET,
    key=_KEY,
    # Rows are validated one by one, then summed over US state, domestic/foreign and
    # container flags to the warehouse key; an aggregate carries its first source line.
    parse_sql=f"""
        WITH r AS (
            SELECT *, FALSE AS skip,
                   CASE WHEN period_start IS NULL THEN 'unparseable year/month'
                        WHEN country IS NULL
                             THEN 'unknown country code ' || coalesce(raw_country, 'NULL')
                        WHEN mode IS NULL THEN 'unknown mode code ' || coalesce(raw_mode, 'NULL')
                        WHEN trade_type IS NULL
                             THEN 'unknown trade type ' || coalesce(raw_type, 'NULL')
                        WHEN port_code IS NULL
                             OR NOT regexp_full_match(port_code, '[0-9]{{2}}[0-9X]{{2}}')
                             THEN 'unknown port code ' || coalesce(port_code, 'NULL')
                        WHEN value_usd IS NULL THEN 'trade value not a number'
                        WHEN value_usd < 0 OR weight_kg < 0 THEN 'negative value or weight'
                   END AS reason
            FROM (SELECT line_number, 'month' AS period,
                         try_cast(make_date(try_cast("YEAR" AS INT), try_cast("MONTH" AS INT), 1)
                                  AS DATE) AS period_start,
                         "COUNTRY" AS raw_country,
                         CASE trim("COUNTRY") WHEN '2010' THEN 'Mexico' WHEN '1220' THEN 'Canada'
                         END AS country,
                         trim("DEPE") AS port_code,
                         CASE WHEN trim("COUNTRY") = '2010'
                              THEN coalesce(ms.code, 'UNKNOWN') ELSE 'ALL' END AS mx_state,
                         "DISAGMOT" AS raw_mode, md.name AS mode, "TRDTYPE" AS raw_type,
                         CASE trim("TRDTYPE") WHEN '1' THEN 'Export' WHEN '2' THEN 'Import'
                         END AS trade_type,
                         try_cast("VALUE" AS DOUBLE) AS value_usd,
                         try_cast("SHIPWT" AS DOUBLE) AS weight_kg
                  FROM _raw
                  LEFT JOIN (VALUES {_MEXSTATE}) ms(abbr, code) ON ms.abbr = trim("MEXSTATE")
                  LEFT JOIN (VALUES {_MODES}) md(num, name) ON md.num = trim("DISAGMOT")))
        SELECT * FROM r WHERE reason IS NOT NULL
        UNION ALL BY NAME
        SELECT min(line_number) AS line_number, period, period_start, country, port_code,
               mx_state, mode, trade_type, sum(value_usd) AS value_usd,
               sum(weight_kg) AS weight_kg, FALSE AS skip, NULL::VARCHAR AS reason
        FROM r WHERE reason IS NULL
        GROUP BY period, period_start, country, port_code, mx_state, mode, trade_type""",
)

SPECS: tuple[SourceSpec, ...] = (MONTHLY, PORTS, STATES, DOT1)
