"""The words the reports show as data: policies, cooperation variants, measures, event
categories…, each in the report's language. Names (ports, states, field offices,
series ids) are not here and stay as they are.

>>> term("es", "targeted"), term("es", "Trucks"), term("es", "San Ysidro")
('dirigida por riesgo', 'Camiones', 'San Ysidro')
>>> term("en", "shared_intelligence")
'shared_intelligence'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from border21.i18n import DEFAULT, N_, translate

if TYPE_CHECKING:
    import pandas as pd

# value → its message
TERMS = {
    # referral policies and cooperation variants (the dashboard's words)
    "random": N_("random"),
    "trusted": N_("trusted"),
    "targeted": N_("targeted"),
    "baseline": N_("baseline"),
    "shared_intelligence": N_("shared intelligence"),
    "enrolment": N_("trusted-trader enrolment"),
    "ucp": N_("Unified Cargo Processing"),
    "southbound": N_("southbound"),
    "northbound": N_("northbound"),
    # the targeting model, trained on one agency's records or on shared intelligence
    "isolated": N_("isolated"),
    "shared": N_("shared"),
    # BTS measures and the report's series
    "Personal Vehicles": N_("Personal Vehicles"),
    "Trucks": N_("Trucks"),
    "Pedestrians": N_("Pedestrians"),
    "Export": N_("Exports"),
    "Import": N_("Imports"),
    "US-Mexico": N_("US–Mexico"),
    "border": N_("border states"),
    "interior": N_("interior states"),
    "Coastal Border": N_("Coastal Border"),
    "Northern Border": N_("Northern Border"),
    "Southwest Border": N_("Southwest Border"),
    # event categories and date precisions
    "program": N_("program"),
    "security": N_("security"),
    "policy": N_("policy"),
    "trade": N_("trade"),
    "shock": N_("shock"),
    "economy": N_("economy"),
    "election": N_("election"),
    "day": N_("day"),
    "month": N_("month"),
    "year": N_("year"),
    # calibration: what each line is, and which months
    "observed": N_("observed"),
    "before": N_("before calibration"),
    "after": N_("after calibration"),
    "fit": N_("fit"),
    "holdout": N_("held out"),
    "general": N_("general"),
}


def term(lang: str, value: str) -> str:
    """``value`` in ``lang`` when it is a word of :data:`TERMS`, else unchanged (English
    keeps the values the report always showed, short ids included)."""
    if lang == DEFAULT:
        return value
    message = TERMS.get(value)
    return translate(lang, message) if message else value


def terms(lang: str, column: pd.Series | Iterable[object]) -> list[str]:
    """Every value of ``column`` through :func:`term`."""
    return [term(lang, str(v)) for v in column]


def translate_frame(frame: pd.DataFrame, lang: str, *columns: str) -> pd.DataFrame:
    """``frame`` with the words of ``columns`` in ``lang`` (a copy; English: unchanged)."""
    if lang == DEFAULT:
        return frame
    present = [c for c in columns if c in frame.columns]
    return frame.assign(**{c: terms(lang, frame[c]) for c in present})
