"""CBP historical border wait times (bwt.cbp.gov), average minutes to primary.

Two layouts, both into ``wait_times`` (port × lane × sub-lane × month × weekday
× hour; weekday 0 = Sunday … 6 = Saturday; local hour 0–23):

* the San Ysidro API extract ``syR-hist.csv`` (``bwt_month, bwt_day, bwt_hour``
  and one column per lane). Its commercial columns are skipped: San Ysidro has
  no cargo facility, so their zeros are not waits;
* (source ``hourly``, table ``hourly_volumes``) the SANDAG SR-11 model's observed
  average-weekday 2017 profile for San Ysidro and Otay Mesa: vehicles processed,
  lanes open and wait by hour and lane type;
* the El Paso page scrape (``Port, Lane, Sub-Lane, Month, Day, Time, Sunday
  (min) … Saturday (min)``), spreadsheet or CSV. A blank cell (lane closed or
  no data) is kept as NULL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from border21.data.loaders._base import SourceSpec
from border21.data.loaders._sql import MONTHS_VALUES

_TARGET = ("port", "port_code", "lane", "sub_lane", "month", "weekday", "hour", "wait_minutes")
_KEY = ("port", "lane", "sub_lane", "month", "weekday", "hour")
_WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_SY_LANES = (
    ("pv_time_avg", "Passenger", "General"),
    ("xpv_time_avg", "Passenger", "Nexus/Sentri"),
    ("pv_ready_lanes_time_avg", "Passenger", "Ready"),
    ("ped_time_avg", "Pedestrian", "General"),
    ("ped_ready_lanes_time_avg", "Pedestrian", "Ready"),
    ("cv_time_avg", "Commercial", "General"),
    ("xcv_time_avg", "Commercial", "FAST"),
)

_CHECKS = """CASE WHEN month IS NULL OR month NOT BETWEEN 1 AND 12 THEN 'unparseable month'
                    WHEN weekday IS NULL OR weekday NOT BETWEEN 0 AND 6 THEN 'unparseable weekday'
                    WHEN hour IS NULL OR hour NOT BETWEEN 0 AND 23
                         THEN 'unparseable hour ' || coalesce(raw_hour, 'NULL')
                    WHEN raw_wait IS NOT NULL AND raw_wait NOT IN ('', 'nan', 'NaN')
                         AND wait_minutes IS NULL THEN 'wait not a number ' || raw_wait
                    WHEN wait_minutes < 0 THEN 'negative wait'
               END AS reason"""

_SY_UNION = " UNION ALL ".join(
    f"""SELECT line_number, bwt_month, bwt_day, bwt_hour, '{lane}' AS lane, '{sub}' AS sub_lane,
               "{col}" AS raw_wait FROM _raw"""
    for col, lane, sub in _SY_LANES
)

SAN_YSIDRO = SourceSpec(
    name="waittimes",
    description="CBP historical wait times, San Ysidro API extract (syR-hist)",
    columns=("bwt_month", "bwt_day", "bwt_hour") + tuple(c for c, _, _ in _SY_LANES),
    table="wait_times",
    target_columns=_TARGET,
    key=_KEY,
    parse_sql=f"""
        SELECT *, lane = 'Commercial' AS skip, {_CHECKS}
        FROM (SELECT line_number, 'San Ysidro' AS port, '2504' AS port_code, lane, sub_lane,
                     try_cast(bwt_month AS INT) AS month, try_cast(bwt_day AS INT) AS weekday,
                     bwt_hour AS raw_hour, try_cast(bwt_hour AS INT) AS hour, raw_wait,
                     try_cast(raw_wait AS DOUBLE) AS wait_minutes
              FROM ({_SY_UNION}))""",
)

_EP_UNION = " UNION ALL ".join(
    f"""SELECT line_number, "Port", "Lane", "Sub-Lane", "Month", "Time", {i} AS weekday,
               nullif(nullif("{day} (min)", 'nan'), '') AS raw_wait FROM _raw"""
    for i, day in enumerate(_WEEKDAYS)
)
_HOUR = """CASE lower(trim("Time")) WHEN 'midnight' THEN 0 WHEN 'noon' THEN 12
                ELSE hour(try_strptime(upper(trim("Time")), '%I:%M %p')) END"""

EL_PASO = SourceSpec(
    name="waittimes",
    description="CBP historical wait times, El Paso bwt.cbp.gov/historical scrape",
    columns=("Port", "Lane", "Sub-Lane", "Month", "Day", "Time")
    + tuple(f"{d} (min)" for d in _WEEKDAYS),
    table="wait_times",
    target_columns=_TARGET,
    key=_KEY,
    parse_sql=f"""
        SELECT *, (raw_hour IS NULL AND raw_wait IS NULL) AS skip, {_CHECKS}
        FROM (SELECT line_number, trim("Port") AS port,
                     CASE WHEN "Port" ILIKE '%ysleta%' THEN '2401'
                          WHEN "Port" ILIKE '%el paso%' THEN '2402' END AS port_code,
                     trim("Lane") AS lane, trim("Sub-Lane") AS sub_lane, mn.num AS month,
                     weekday, "Time" AS raw_hour, {_HOUR} AS hour,
                     raw_wait, try_cast(nullif(raw_wait, 'nan') AS DOUBLE) AS wait_minutes
              FROM ({_EP_UNION}) LEFT JOIN {MONTHS_VALUES} ON mn.name = lower(trim("Month")))""",
    read_excel=lambda path: _read_excel(path),
)


def _read_excel(path: Path) -> Any:
    import pandas as pd

    frame = pd.read_excel(path, dtype=object)
    return frame.astype("string").astype(object).where(frame.notna(), None)


SPECS: tuple[SourceSpec, ...] = (SAN_YSIDRO, EL_PASO)

HOURLY = SourceSpec(
    name="hourly",
    description="Hourly volume, lanes open and wait by port/direction/lane (SANDAG 2017 profile)",
    columns=(
        "port",
        "direction",
        "vehicle_type",
        "lane_type",
        "hour_start",
        "volume",
        "open_lanes",
        "wait_time_min",
    ),
    optional_columns=("share_of_daily", "daily_volume"),
    table="hourly_volumes",
    target_columns=(
        "port",
        "port_code",
        "direction",
        "vehicle_type",
        "lane_type",
        "hour",
        "volume",
        "open_lanes",
        "wait_minutes",
    ),
    key=("port", "direction", "vehicle_type", "lane_type", "hour"),
    # 'All_NB_lanes' rows are the publisher's sums of General + Ready + SENTRI: skipped
    parse_sql="""
        SELECT *, lane_type = 'All_NB_lanes' AS skip,
               CASE WHEN port_code IS NULL THEN 'unknown port ' || coalesce(port, 'NULL')
                    WHEN direction NOT IN ('Northbound', 'Southbound')
                         THEN 'unknown direction ' || coalesce(direction, 'NULL')
                    WHEN hour IS NULL OR hour NOT BETWEEN 0 AND 23
                         THEN 'unparseable hour ' || coalesce(raw_hour, 'NULL')
                    WHEN volume IS NULL THEN 'volume not a number'
                    WHEN volume < 0 OR open_lanes < 0 OR wait_minutes < 0
                         THEN 'negative volume, lanes or wait'
               END AS reason
        FROM (SELECT line_number, trim(port) AS port,
                     CASE lower(trim(port)) WHEN 'san ysidro' THEN '2504'
                          WHEN 'otay mesa' THEN '2506' WHEN 'tecate' THEN '2505'
                          WHEN 'calexico' THEN '2503' WHEN 'calexico east' THEN '2507' END
                         AS port_code,
                     trim(direction) AS direction, trim(vehicle_type) AS vehicle_type,
                     trim(lane_type) AS lane_type, hour_start AS raw_hour,
                     try_cast(hour_start AS INT) AS hour, try_cast(volume AS DOUBLE) AS volume,
                     try_cast(nullif(trim(open_lanes), '') AS DOUBLE) AS open_lanes,
                     try_cast(nullif(trim(wait_time_min), '') AS DOUBLE) AS wait_minutes
              FROM _raw)""",
)
