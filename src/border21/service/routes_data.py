"""Indicators and trends over the data warehouse (public data: any signed-in user)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query

from border21.i18n.message import Message, localize
from border21.service.deps import Lang, State, User
from border21.service.schemas import Json

if TYPE_CHECKING:
    import pandas as pd

    from border21.data.store import Store

router = APIRouter(prefix="/api/v1", tags=["indicators"])

Freq = Literal["month", "year"]
DateText = Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]


def table(frame: pd.DataFrame) -> Json:
    from border21.reports.charts import to_records

    return {"columns": [str(c) for c in frame.columns], "rows": to_records(frame)}


@router.get("/indicators/crossings", summary="Inbound crossings by group and period")
def crossings(
    who: User,
    state: State,
    measure: Literal["Personal Vehicles", "Trucks", "Buses", "Pedestrians"] = "Personal Vehicles",
    by: Literal["border", "port", "state", "measure", "field_office"] = "border",
    freq: Freq = "year",
    port: Annotated[list[str] | None, Query(max_length=10)] = None,
    start: DateText = None,
    end: DateText = None,
) -> Json:
    from border21.data import indicators

    return table(state.query_store(lambda s: indicators.crossings(
        s, measure=measure, by=by, freq=freq, ports=port, start=start, end=end)))  # fmt: skip


@router.get("/indicators/trade", summary="US trade with Mexico by group and period")
def trade(
    who: User,
    state: State,
    by: Literal["mode", "trade_type", "port", "mx_state"] = "trade_type",
    freq: Freq = "year",
) -> Json:
    from border21.data import indicators

    return table(state.query_store(lambda s: indicators.trade(s, by=by, freq=freq)))


@router.get("/indicators/seizures", summary="Port seizure events per 1,000 crossings")
def seizures(
    who: User, state: State, drug: Annotated[str | None, Query(max_length=40)] = None
) -> Json:
    from border21.data import indicators

    return table(state.query_store(lambda s: indicators.seizures_per_1000_crossings(s, drug=drug)))


@router.get("/indicators/homicides", summary="Homicides per 100,000 in Mexican states")
def homicides(
    who: User,
    state: State,
    states: Literal["border", "interior", "all"] = "border",
    freq: Freq = "year",
) -> Json:
    from border21.data import indicators

    return table(state.query_store(lambda s: indicators.homicide_rate(s, states=states, freq=freq)))


@router.get("/indicators/wait-profile", summary="Observed CBP wait by hour of day")
def wait_profile(
    who: User,
    state: State,
    port: Annotated[str, Query(min_length=2, max_length=60)] = "san ysidro",
    lane: Annotated[str, Query(max_length=40)] = "Passenger",
    sub_lane: Annotated[str, Query(max_length=40)] = "General",
) -> Json:
    from border21.data import indicators

    def query(store: Store) -> pd.DataFrame:
        return indicators.hourly_wait_profile(store, port, lane=lane, sub_lane=sub_lane)

    return table(state.query_store(query))


@router.get("/events", summary="Program and event timeline")
def events(who: User, state: State) -> Json:
    from border21.data import indicators

    return table(state.query_store(indicators.events))


def _trends(store: Store) -> dict[str, Any]:
    from border21.data import indicators

    cross = indicators.crossings(store, measure=["Personal Vehicles", "Trucks", "Pedestrians"],
                                 by="measure", freq="year")  # fmt: skip
    cross = cross[cross["months"] == 12].drop(columns=["months"])
    trade_f = indicators.trade(store, by="trade_type", freq="year")
    seiz = indicators.seizures_per_1000_crossings(store)
    seiz = seiz[seiz["region"] == "SOUTHWEST BORDER"]
    hom = indicators.homicide_rate(store, states="border", freq="year")
    ev = indicators.events(store)
    return {
        "crossings": table(cross),
        "trade": table(trade_f),
        "seizures": table(seiz),
        "homicides": table(hom),
        "events": table(ev[["event_date", "title", "category", "country"]]),
    }


@router.get("/trends", summary="Crossings, trade, seizures, homicides and events, yearly")
def trends(who: User, state: State) -> Json:
    return state.query_store(_trends)


EventText = Annotated[
    str, Query(min_length=4, max_length=40, pattern=r"^(\d{4}-\d{2}(-\d{2})?|[a-z][a-z0-9_]*)$")
]


@router.get(
    "/indicators/effect",
    summary="Program effect: placebo-calibrated p-value and interval, with diagnostics",
)
def effect(
    who: User,
    state: State,
    lang: Lang,
    series: Literal["homicides", "crossings", "apprehensions", "seizures", "trade"],
    event: EventText,
    method: Literal["its", "did"] = "its",
    mx_state: Annotated[str | None, Query(alias="state", max_length=40)] = None,
    port: Annotated[str | None, Query(max_length=60)] = None,
    measure: Literal["Personal Vehicles", "Trucks", "Buses", "Pedestrians"] = "Personal Vehicles",
    region: Annotated[str, Query(min_length=2, max_length=40)] = "Southwest Border",
    drug: Annotated[str | None, Query(max_length=40)] = None,
    trade_type: Literal["Import", "Export"] = "Import",
    window: Annotated[int, Query(ge=0, le=240)] = 60,
    alpha: Annotated[float, Query(ge=0.001, le=0.5)] = 0.05,
) -> Json:
    """The estimate with its diagnostics and caveat (``estimate``) and the level change
    at every placebo month (``placebos``), for a placebo chart."""
    from border21.data import effects
    from border21.errors import InputError

    for name, value in (("state", mx_state), ("port", port), ("drug", drug)):
        if method == "did" and value is not None:  # the DiD panel: border vs interior states
            raise InputError(name, value, Message("does not apply to method did"))
    selection = (
        {"state": mx_state, "port": port, "measure": measure, "region": region, "drug": drug,
         "trade_type": trade_type} if method == "its" else {}
    )  # fmt: skip

    def query(store: Store) -> Json:
        est = effects.estimate_effect(
            store, series, event, method=method, window_months=window or None, alpha=alpha,
            **selection,
        )  # fmt: skip
        return {"estimate": est.as_dict(), "placebos": table(est.placebos)}

    return localize(state.query_store(query), lang)  # type: ignore[no-any-return]
