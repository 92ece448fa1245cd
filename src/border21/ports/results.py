"""Summaries of simulated crossings: waits, throughput, utilisation, queues, interdictions.

All functions take :class:`CrossingRecords` and return pandas DataFrames with
units in the column names, ready to print or write as Parquet/CSV. pandas is
imported only when a frame is built, so the CLI's hot path (run, print the
summary rows) does not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    port), one per secondary area, for a port with a Mexican export stage
    its export booths and secondary, and for one with a Mexican import stage
    its red-light exam (``mx_import``). ``stage`` says which inspection,
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
    down = records.downstream
    if down is not None:
        imports = scenario.cooperation.import_inspection
        importers = list(imports.streams) if imports else []
        row = {
            "stage": "mx_import",
            "lane_group": "mx_import",
            "program": "secondary",
            "direction": _directions(importers, scenario),
            "kind": _kinds(importers, scenario),
            "crossings": int(down.referred.sum()),
            "held": 0,
        }
        out.append((row, (down.secondary_wait_seconds / 60.0)[down.referred]))
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
    """Carriers, referrals and detections per stream.

    ``referred`` counts CBP's secondary referrals (under UCP, the joint exam);
    ``mx_exams`` Mexico's own red-light exams (export inspection before CBP,
    import inspection after the port). ``licit_exams_per_1000`` counts both
    kinds of exam of crossings that carried nothing: the trade burden, counted
    the same way in every variant. ``detected`` includes Mexico's finds.
    """
    mx_exams = records.mx_exams
    exams = records.referred.astype(np.int64) + mx_exams
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
                "mx_exams": int(mx_exams[mask].sum()),
                "licit_exams_per_1000": 1000.0
                * float(exams[mask & ~records.carrier].sum())
                / max(int(mask.sum()), 1),
            }
        )
    return frame(rows)


def offered_load(scenario: PortScenario) -> pd.DataFrame:
    """Peak-weekday offered load per hour; see :func:`offered_load_rows`."""
    return frame(offered_load_rows(scenario))


def _load_row(where: str, streams: set[str], h: int, load: float, servers: int) -> Row:
    return {
        "where": where,
        "streams": ",".join(sorted(streams)),
        "hour": h,
        "offered_erlangs": load,
        "open_booths": servers,
        "utilisation": load / servers if servers else (np.inf if load > 0 else 0.0),
    }


def offered_load_rows(
    scenario: PortScenario, *, governed_referral: float | None = None
) -> list[Row]:
    """Peak-weekday offered load per hour at every queue of the port.

    The queues: each set of primary lane groups, each secondary area (the
    southbound inspection's included, once the switch has been applied by
    :func:`~border21.ports.cooperation.effective_scenario`), and, for a port
    with a Mexican export inspection, its booths (``mx_export:booths``) and
    red-light bays (``mx_export:bays``); under Unified Cargo Processing the
    red lights join CBP's secondary instead. A port with a Mexican import
    inspection adds its red-light bays (``mx_import:bays``), loaded by the
    southbound crossings as they leave the port (free-flowing lanes pass the
    hour's arrivals on in that hour).

    ρ = Σ (arrival rate × mean service) / open servers, with each
    stream-program class charged to the groups it may join, and each area the
    share of its streams sent there: the referral probability, plus the
    carriers primary detects. ``governed_referral`` replaces the referral
    probability of the northbound streams with a secondary area: the frontier's
    budget, which a targeting policy spends on them. ρ ≥ 1 means the queue grows
    in that hour.
    """
    rows: list[Row] = []
    loads: dict[tuple[str, ...], np.ndarray] = {}
    names: dict[tuple[str, ...], set[str]] = {}
    sec_loads = {a: np.zeros(24) for a in scenario.secondary}
    sec_names: dict[str, set[str]] = {a: set() for a in scenario.secondary}
    export = scenario.cooperation.export_inspection
    joint = scenario.cooperation.unified_cargo_processing
    mx_booths, mx_bays = np.zeros(24), np.zeros(24)
    mx_names: set[str] = set()
    imports = scenario.cooperation.import_inspection
    import_bays = np.zeros(24)
    for sname, st in scenario.streams.items():
        hours = np.asarray(st.hour_of_day_shape) / sum(st.hour_of_day_shape)
        peak_day = st.crossings_per_day * max(st.weekday_shape) / np.mean(st.weekday_shape)
        per_hour = peak_day * hours
        exported = export is not None and sname in export.streams
        red = export.semaforo_probability if export is not None and exported else 0.0
        if exported and not joint:
            assert export is not None
            mx_booths += per_hour * export.service.mean_seconds / HOUR
            mx_bays += per_hour * red * export.secondary_service.mean_seconds / HOUR
            mx_names.add(sname)
        if imports is not None and sname in imports.streams:
            import_bays += (
                per_hour * imports.semaforo_probability * imports.service.mean_seconds / HOUR
            )
        governed = governed_referral is not None and st.direction == "northbound"
        for program, share in st.program_shares.items():
            if share <= 0:
                continue
            key = tuple(scenario.eligible_groups(sname, program))
            mean = np.asarray(st.primary_service.hourly_means(program))
            load = per_hour * share * mean / HOUR
            loads[key] = loads.get(key, np.zeros(24)) + load
            names.setdefault(key, set()).add(sname)
            if st.secondary is not None:
                referral = governed_referral if governed else st.referral_for(program)
                sent = max(float(referral or 0.0), 0.0) + st.carrier_probability * (
                    st.primary_detection_probability
                )
                if joint:
                    sent += red  # the Mexican red lights join the joint exam
                exam = scenario.secondary[st.secondary].service.mean_seconds
                sec_loads[st.secondary] += per_hour * share * min(sent, 1.0) * exam / HOUR
                sec_names[st.secondary].add(sname)
    for key, load in loads.items():
        booths = np.sum([scenario.lanes[g].open_booths() for g in key], axis=0)
        rows += [
            _load_row("+".join(key), names[key], h, float(load[h]), int(booths[h]))
            for h in range(24)
        ]
    for area, load in sec_loads.items():
        bays = scenario.secondary[area].open_bays()
        rows += [
            _load_row(f"secondary:{area}", sec_names[area], h, float(load[h]), bays[h])
            for h in range(24)
        ]
    if export is not None and not joint:
        booths = export.open_booths_by_hour or [export.booths] * 24
        for where, load, servers in (
            ("mx_export:booths", mx_booths, booths),
            ("mx_export:bays", mx_bays, [export.bays] * 24),
        ):
            rows += [_load_row(where, mx_names, h, float(load[h]), servers[h]) for h in range(24)]
    if imports is not None:
        rows += [
            _load_row(
                "mx_import:bays", set(imports.streams), h, float(import_bays[h]), imports.bays
            )
            for h in range(24)
        ]
    return rows


def hour_ranges(hours: list[int]) -> str:
    """``[0, 1, 2, 5]`` → ``'00–03h, 05–06h'`` (end exclusive)."""
    spans: list[list[int]] = []
    for h in sorted(hours):
        if spans and h == spans[-1][1]:
            spans[-1][1] = h + 1
        else:
            spans.append([h, h + 1])
    return ", ".join(f"{a:02d}–{b:02d}h" for a, b in spans)


@dataclass(frozen=True)
class Overload:
    """A queue at utilisation ≥ 1 in some hours of the peak weekday."""

    where: str
    streams: str
    hours: list[int]  # the hours at utilisation ≥ 1
    peak: Row  # the offered-load row of the worst hour
    day_utilisation: float  # the day's offered load over the day's open servers

    @property
    def clears(self) -> bool:
        """Whether the day's capacity exceeds its load, so the queue clears off-peak."""
        return self.day_utilisation < 1.0

    def describe(self) -> str:
        """One line, a :class:`~border21.i18n.message.Message` (translated where it is shown):
        a whole sentence per kind of server and day, so a translator sees it whole."""
        from border21.i18n.message import Message

        peak = self.peak
        bays = self.where.startswith("secondary:") or self.where.endswith(":bays")
        figures = {
            "streams": self.streams, "where": self.where, "hours": hour_ranges(self.hours),
            "peak": format(peak["utilisation"], ".2f"), "hour": format(peak["hour"], "02d"),
            "erlangs": format(peak["offered_erlangs"], ".1f"), "servers": peak["open_booths"],
            "day": format(self.day_utilisation, ".2f"),
        }  # fmt: skip
        if bays and self.clears:
            return Message(
                "stream {streams} at {where}: utilisation ≥ 1 in hours {hours} (peak {peak} at "
                "{hour}:00, {erlangs} erlangs on {servers} open bays; over the day {day}, so it "
                "clears off-peak); the queue grows in those hours", **figures,
            )  # fmt: skip
        if bays:
            return Message(
                "stream {streams} at {where}: utilisation ≥ 1 in hours {hours} (peak {peak} at "
                "{hour}:00, {erlangs} erlangs on {servers} open bays; over the day {day}: it does "
                "not clear from day to day); the queue grows in those hours", **figures,
            )  # fmt: skip
        if self.clears:
            return Message(
                "stream {streams} at {where}: utilisation ≥ 1 in hours {hours} (peak {peak} at "
                "{hour}:00, {erlangs} erlangs on {servers} open booths; over the day {day}, so it "
                "clears off-peak); the queue grows in those hours", **figures,
            )  # fmt: skip
        return Message(
            "stream {streams} at {where}: utilisation ≥ 1 in hours {hours} (peak {peak} at "
            "{hour}:00, {erlangs} erlangs on {servers} open booths; over the day {day}: it does "
            "not clear from day to day); the queue grows in those hours", **figures,
        )  # fmt: skip


def overloaded(scenario: PortScenario, *, governed_referral: float | None = None) -> list[Overload]:
    """Every queue at utilisation ≥ 1 in some hour; ``governed_referral`` as in
    :func:`offered_load_rows`."""
    queues: dict[tuple[str, str], list[Row]] = {}
    for row in offered_load_rows(scenario, governed_referral=governed_referral):
        queues.setdefault((row["where"], row["streams"]), []).append(row)
    out = []
    for (where, streams), rows in queues.items():
        bad = [r for r in rows if r["utilisation"] >= 1.0]
        if not bad:
            continue
        load = sum(float(r["offered_erlangs"]) for r in rows)
        servers = sum(int(r["open_booths"]) for r in rows)
        out.append(
            Overload(
                where=where,
                streams=streams,
                hours=[int(r["hour"]) for r in bad],
                peak=max(bad, key=lambda r: float(r["utilisation"])),
                day_utilisation=load / servers if servers else np.inf,
            )
        )
    return out


def unstable_hours(scenario: PortScenario, *, governed_referral: float | None = None) -> list[str]:
    """One warning per queue whose offered load is ≥ 1 per open server in some hours.

    Each warning names the stream(s), the queue (lanes, secondary area, the
    Mexican export booths or bays), the hours, the peak utilisation and the
    day's (below 1 the queue clears off-peak; at or above 1 it grows from day
    to day). ``governed_referral`` as in :func:`offered_load_rows`.
    """
    return [o.describe() for o in overloaded(scenario, governed_referral=governed_referral)]
