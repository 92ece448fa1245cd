"""CBP northbound crossings by Texas bridge, mode and month (UNT for TxDOT).

The University of North Texas processes CBP's counts for TxDOT
(``unt-clscm/CBP-Border-Crossings``, ``monthly_crossings_2008_2025.csv``):
one row per bridge × mode × month, 2008 onwards, with the CBP field office
(``Region``) and port (``POE``) the bridge belongs to. BTS reports ports, not
bridges, so this is the only public series that splits the port of El Paso
into Bridge of the Americas, Paso del Norte and the Good Neighbor (Stanton)
bridge.

Rows go to ``bridge_crossings`` (key: bridge, mode, month). An unparseable
year or month, an ``ID`` whose ``YYYY-MM-`` prefix disagrees with ``Year``
and ``Month``, an unknown mode, a missing bridge name or a negative or
non-integer count are quarantined with the reason.
"""

from __future__ import annotations

from border21.data.loaders._base import SourceSpec
from border21.data.loaders._sql import integer

# The publisher's mode names, as written (``Pedestrians/ Bicyclists`` has its space).
MODES: tuple[str, ...] = (
    "Passenger Vehicles", "Pedestrians/ Bicyclists", "Commercial Trucks", "Buses", "Railcars",
)  # fmt: skip

_MODE_LIST = ", ".join(f"'{m}'" for m in MODES)

SPEC = SourceSpec(
    name="bridges",
    description="CBP northbound crossings by Texas bridge, mode and month (UNT for TxDOT)",
    columns=("ID", "Year", "Month", "Region", "POE", "Crossing", "Modes", "Northbound Crossing"),
    table="bridge_crossings",
    target_columns=("field_office", "port", "bridge", "mode", "month", "crossings"),
    key=("bridge", "mode", "month"),
    # The UNT series starts in January 2008.
    year_sql="year(month)",
    first_year=2008,
    parse_sql=f"""
        SELECT *, FALSE AS skip,
               CASE WHEN month IS NULL
                         THEN 'unparseable year/month ' || coalesce(raw_year, 'NULL') || '/'
                              || coalesce(raw_month, 'NULL')
                    WHEN NOT starts_with(coalesce(raw_id, ''), strftime(month, '%Y-%m-'))
                         THEN 'ID ' || coalesce(raw_id, 'NULL') || ' disagrees with '
                              || strftime(month, '%Y-%m')
                    WHEN bridge IS NULL OR bridge = '' THEN 'missing bridge name'
                    WHEN mode IS NULL OR mode NOT IN ({_MODE_LIST})
                         THEN 'unknown mode ' || coalesce(mode, 'NULL')
                    WHEN crossings IS NULL
                         THEN 'count not an integer: ' || coalesce(raw_count, 'NULL')
                    WHEN crossings < 0 THEN 'negative count ' || raw_count
               END AS reason
        FROM (SELECT line_number, trim("ID") AS raw_id, "Year" AS raw_year, "Month" AS raw_month,
                     CASE WHEN try_cast(trim("Month") AS INT) BETWEEN 1 AND 12
                               AND try_cast(trim("Year") AS INT) BETWEEN 1 AND 9999
                          THEN make_date(try_cast(trim("Year") AS INT),
                                         try_cast(trim("Month") AS INT), 1) END AS month,
                     trim("Region") AS field_office, trim("POE") AS port,
                     trim("Crossing") AS bridge, trim("Modes") AS mode,
                     "Northbound Crossing" AS raw_count,
                     {integer('"Northbound Crossing"')} AS crossings
              FROM _raw)""",
)
