"""Name normalisation shared by the loaders: Mexican states, months, fiscal years.

>>> state_code("Nuevo Leon"), state_code("NUEVO LEÓN"), state_code("Coahuila de Zaragoza")
(19, 19, 5)
>>> fiscal_to_calendar(2019, 10)  # October of FY2019 is October 2018
2018
>>> month_number("Sept"), month_number("diciembre")
(9, 12)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from border21.errors import InputError
from border21.i18n.message import Message


@dataclass(frozen=True, slots=True)
class MexicanState:
    """One of Mexico's 32 federal entities, with its INEGI ``CVE_ENT`` code."""

    code: int
    name: str
    border: bool


MEXICAN_STATES: tuple[MexicanState, ...] = tuple(
    MexicanState(code, name, code in (2, 5, 8, 19, 26, 28))
    for code, name in enumerate(
        (
            "Aguascalientes", "Baja California", "Baja California Sur", "Campeche",
            "Coahuila", "Colima", "Chiapas", "Chihuahua", "Ciudad de México", "Durango",
            "Guanajuato", "Guerrero", "Hidalgo", "Jalisco", "México", "Michoacán",
            "Morelos", "Nayarit", "Nuevo León", "Oaxaca", "Puebla", "Querétaro",
            "Quintana Roo", "San Luis Potosí", "Sinaloa", "Sonora", "Tabasco",
            "Tamaulipas", "Tlaxcala", "Veracruz", "Yucatán", "Zacatecas",
        ),
        start=1,
    )
)  # fmt: skip

BORDER_STATE_CODES: tuple[int, ...] = tuple(s.code for s in MEXICAN_STATES if s.border)


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse spaces: ``"Nuevo  León"`` → ``"nuevo leon"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().replace(".", " ").split())


_ALIASES: dict[str, int] = {fold(s.name): s.code for s in MEXICAN_STATES}
_ALIASES.update(
    {
        "coahuila de zaragoza": 5,
        "distrito federal": 9,
        "cdmx": 9,
        "df": 9,
        "estado de mexico": 15,
        "edomex": 15,
        "mexico state": 15,
        "michoacan de ocampo": 16,
        "veracruz de ignacio de la llave": 30,
        "queretaro de arteaga": 22,
    }
)
# BTS TransBorder two-letter Mexican state codes (MEXSTATE, exports only). "MX" is the
# State of Mexico: its Jan 2015 exports (1.73 bn USD) match 1/12 of the annual
# "Estado de Mexico" figure (1.77 bn); "XX" (unknown) and "OT" (other) map to no state.
MEXSTATE_CODES: dict[str, int] = {
    "AG": 1, "BC": 2, "BS": 3, "CM": 4, "CO": 5, "CL": 6, "CS": 7, "CH": 8, "DF": 9,
    "DG": 10, "GT": 11, "GR": 12, "HG": 13, "JA": 14, "MX": 15, "MI": 16, "MO": 17,
    "NA": 18, "NL": 19, "OA": 20, "PU": 21, "QT": 22, "QR": 23, "SL": 24, "SI": 25,
    "SO": 26, "TB": 27, "TM": 28, "TL": 29, "VE": 30, "YU": 31, "ZA": 32,
}  # fmt: skip


def state_code(name_or_code: str | int) -> int:
    """INEGI code (1–32) of a Mexican state given its name (any accents/case) or code."""
    if isinstance(name_or_code, int) or str(name_or_code).strip().isdigit():
        code = int(name_or_code)
        if 1 <= code <= 32:
            return code
        raise InputError("state", name_or_code, Message("state codes run from 1 to 32"))
    key = fold(str(name_or_code))
    if key in _ALIASES:
        return _ALIASES[key]
    raise InputError("state", name_or_code, Message("not a Mexican state name or code"))


def state_name(code: int) -> str:
    """Official short name of the state with INEGI code ``code``."""
    return MEXICAN_STATES[state_code(code) - 1].name


def alias_rows() -> list[tuple[str, int]]:
    """``(folded name, code)`` pairs, for SQL joins that normalise state names."""
    return sorted(_ALIASES.items())


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    "ene": 1, "abr": 4, "ago": 8, "dic": 12, "sept": 9, "set": 9,
}  # fmt: skip
_SPANISH = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
}  # fmt: skip


def month_number(name: str) -> int:
    """Month 1–12 from an English or Spanish name or abbreviation."""
    key = fold(name)
    if key in _SPANISH:
        return _SPANISH[key]
    if key[:4] in _MONTHS:
        return _MONTHS[key[:4]]
    if key[:3] in _MONTHS:
        return _MONTHS[key[:3]]
    raise InputError("month", name, Message("not a month name"))


def month_rows() -> list[tuple[str, int]]:
    """``(folded name, number)`` pairs for SQL joins (English, Spanish, abbreviations)."""
    full = {
        "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7,
        "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    }  # fmt: skip
    return sorted({**_MONTHS, **_SPANISH, **full}.items())


def fiscal_to_calendar(fiscal_year: int, month: int) -> int:
    """Calendar year of ``month`` in a US federal fiscal year (October–September)."""
    return fiscal_year - 1 if month >= 10 else fiscal_year


def field_office(port_code: str) -> str | None:
    """CBP field office of a US–Mexico land port, from the district in its code.

    >>> field_office("2504"), field_office("2304")
    ('SAN DIEGO', 'LAREDO')
    """
    return {"23": "LAREDO", "24": "EL PASO", "25": "SAN DIEGO", "26": "TUCSON"}.get(port_code[:2])
