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

Two small companions from the same UNT work for TxDOT's *Texas–Mexico
International Border Crossings Guide*: ``bridge_sites`` (each crossing's code,
port, address and coordinates; a row outside the Texas–Mexico border box is
quarantined) and ``bridge_lanes`` (northbound CBP inspection lanes, lane notes,
Unified Cargo Processing and CBP / Aduanas hours of operation by crossing and
mode, as of September 2025). Their cells hold line breaks (addresses, hours),
so they are read on one thread, and a quarantined row's ``line_number`` is its
row number + 1, not its line in the file. The crossing codes join the two
(``ELP-ELP-BRID``: field office, port, bridge); the last part is the bridge
part of ``bridges``' ``ID`` (``2024-01-BRID-POVs``).
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

# ---------------------------------------------------------------- where the bridges are

_LAT_LON_BOX = "latitude BETWEEN 25.0 AND 32.5 AND longitude BETWEEN -107.0 AND -97.0"

SITES = SourceSpec(
    name="bridge_sites",
    description="Texas–Mexico crossings: code, port, address and coordinates (UNT for TxDOT)",
    columns=(
        "Order",
        "Border Crossing Name",
        "Code",
        "Region",
        "County",
        "TxDOT District",
        "Port Of Entry",
        "City",
        "Address",
        "Lat",
        "Lon",
    ),
    table="bridge_sites",
    target_columns=(
        "code",
        "bridge",
        "field_office",
        "county",
        "txdot_district",
        "port",
        "city",
        "address",
        "latitude",
        "longitude",
    ),
    key=("code",),
    quoted_newlines=True,
    # A row outside the box that holds every Texas–Mexico crossing (Brownsville to El Paso)
    # has its latitude and longitude swapped or mistyped.
    parse_sql=f"""
        SELECT *, FALSE AS skip,
               CASE WHEN code IS NULL OR code = '' THEN 'missing crossing code'
                    WHEN bridge IS NULL OR bridge = '' THEN 'missing crossing name'
                    WHEN latitude IS NULL OR longitude IS NULL
                         THEN 'coordinates not numbers: ' || coalesce(raw_lat, 'NULL') || ', '
                              || coalesce(raw_lon, 'NULL')
                    WHEN NOT ({_LAT_LON_BOX})
                         THEN 'coordinates ' || raw_lat || ', ' || raw_lon
                              || ' outside the Texas–Mexico border'
               END AS reason
        FROM (SELECT line_number, trim("Code") AS code, trim("Border Crossing Name") AS bridge,
                     trim("Region") AS field_office, trim("County") AS county,
                     trim("TxDOT District") AS txdot_district,
                     nullif(trim("Port Of Entry"), '') AS port, trim("City") AS city,
                     regexp_replace(trim("Address"), '\\s*\\n\\s*', ', ', 'g') AS address,
                     "Lat" AS raw_lat, "Lon" AS raw_lon,
                     try_cast(trim("Lat") AS DOUBLE) AS latitude,
                     try_cast(trim("Lon") AS DOUBLE) AS longitude
              FROM _raw)""",
)

# ---------------------------------------------------------------- lanes and hours

LANE_MODES: tuple[str, ...] = ("Passenger Vehicles", "Pedestrians/ Bicyclists", "Commercial Trucks")
_LANE_MODE_LIST = ", ".join(f"'{m}'" for m in LANE_MODES)

LANES = SourceSpec(
    name="bridge_lanes",
    description="Texas–Mexico crossings: northbound CBP inspection lanes and hours by mode "
    "(UNT for TxDOT's Border Crossings Guide)",
    columns=(
        "Bridge-ID",
        "Bridge",
        "Modes",
        "InspectionLanes",
        "InspectionLaneNotes",
        "UnifiedCargoProcessing-UPC",
        "Hours-of-Operation--CBP-Facilities",
        "Hours-of-Operation--ADUANAS-Facilities",
        "HOO-As-of",
        "Source",
        "Link-to-HOO-Reference_TX",
        "Link-to-HOO-Reference_MX",
    ),
    table="bridge_lanes",
    target_columns=(
        "code",
        "bridge",
        "mode",
        "inspection_lanes",
        "inspection_lanes_text",
        "lane_notes",
        "unified_cargo_processing",
        "cbp_hours",
        "aduanas_hours",
        "as_of",
        "hours_source",
        "link_tx",
        "link_mx",
    ),
    key=("code", "mode"),
    quoted_newlines=True,
    # ``InspectionLanes`` is a count, blank, or a word (Boquillas: ``CBP Kiosk``): a word is
    # kept as text with no count; a number that is not a whole, non-negative count is quarantined.
    parse_sql=f"""
        SELECT *, FALSE AS skip,
               CASE WHEN code IS NULL OR code = '' THEN 'missing Bridge-ID'
                    WHEN mode IS NULL OR mode NOT IN ({_LANE_MODE_LIST})
                         THEN 'unknown mode ' || coalesce(mode, 'NULL')
                    WHEN regexp_full_match(coalesce(inspection_lanes_text, ''), '[-+0-9.,eE ]+')
                         AND (inspection_lanes IS NULL OR inspection_lanes < 0)
                         THEN 'inspection lanes not a count: ' || inspection_lanes_text
               END AS reason
        FROM (SELECT line_number, trim("Bridge-ID") AS code, trim("Bridge") AS bridge,
                     trim("Modes") AS mode,
                     nullif(trim("InspectionLanes"), '') AS inspection_lanes_text,
                     {integer('"InspectionLanes"')} AS inspection_lanes,
                     nullif(trim("InspectionLaneNotes"), '') AS lane_notes,
                     coalesce(trim("UnifiedCargoProcessing-UPC"), '') <> ''
                         AS unified_cargo_processing,
                     nullif(trim("Hours-of-Operation--CBP-Facilities"), '') AS cbp_hours,
                     nullif(trim("Hours-of-Operation--ADUANAS-Facilities"), '') AS aduanas_hours,
                     nullif(trim("HOO-As-of"), '') AS as_of,
                     nullif(trim("Source"), '') AS hours_source,
                     nullif(trim("Link-to-HOO-Reference_TX"), '') AS link_tx,
                     nullif(trim("Link-to-HOO-Reference_MX"), '') AS link_mx
              FROM _raw)""",
)
