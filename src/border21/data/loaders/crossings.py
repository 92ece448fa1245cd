"""BTS Border Crossing/Entry Data (data.bts.gov ``keg4-3bc2``), official columns.

One row per port × month × measure: inbound crossings counted by CBP. Rows
with an unknown measure, a malformed port code, an unparseable date or a
negative/non-integer value are quarantined. The ``ports`` table is upserted
from the good rows (name, state, border, coordinates, CBP field office).
"""

from __future__ import annotations

from border21.data.loaders._base import SourceSpec
from border21.data.loaders._sql import integer

MEASURES: tuple[str, ...] = (
    "Personal Vehicles", "Personal Vehicle Passengers", "Pedestrians", "Buses",
    "Bus Passengers", "Trucks", "Truck Containers Loaded", "Truck Containers Empty",
    "Trains", "Train Passengers", "Rail Containers Loaded", "Rail Containers Empty",
)  # fmt: skip

_MEASURE_LIST = ", ".join(f"'{m}'" for m in MEASURES)

SPEC = SourceSpec(
    name="crossings",
    # BTS Border Crossing/Entry Data starts in January 1996
    year_sql="year(month)",
    first_year=1996,
    description="BTS Border Crossing/Entry Data: inbound crossings by port, month, measure",
    columns=("Port Name", "State", "Port Code", "Border", "Date", "Measure", "Value"),
    optional_columns=("Latitude", "Longitude", "Point"),
    table="crossings",
    target_columns=("port_code", "month", "measure", "value"),
    key=("port_code", "month", "measure"),
    parse_sql=f"""
        SELECT line_number, port_code, month, measure, value, port_name, state, border,
               latitude, longitude, FALSE AS skip,
               CASE WHEN port_code IS NULL OR length(port_code) <> 4
                         OR try_cast(port_code AS USMALLINT) IS NULL
                         THEN 'unknown port code ' || coalesce(port_code, 'NULL')
                    WHEN port_name IS NULL OR port_name = '' THEN 'missing port name'
                    WHEN border NOT IN ('US-Mexico Border', 'US-Canada Border')
                         THEN 'unknown border ' || coalesce(border, 'NULL')
                    WHEN month IS NULL THEN 'unparseable date ' || coalesce(raw_date, 'NULL')
                    WHEN measure NOT IN ({_MEASURE_LIST})
                         THEN 'unknown measure ' || coalesce(measure, 'NULL')
                    WHEN value IS NULL THEN 'value not an integer: ' || coalesce(raw_value, 'NULL')
                    WHEN value < 0 THEN 'negative count ' || raw_value
               END AS reason
        FROM (
            SELECT line_number, trim("Port Code") AS port_code, trim("Port Name") AS port_name,
                   trim("State") AS state, trim("Border") AS border, "Date" AS raw_date,
                   coalesce(try_strptime(trim("Date"), '%b %Y'),
                            try_strptime(trim("Date"), '%m/%d/%Y %I:%M:%S %p'),
                            try_strptime(trim("Date"), '%Y-%m-%d'))::DATE AS month,
                   trim("Measure") AS measure, "Value" AS raw_value,
                   {integer('"Value"')} AS value,
                   try_cast("Latitude" AS DOUBLE) AS latitude,
                   try_cast("Longitude" AS DOUBLE) AS longitude
            FROM _raw)""",
    after_sql=(
        """INSERT OR REPLACE INTO ports
           SELECT port_code, any_value(port_name), any_value(state), any_value(border),
                  any_value(latitude), any_value(longitude),
                  CASE left(port_code, 2) WHEN '23' THEN 'LAREDO' WHEN '24' THEN 'EL PASO'
                       WHEN '25' THEN 'SAN DIEGO' WHEN '26' THEN 'TUCSON' END
           FROM _parsed WHERE why IS NULL AND NOT skipped GROUP BY port_code""",
    ),
)
