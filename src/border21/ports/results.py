"""Summaries of simulated crossings: waits, throughput, utilisation, queues, interdictions.

All functions take :class:`CrossingRecords` and return pandas DataFrames with
units in the column names, ready to print or write as Parquet/CSV. pandas is
imported only when a frame is built, so the CLI's hot path (run, print the
summary rows) does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from border21.ports.config import PortScenario
from border21.ports.kernels.common import DAY, HOUR
from border21.ports.model import CrossingRecords

if TYPE_CHECKING:
    import pandas as pd

Row = dict[str, Any]


def frame(rows: list[Row] | dict[str, Any]) -> pd.DataFrame:
    """Rows (or columns) as a DataFrame."""
    import pandas as pd

    return pd.DataFrame(rows)


QUANTILES = (0.5, 0.9, 0.95)


def _wait_stats(wait_minutes: np.ndarray) -> dict[str, float]:
    if wait_minutes.size == 0:
        return {
            "mean_wait_min": np.nan,
            "p50_wait_min": np.nan,
            "p90_wait_min": np.nan,
            "p95_wait_min": np.nan,
            "max_wait_min": np.nan,
        }
    q = np.quantile(wait_minutes, QUANTILES)
    return {
        "mean_wait_min": float(wait_minutes.mean()),
        "p50_wait_min": float(q[0]),
        "p90_wait_min": float(q[1]),
        "p95_wait_min": float(q[2]),
        "max_wait_min": float(wait_minutes.max()),
    }


def _directions(names: list[str], scenario: PortScenario) -> str:
    found = sorted({scenario.streams[n].direction for n in names if n in scenario.streams})
    return "+".join(found) if found else ""


def _kinds(names: list[str], scenario: PortScenario) -> str:
    found = sorted({scenario.streams[n].kind for n in names if n in scenario.streams})
    return "+".join(found) if found else ""


def wait_samples(records: CrossingRecords, scenario: PortScenario) -> list[tuple[Row, np.ndarray]]:
    """Each row of the waits table with the waits (minutes) it summarises.

    Rows never mix flows: one per primary lane group (its wait from queue
    entry to service; ``held`` counts crossings held at the gate of a closed
    port), one per secondary area, and for a port with a Mexican export stage
    its export booths and secondary. ``stage`` says which inspection,
    ``direction`` which way its crossings travel.
    """
    out: list[tuple[Row, np.ndarray]] = []
    wait = records.wait_seconds / 60.0
    held = records.held_seconds > 0
    for g, name in enumerate(records.group_names):
        mask = records.group == g
        streams = list(scenario.lanes[name].streams) if name in scenario.lanes else []
        row: Row = {
            "stage": "primary",
            "lane_group": name,
            "program": records.group_programs[g],
            "direction": _directions(streams, scenario),
            "kind": _kinds(streams, scenario),
            "crossings": int(mask.sum()),
            "held": int((mask & held).sum()),
        }
        out.append((row, wait[mask]))
    sec_wait = records.secondary_wait_seconds / 60.0
    names = list(scenario.streams)
    for area in scenario.secondary:
        users = [s for s, st in enumerate(scenario.streams.values()) if st.secondary == area]
        mask = records.referred & np.isin(records.stream, users)
        row = {
            "stage": "secondary",
            "lane_group": area,
            "program": "secondary",
            "direction": _directions([names[s] for s in users], scenario),
            "kind": _kinds([names[s] for s in users], scenario),
            "crossings": int(mask.sum()),
            "held": 0,
        }
        out.append((row, sec_wait[mask]))
    up = records.upstream
    if up is not None:
        export = scenario.cooperation.export_inspection
        exporters = list(export.streams) if export else []
        direction, kind = _directions(exporters, scenario), _kinds(exporters, scenario)
        up_wait = up.wait_seconds / 60.0
        for stage, waits in (
            ("mx_export", up_wait),
            ("mx_secondary", (up.secondary_wait_seconds / 60.0)[up.referred]),
        ):
            row = {
                "stage": stage,
                "lane_group": stage,
                "program": "export" if stage == "mx_export" else "secondary",
                "direction": direction,
                "kind": kind,
                "crossings": int(waits.size),
                "held": int((up.held_seconds > 0).sum()) if stage == "mx_export" else 0,
            }
            out.append((row, waits))
    return out


def wait_rows(records: CrossingRecords, scenario: PortScenario) -> list[Row]:
    """Mean and p50/p90/p95/max wait (minutes) of each row of :func:`wait_samples`."""
    return [{**row, **_wait_stats(waits)} for row, waits in wait_samples(records, scenario)]


def wait_by_lane_type(records: CrossingRecords, scenario: PortScenario) -> pd.DataFrame:
    """The rows of :func:`wait_rows` as a frame."""
    return frame(wait_rows(records, scenario))


def wait_by_hour(records: CrossingRecords) -> pd.DataFrame:
    """Mean and p95 primary wait by lane group and hour of day of arrival."""
    hour = (records.arrival // HOUR).astype(np.int64) % 24
    wait = records.wait_seconds / 60.0
    rows = []
    for g, name in enumerate(records.group_names):
        in_group = records.group == g
        for h in range(24):
            mask = in_group & (hour == h)
            stats = _wait_stats(wait[mask])
            rows.append(
                {
                    "lane_group": name,
                    "hour": h,
                    "crossings": int(mask.sum()),
                    "mean_wait_min": stats["mean_wait_min"],
                    "p95_wait_min": stats["p95_wait_min"],
                }
            )
    return frame(rows)


def throughput(records: CrossingRecords) -> pd.DataFrame:
    """Crossings processed per stream: total, per day, referred, per hour at peak."""
    end = (records.first_day + records.days) * DAY
    done = records.departure < end
    hour = (records.primary_departure // HOUR).astype(np.int64) - 24 * records.first_day
    hour = np.clip(hour, 0, None)
    rows = []
    for s, name in enumerate(records.stream_names):
        mask = records.stream == s
        per_hour = np.bincount(hour[mask], minlength=records.days * 24)
        rows.append(
            {
                "stream": name,
                "arrived": int(mask.sum()),
                "departed_in_horizon": int((mask & done).sum()),
                "per_day": float(mask.sum() / records.days),
                "peak_per_hour": int(per_hour.max()) if per_hour.size else 0,
                "referred": int(records.referred[mask].sum()),
            }
        )
    return frame(rows)


def booth_utilisation(records: CrossingRecords, scenario: PortScenario) -> pd.DataFrame:
    """Busy booth-hours over open booth-hours per lane group and for secondary."""
    busy = records.primary_departure - records.service_start
    rows = []
    for g, (name, group) in enumerate(scenario.lanes.items()):
        open_hours = float(sum(group.open_booths())) * records.days
        busy_hours = float(busy[records.group == g].sum()) / HOUR
        rows.append(
            {
                "lane_group": name,
                "booths": group.booths,
                "open_booth_hours": open_hours,
                "busy_booth_hours": busy_hours,
                "utilisation": busy_hours / open_hours if open_hours else np.nan,
            }
        )
    sec_busy = (records.departure - records.secondary_start)[records.referred]
    for name, area in scenario.secondary.items():
        s_idx = [i for i, st in enumerate(scenario.streams.values()) if st.secondary == name]
        mask = records.referred & np.isin(records.stream, s_idx)
        open_hours = float(sum(area.open_bays())) * records.days
        busy_hours = float(sec_busy[mask[records.referred]].sum()) / HOUR
        rows.append(
            {
                "lane_group": f"secondary:{name}",
                "booths": area.bays,
                "open_booth_hours": open_hours,
                "busy_booth_hours": busy_hours,
                "utilisation": busy_hours / open_hours if open_hours else np.nan,
            }
        )
    return frame(rows)


def queue_length(
    records: CrossingRecords, step_minutes: float = 15.0, *, first_day: int = 0
) -> pd.DataFrame:
    """Crossings waiting for primary in each lane group, sampled every ``step_minutes``.

    Sampled from the start of ``first_day`` (pass the whole run's records, so
    that a crossing that arrived during the warm-up and still waits is counted).
    """
    grid = np.arange(first_day * DAY, records.days * DAY, step_minutes * 60.0)
    out = {"time_h": grid / HOUR}
    for g, name in enumerate(records.group_names):
        mask = records.group == g
        arrived = np.searchsorted(np.sort(records.queue_entry[mask]), grid, side="right")
        started = np.searchsorted(np.sort(records.service_start[mask]), grid, side="right")
        out[name] = (arrived - started).astype(np.int64)
    return frame(out)


def interdictions(records: CrossingRecords) -> pd.DataFrame:
    """Carriers, referrals and detections per stream."""
    rows = []
    for s, name in enumerate(records.stream_names):
        mask = records.stream == s
        carriers = int(records.carrier[mask].sum())
        caught = int(records.detected[mask].sum())
        rows.append(
            {
                "stream": name,
                "carriers": carriers,
                "detected": caught,
                "detection_rate": caught / carriers if carriers else np.nan,
                "referred": int(records.referred[mask].sum()),
                "licit_referred_per_1000": 1000.0
                * float((records.referred & ~records.carrier)[mask].sum())
                / max(int(mask.sum()), 1),
            }
        )
    return frame(rows)


def offered_load(scenario: PortScenario) -> pd.DataFrame:
    """Peak-weekday offered load per hour; see :func:`offered_load_rows`."""
    return frame(offered_load_rows(scenario))


def offered_load_rows(scenario: PortScenario) -> list[Row]:
    """Peak-weekday offered load per hour for each lane-group set and secondary area.

    ρ = Σ (arrival rate × mean service) / open booths, with each stream-program
    class charged to the groups it may join. ρ ≥ 1 means the queue grows in
    that hour.
    """
    rows: list[Row] = []
    loads: dict[tuple[str, ...], np.ndarray] = {}
    names: dict[tuple[str, ...], set[str]] = {}
    sec_loads = {a: np.zeros(24) for a in scenario.secondary}
    sec_names: dict[str, set[str]] = {a: set() for a in scenario.secondary}
    for sname, st in scenario.streams.items():
        hours = np.asarray(st.hour_of_day_shape) / sum(st.hour_of_day_shape)
        peak_day = st.crossings_per_day * max(st.weekday_shape) / np.mean(st.weekday_shape)
        per_hour = peak_day * hours
        for program, share in st.program_shares.items():
            if share <= 0:
                continue
            key = tuple(scenario.eligible_groups(sname, program))
            load = per_hour * share * st.primary_service.mean_for(program) / HOUR
            loads[key] = loads.get(key, np.zeros(24)) + load
            names.setdefault(key, set()).add(sname)
            if st.secondary is not None:
                ref = max(st.referral_for(program), 0.0) + st.carrier_probability * (
                    st.primary_detection_probability
                )
                sec_loads[st.secondary] += (
                    per_hour
                    * share
                    * ref
                    * scenario.secondary[st.secondary].service.mean_seconds
                    / HOUR
                )
                sec_names[st.secondary].add(sname)
    for key, load in loads.items():
        booths = np.sum([scenario.lanes[g].open_booths() for g in key], axis=0)
        for h in range(24):
            rows.append(
                {
                    "where": "+".join(key),
                    "streams": ",".join(sorted(names[key])),
                    "hour": h,
                    "offered_erlangs": float(load[h]),
                    "open_booths": int(booths[h]),
                    "utilisation": float(load[h] / booths[h])
                    if booths[h]
                    else (np.inf if load[h] > 0 else 0.0),
                }
            )
    for area, load in sec_loads.items():
        bays = scenario.secondary[area].open_bays()
        for h in range(24):
            rows.append(
                {
                    "where": f"secondary:{area}",
                    "streams": ",".join(sorted(sec_names[area])),
                    "hour": h,
                    "offered_erlangs": float(load[h]),
                    "open_booths": bays[h],
                    "utilisation": float(load[h] / bays[h])
                    if bays[h]
                    else (np.inf if load[h] > 0 else 0.0),
                }
            )
    return rows


def _hour_ranges(hours: list[int]) -> str:
    """``[0, 1, 2, 5]`` → ``'00–03h, 05–06h'`` (end exclusive)."""
    spans: list[list[int]] = []
    for h in sorted(hours):
        if spans and h == spans[-1][1]:
            spans[-1][1] = h + 1
        else:
            spans.append([h, h + 1])
    return ", ".join(f"{a:02d}–{b:02d}h" for a, b in spans)


def unstable_hours(scenario: PortScenario) -> list[str]:
    """One warning per lane set whose offered load is ≥ 1 per open booth in some hours.

    Each warning names the stream(s), the lanes, the hours and the peak utilisation.
    """
    bad: dict[tuple[str, str], list[Row]] = {}
    for row in offered_load_rows(scenario):
        if row["utilisation"] >= 1.0:
            bad.setdefault((row["where"], row["streams"]), []).append(row)
    out = []
    for (where, streams), rows in bad.items():
        peak = max(rows, key=lambda r: r["utilisation"])
        out.append(
            f"stream {streams} at {where}: utilisation ≥ 1 in hours "
            f"{_hour_ranges([r['hour'] for r in rows])} (peak {peak['utilisation']:.2f} "
            f"at {peak['hour']:02d}:00, {peak['offered_erlangs']:.1f} erlangs on "
            f"{peak['open_booths']} open booths); the queue grows in those hours"
        )
    return out
