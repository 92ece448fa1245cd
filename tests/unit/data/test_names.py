from __future__ import annotations

import pytest

from border21.data.names import (
    BORDER_STATE_CODES,
    field_office,
    fiscal_to_calendar,
    fold,
    month_number,
    state_code,
    state_name,
)
from border21.errors import InputError


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Nuevo León", 19), ("NUEVO LEON", 19), ("nuevo  leon", 19), ("Coahuila de Zaragoza", 5),
        ("Distrito Federal", 9), ("Ciudad de México", 9), ("Estado de Mexico", 15),
        ("México", 15), ("Michoacán de Ocampo", 16), ("Querétaro", 22), ("08", 8), (28, 28),
    ],
)  # fmt: skip
def test_state_names_with_and_without_accents(name: str | int, code: int) -> None:
    assert state_code(name) == code


def test_unknown_state_names_the_value() -> None:
    with pytest.raises(InputError, match="Texas"):
        state_code("Texas")
    with pytest.raises(InputError):
        state_code(33)


def test_border_states_and_names() -> None:
    assert [state_name(c) for c in BORDER_STATE_CODES] == [
        "Baja California", "Coahuila", "Chihuahua", "Nuevo León", "Sonora", "Tamaulipas",
    ]  # fmt: skip
    assert fold("  Nuevo  León. ") == "nuevo leon"


def test_fiscal_years_start_in_october() -> None:
    assert fiscal_to_calendar(2019, 10) == 2018
    assert fiscal_to_calendar(2019, 9) == 2019
    assert [month_number(m) for m in ("OCT", "october", "Sept", "ene", "Diciembre")] == [
        10, 10, 9, 1, 12,
    ]  # fmt: skip
    with pytest.raises(InputError):
        month_number("yearly total")


def test_field_offices_follow_the_cbp_district() -> None:
    assert [field_office(c) for c in ("2304", "2402", "2504", "2604", "0901")] == [
        "LAREDO", "EL PASO", "SAN DIEGO", "TUCSON", None,
    ]  # fmt: skip
