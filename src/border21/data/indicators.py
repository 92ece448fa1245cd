"""Indicators: pure functions over an open :class:`~border21.data.store.Store`.

Each returns a tidy pandas DataFrame (one row per period × group) ready for a
table, a chart or a model. They never read files, the environment or globals.

>>> from border21.data.store import open_store
>>> from border21.data.samples import load_samples
>>> store = open_store(None); _ = load_samples(store)
>>> pv = crossings(store, freq="year")
>>> int(pv.loc[pv.period.dt.year == 2014, "value"].iloc[0])
69623693
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from border21.data.names import BORDER_STATE_CODES, state_code
from border21.errors import InputError, NotFoundError
from border21.i18n.message import Message

if TYPE_CHECKING:
    import pandas as pd

    from border21.data.store import Store

FREQS = ("month", "year")
CROSSING_GROUPS = ("border", "port", "state", "measure", "field_office")
TRADE_GROUPS = ("mode", "trade_type", "country", "port", "mx_state")
CONVEYANCES = ("Personal Vehicles", "Trucks", "Buses", "Pedestrians")


def _check(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise InputError(
            name, value, Message("must be one of {allowed}", allowed=", ".join(allowed))
        )


def _with_yoy(frame: pd.DataFrame, value: str, freq: str) -> pd.DataFrame:
    """Add ``yoy_pct``: change against the same period one year earlier, per group."""
    lag = 12 if freq == "month" else 1
    frame = frame.sort_values(["group", "period"]).reset_index(drop=True)
    import pandas as pd

    prev = frame[["group", "period", value]].copy()
    prev["period"] = prev["period"] + pd.DateOffset(months=lag if freq == "month" else 12)
    merged = frame.merge(prev, on=["group", "period"], how="left", suffixes=("", "_prev"))
    previous = merged[f"{value}_prev"]
    merged["yoy_pct"] = (merged[value] / previous.where(previous != 0) - 1.0) * 100.0
    return merged.drop(columns=[f"{value}_prev"])


def _in_list(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def crossings(
    store: Store,
    *,
    measure: str | Sequence[str] = "Personal Vehicles",
    by: str = "border",
    freq: str = "month",
    ports: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Inbound crossings by ``by`` (border, port, state, measure, field_office) and period.

    Columns: ``period`` (first day), ``group``, ``value``, ``yoy_pct``. Ports
    are CBP codes (``"2504"``) or names (``"San Ysidro"``).
    """
    _check("by", by, CROSSING_GROUPS)
    _check("freq", freq, FREQS)
    measures = [measure] if isinstance(measure, str) else list(measure)
    group = {
        "border": "'US-Mexico'", "port": "p.port_name", "state": "p.state",
        "measure": "c.measure", "field_office": "p.field_office",
    }[by]  # fmt: skip
    where = [f"c.measure IN ({_in_list(measures)})"]
    params: list[Any] = []
    if ports:
        codes = resolve_ports(store, ports)
        where.append(f"c.port_code IN ({_in_list(codes)})")
    if start:
        where.append("c.month >= CAST(? AS DATE)")
        params.append(_month_start(start))
    if end:
        where.append("c.month <= CAST(? AS DATE)")
        params.append(_month_start(end))
    frame = store.sql(
        f"""SELECT date_trunc('{freq}', c.month)::DATE AS period, {group} AS "group",
                   sum(c.value)::BIGINT AS value, count(DISTINCT c.month) AS months
            FROM crossings c JOIN ports p USING (port_code)
            WHERE {" AND ".join(where)} GROUP BY ALL ORDER BY 2, 1""",
        params,
    )
    frame = _with_yoy(_dates(frame), "value", freq)
    if freq == "year":  # a partial year (e.g. 2025 = Jan–Feb) has no meaningful YoY
        frame.loc[frame["months"] < 12, "yoy_pct"] = float("nan")
        return frame
    return frame.drop(columns=["months"])


def _month_start(text: str) -> str:
    text = text.strip()
    return text + "-01" if len(text) == 7 else (text + "-01-01" if len(text) == 4 else text)


def _dates(frame: pd.DataFrame, col: str = "period") -> pd.DataFrame:
    import pandas as pd

    frame[col] = pd.to_datetime(frame[col])
    return frame


def resolve_ports(store: Store, ports: Sequence[str]) -> list[str]:
    """CBP port codes for codes or names (case-insensitive); unknown ones raise."""
    known = store.sql("SELECT port_code, lower(port_name) AS name FROM ports")
    by_name = dict(zip(known["name"], known["port_code"], strict=True))
    codes = set(known["port_code"])
    out = []
    for port in ports:
        code = port if port in codes else by_name.get(port.strip().lower())
        if code is None:
            raise NotFoundError(
                Message(
                    "unknown port {port!r}; try `border21 data sql 'SELECT * FROM ports'`",
                    port=port,
                )
            )
        out.append(code)
    return out


def monthly_crossings(store: Store, port: str, measure: str = "Personal Vehicles") -> pd.DataFrame:
    """Monthly inbound crossings of one port and measure: ``month``, ``value``.

    For the simulator: arrival volumes. Months BTS did not publish are absent,
    and known gaps (San Ysidro Jan 1996–Feb 1997) appear as zeros, never filled.
    """
    code = resolve_ports(store, [port])[0]
    frame = store.sql(
        "SELECT month, value FROM crossings WHERE port_code = ? AND measure = ? ORDER BY month",
        [code, measure],
    )
    return _dates(frame, "month")


def crossing_gaps(store: Store, *, min_months: int = 3) -> pd.DataFrame:
    """Runs of ≥ ``min_months`` consecutive months in which a port reports zero for
    every measure, or no row at all, while reporting traffic before or after
    (publisher gaps or closures; the data cannot tell which).

    Columns: ``port_code``, ``port_name``, ``first_month``, ``last_month``, ``months``.
    """
    return _dates(
        _dates(
            store.sql(
                """WITH r AS (
                     SELECT port_code, month, sum(value) AS total FROM crossings GROUP BY ALL),
                   span AS (
                     SELECT port_code, min(month) AS lo, max(month) AS hi FROM r GROUP BY ALL),
                   m AS (  -- BTS omits all-zero rows since 2015: absent months count as zero
                     SELECT s.port_code, g.month::DATE AS month, coalesce(r.total, 0) AS total
                     FROM span s,
                          LATERAL (SELECT unnest(generate_series(s.lo, s.hi, INTERVAL 1 MONTH))
                                   AS month) g
                     LEFT JOIN r ON r.port_code = s.port_code AND r.month = g.month::DATE),
                   z AS (
                     SELECT *, datediff('month', DATE '1900-01-01', month)
                               - row_number() OVER (PARTITION BY port_code ORDER BY month) AS run
                     FROM m WHERE total = 0),
                   runs AS (
                     SELECT port_code, min(month) AS first_month, max(month) AS last_month,
                            count(*) AS months FROM z GROUP BY port_code, run)
                   SELECT r.port_code, p.port_name, r.first_month, r.last_month, r.months
                   FROM runs r JOIN ports p USING (port_code)
                   WHERE r.months >= ? AND EXISTS (
                       SELECT 1 FROM m WHERE m.port_code = r.port_code AND m.total > 0)
                   ORDER BY r.first_month, r.port_code""",
                [min_months],
            ),
            "first_month",
        ),
        "last_month",
    )


def trade(
    store: Store, *, by: str = "trade_type", freq: str = "year", country: str = "Mexico"
) -> pd.DataFrame:
    """US trade with ``country`` by ``by`` and period: ``period, group, value_usd, yoy_pct``.

    ``by='port'`` uses the annual Texas-ports file and ``by='mx_state'`` the
    annual Mexican-state file; the others use the monthly country file.
    """
    _check("by", by, TRADE_GROUPS)
    _check("freq", freq, FREQS)
    dims = {"port": ("port_code", "year"), "mx_state": ("mx_state", "year")}
    col, need = dims.get(by, (by, None))
    if need == "year" and freq == "month":
        raise InputError(
            "freq", freq, Message("trade by {by} is published annually; use --freq year", by=by)
        )
    filters = "t.port_code = 'ALL' AND t.mx_state = 'ALL' AND t.period = 'month'"
    if by == "port":
        filters = "t.port_code <> 'ALL' AND t.period = 'year'"
    elif by == "mx_state":
        filters = "t.mx_state <> 'ALL' AND t.period = 'year'"
    label = {
        "mx_state": "coalesce(s.state_name, t.mx_state)",
        "port": "coalesce(p.port_name || ' (' || t.port_code || ')', t.port_code)",
    }.get(by, f"t.{col}")
    frame = store.sql(
        f"""SELECT date_trunc('{freq}', t.period_start)::DATE AS period, {label} AS "group",
                   sum(t.value_usd)::DOUBLE AS value_usd
            FROM trade t LEFT JOIN mx_states s ON t.mx_state = lpad(s.state_code::VARCHAR, 2, '0')
            LEFT JOIN ports p ON p.port_code = t.port_code
            WHERE t.country = ? AND {filters} GROUP BY ALL ORDER BY 2, 1""",
        [country],
    )
    return _with_yoy(_dates(frame), "value_usd", freq)


def vehicle_mix(store: Store, *, by: str = "border", freq: str = "year") -> pd.DataFrame:
    """Trucks versus personal vehicles.

    Columns: ``period, group, trucks, personal_vehicles, truck_share``.
    """
    _check("by", by, ("border", "port", "state", "field_office"))
    _check("freq", freq, FREQS)
    group = {"border": "'US-Mexico'", "port": "p.port_name", "state": "p.state",
             "field_office": "p.field_office"}[by]  # fmt: skip
    frame = store.sql(
        f"""SELECT date_trunc('{freq}', c.month)::DATE AS period, {group} AS "group",
                   sum(value) FILTER (WHERE measure = 'Trucks')::BIGINT AS trucks,
                   sum(value) FILTER (WHERE measure = 'Personal Vehicles')::BIGINT
                       AS personal_vehicles
            FROM crossings c JOIN ports p USING (port_code)
            WHERE measure IN ('Trucks', 'Personal Vehicles') GROUP BY ALL ORDER BY 2, 1"""
    )
    frame = _dates(frame)
    total = frame["trucks"] + frame["personal_vehicles"]
    frame["truck_share"] = frame["trucks"] / total.where(total > 0)
    return frame


def hourly_wait_profile(
    store: Store,
    port: str,
    *,
    lane: str = "Passenger",
    sub_lane: str = "General",
    month: int | None = None,
    weekday: int | None = None,
) -> pd.DataFrame:
    """Average wait to primary by local hour (0–23) for one port crossing and lane.

    ``port`` matches the wait-time port names case-insensitively as a substring
    (``"san ysidro"``, ``"BOTA"``, ``"ysleta"``). Averages over the months and
    weekdays not fixed (weekday 0 = Sunday). Columns: ``hour``, ``wait_minutes``,
    ``cells`` (how many month × weekday averages went in).
    """
    ports = store.sql(
        "SELECT DISTINCT port FROM wait_times WHERE port ILIKE ? ORDER BY 1", [f"%{port}%"]
    )["port"].tolist()
    if len(ports) != 1:
        known = store.sql("SELECT DISTINCT port FROM wait_times ORDER BY 1")["port"].tolist()
        if ports:
            raise NotFoundError(
                Message(
                    "{port!r} matches several wait-time ports; known: {known}",
                    port=port,
                    known="; ".join(known),
                )
            )
        raise NotFoundError(
            Message(
                "{port!r} matches no wait-time ports; known: {known}",
                port=port,
                known="; ".join(known),
            )
        )
    frame = store.sql(
        """SELECT hour, avg(wait_minutes) AS wait_minutes, count(wait_minutes) AS cells
           FROM wait_times WHERE port = ? AND lane = ? AND sub_lane = ?
             AND (? IS NULL OR month = ?) AND (? IS NULL OR weekday = ?)
           GROUP BY hour ORDER BY hour""",
        [ports[0], lane, sub_lane, month, month, weekday, weekday],
    )
    if frame.empty:
        raise NotFoundError(
            Message(
                "no {lane}/{sub_lane} wait times for {port}",
                lane=lane,
                sub_lane=sub_lane,
                port=ports[0],
            )
        )
    return frame


def wait_vs_volume(store: Store, *, volume_years: tuple[int, int] = (2019, 2024)) -> pd.DataFrame:
    """Mean general-lane passenger-vehicle wait by port, month and hour, next to the
    port's mean monthly personal-vehicle volume over ``volume_years`` (BTS).

    The wait extracts are averages for one recent year, so the comparison is by
    calendar month (seasonality), not a same-month time series. Columns:
    ``port, port_code, month, hour, wait_minutes, monthly_volume``.
    """
    frame = store.sql(
        """WITH w AS (
             SELECT port, port_code, month, hour, avg(wait_minutes) AS wait_minutes
             FROM wait_times WHERE lane = 'Passenger' AND sub_lane = 'General'
             GROUP BY ALL),
           v AS (
             SELECT port_code, month(month) AS month, avg(value)::DOUBLE AS monthly_volume
             FROM crossings WHERE measure = 'Personal Vehicles'
               AND year(month) BETWEEN ? AND ? GROUP BY ALL)
           SELECT w.port, w.port_code, w.month, w.hour, w.wait_minutes, v.monthly_volume
           FROM w LEFT JOIN v USING (port_code, month) ORDER BY ALL""",
        list(volume_years),
    )
    return frame


def hourly_wait_vs_volume(store: Store, port: str = "San Ysidro") -> pd.DataFrame:
    """Vehicles processed, lanes open and wait by hour and lane type at one port
    (northbound passenger vehicles, average Tue–Thu 2017, table ``hourly_volumes``),
    next to CBP's historical average wait for the same hour on Tue–Thu (``wait_times``).

    Columns: ``hour, lane_type, volume, open_lanes, vehicles_per_lane_hour,
    wait_minutes, cbp_wait_minutes``. Volumes are vehicles *processed* (capacity when
    a queue persists), not arrivals.
    """
    frame = store.sql(
        """WITH h AS (
             SELECT * FROM hourly_volumes
             WHERE lower(port) = lower(?) AND direction = 'Northbound'
               AND vehicle_type = 'Passenger'),
           w AS (
             SELECT port_code, hour,
                    CASE sub_lane WHEN 'Nexus/Sentri' THEN 'SENTRI' ELSE sub_lane END
                        AS lane_type,
                    avg(wait_minutes) AS cbp_wait_minutes
             FROM wait_times WHERE lane = 'Passenger' AND weekday BETWEEN 2 AND 4
             GROUP BY ALL)
           SELECT h.hour, h.lane_type, h.volume, h.open_lanes,
                  (h.volume / nullif(h.open_lanes, 0))::DOUBLE AS vehicles_per_lane_hour,
                  h.wait_minutes, w.cbp_wait_minutes
           FROM h LEFT JOIN w USING (port_code, hour, lane_type)
           ORDER BY h.lane_type, h.hour""",
        [port],
    )
    if frame.empty:
        known = store.sql("SELECT DISTINCT port FROM hourly_volumes ORDER BY 1")["port"].tolist()
        raise NotFoundError(
            Message(
                "no hourly volumes for {port!r}; loaded: {loaded} (`border21 data load "
                "hourly FILE`)",
                port=port,
                loaded=", ".join(known) or Message("none"),
            )
        )
    return frame


def seizures_per_1000_crossings(
    store: Store, *, drug: str | None = None, measures: Sequence[str] = CONVEYANCES
) -> pd.DataFrame:
    """OFO (port-of-entry) seizure events per 1,000 inbound crossings, by field
    office and fiscal year, plus a ``SOUTHWEST BORDER`` total.

    Crossings are the sum of ``measures`` (default: personal vehicles, trucks,
    buses, pedestrians) at the office's ports over every month of the fiscal year
    that the seizure file covers (so FY2023 = Oct 2022 – Sep 2023), whatever
    ``drug`` is: a month with no seizure of that drug still counts its crossings.
    Columns: ``fiscal_year, region, events,
    pounds, crossings, per_1000``.
    """
    # The denominator is every inbound crossing of the months the seizure file covers
    # (any drug), so a drug's rare months do not shrink it: the crossings are built from
    # the covered months alone, and the drug's events joined onto them (0 when none).
    frame = store.sql(
        f"""WITH ofo AS (
             SELECT fiscal_year, month, replace(aor, ' FIELD OFFICE', '') AS region,
                    drug_type, events, quantity_lbs
             FROM seizures
             WHERE component = 'Office of Field Operations' AND region = 'Southwest Border'),
           covered AS (SELECT DISTINCT fiscal_year, month, region FROM ofo),
           s AS (
             SELECT fiscal_year, region, sum(events) AS events, sum(quantity_lbs) AS pounds
             FROM ofo WHERE (? IS NULL OR drug_type ILIKE ?) GROUP BY ALL),
           c AS (
             SELECT v.fiscal_year, v.region, sum(x.value) AS crossings
             FROM covered v
             JOIN ports p ON p.field_office = v.region
             JOIN crossings x ON x.port_code = p.port_code AND x.month = v.month
             WHERE x.measure IN ({_in_list(measures)}) GROUP BY ALL),
           j AS (
             SELECT c.fiscal_year, c.region, coalesce(s.events, 0) AS events,
                    coalesce(s.pounds, 0) AS pounds, c.crossings
             FROM c LEFT JOIN s USING (fiscal_year, region)),
           y AS (
             SELECT * FROM j
             UNION ALL
             SELECT fiscal_year, 'SOUTHWEST BORDER', sum(events), sum(pounds), sum(crossings)
             FROM j GROUP BY ALL)
           SELECT fiscal_year, region, events::BIGINT AS events, pounds::DOUBLE AS pounds,
                  crossings::BIGINT AS crossings,
                  (1000.0 * events / nullif(crossings, 0))::DOUBLE AS per_1000
           FROM y ORDER BY region, fiscal_year""",
        [drug, drug],
    )
    return frame


def apprehensions(store: Store, *, by: str = "region", freq: str = "fiscal_year") -> pd.DataFrame:
    """Border Patrol apprehensions by ``region`` or ``sector`` and fiscal year or month."""
    _check("by", by, ("region", "sector"))
    _check("freq", freq, ("fiscal_year", "month"))
    period = "make_date(fiscal_year, 1, 1)" if freq == "fiscal_year" else "month"
    frame = store.sql(
        f"""SELECT {period} AS period, {by} AS "group", sum(apprehensions)::BIGINT AS value
            FROM apprehensions GROUP BY ALL ORDER BY 2, 1"""
    )
    return _dates(frame)


def _state_filter(states: str | Sequence[str | int] | None) -> tuple[list[int], str]:
    if states is None or states == "all":
        return list(range(1, 33)), "all"
    if states == "border":
        return list(BORDER_STATE_CODES), "border"
    if states == "interior":
        return [c for c in range(1, 33) if c not in BORDER_STATE_CODES], "interior"
    if isinstance(states, str):
        states = [states]
    return [state_code(s) for s in states], "state"


def homicide_rate(
    store: Store,
    *,
    states: str | Sequence[str | int] | None = "border",
    freq: str = "year",
    by_state: bool = False,
) -> pd.DataFrame:
    """Homicides per 100,000 (CONAPO mid-year population), annual or monthly (annualised).

    ``states``: ``"border"`` (the six), ``"interior"``, ``"all"``, or names/codes.
    Columns: ``period, group, homicides, population, rate_per_100k``.
    """
    _check("freq", freq, FREQS)
    codes, label = _state_filter(states)
    group = "s.state_name" if by_state or label == "state" else f"'{label}'"
    scale = "100000.0" if freq == "year" else "1200000.0"
    frame = store.sql(
        f"""WITH h AS (
              SELECT date_trunc('{freq}', h.month)::DATE AS period, {group} AS "group",
                     h.state_code, sum(h.homicides) AS homicides
              FROM homicides h JOIN mx_states s USING (state_code)
              WHERE h.state_code IN ({", ".join(map(str, codes))}) GROUP BY ALL)
            SELECT h.period, h."group", sum(h.homicides)::BIGINT AS homicides,
                   sum(p.population)::BIGINT AS population,
                   ({scale} * sum(h.homicides) / sum(p.population))::DOUBLE AS rate_per_100k
            FROM h JOIN population p ON p.state_code = h.state_code AND p.year = year(h.period)
            GROUP BY ALL ORDER BY 2, 1"""
    )
    return _dates(frame)


def homicide_panel(store: Store) -> pd.DataFrame:
    """State × month homicide rates (annualised per 100,000) with a ``border`` flag,
    the input of the border-vs-interior difference-in-differences."""
    frame = store.sql(
        """SELECT h.state_code AS unit, s.state_name, h.month AS period, s.border_state AS treated,
                  (1200000.0 * h.homicides / p.population)::DOUBLE AS value
           FROM homicides h JOIN mx_states s USING (state_code)
           JOIN population p ON p.state_code = h.state_code AND p.year = year(h.month)
           ORDER BY 1, 3"""
    )
    return _dates(frame)


def seasonal_adjust(
    frame: pd.DataFrame, *, value: str = "value", period: int = 12, robust: bool = True
) -> pd.DataFrame:
    """Add STL ``trend``, ``seasonal`` and ``adjusted`` (= value − seasonal) per group.

    Needs monthly data and at least two full years per group; groups with fewer
    observations get NaN. Gaps are interpolated for the fit only; ``value`` is
    left as published.
    """
    import numpy as np
    import pandas as pd
    from statsmodels.tsa.seasonal import STL

    parts = []
    for _, g in frame.sort_values(["group", "period"]).groupby("group", sort=False):
        g = g.copy()
        y = g[value].astype(float).interpolate(limit_direction="both").to_numpy()
        if len(y) >= 2 * period + 1 and np.isfinite(y).all():
            fit = STL(y, period=period, robust=robust).fit()
            g["trend"], g["seasonal"] = fit.trend, fit.seasonal
            g["adjusted"] = g[value].astype(float) - fit.seasonal
        else:
            g["trend"] = g["seasonal"] = g["adjusted"] = np.nan
        parts.append(g)
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else frame.assign(trend=[], seasonal=[], adjusted=[])
    )


def events(store: Store) -> pd.DataFrame:
    """The program/event timeline: ``event_id, event_date, title, category, country, ...``."""
    return _dates(
        store.sql("SELECT * EXCLUDE (load_id) FROM events ORDER BY event_date"), "event_date"
    )
