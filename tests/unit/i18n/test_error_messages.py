"""Unit: an error's reason written as a Message keeps its English text and translates."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from border21.errors import InputError, NotFoundError, localized
from border21.i18n.message import Message
from border21.ports.catalog import scenario_data
from border21.ports.config import pydantic_reason, validate_scenario


def test_input_error_stays_english_and_translates_its_reason() -> None:
    exc = InputError("days", 0, Message("must be at least 1"))
    assert str(exc) == "days = 0: must be at least 1"
    assert exc.in_language("en") == str(exc)
    assert exc.in_language("es") == "days = 0: debe ser al menos 1"
    assert localized(exc, "es") == "days = 0: debe ser al menos 1"


def test_a_plain_reason_is_looked_up_and_a_missing_field_leaves_the_reason_alone() -> None:
    assert (
        InputError("x", 1, "must be at least 1").in_language("es") == "x = 1: debe ser al menos 1"
    )
    assert InputError("", None, "no such words in the catalog").in_language("es") == (
        "no such words in the catalog"
    )


def test_not_found_and_other_errors() -> None:
    exc = NotFoundError(
        Message("unknown source {source!r}; known: {sources}", source="x", sources="a")
    )
    assert str(exc) == "unknown source 'x'; known: a"
    assert localized(exc, "es") == "fuente desconocida 'x'; conocidas: a"
    assert localized(ValueError("plain"), "es") == "plain"


def test_an_input_error_with_a_message_pickles_whole() -> None:
    exc = pickle.loads(pickle.dumps(InputError("days", 0, Message("must be at least 1"))))
    assert isinstance(exc, InputError) and str(exc) == "days = 0: must be at least 1"
    assert exc.in_language("es") == "days = 0: debe ser al menos 1"


def _scenario_error(override: str) -> InputError:
    with pytest.raises(InputError) as info:
        validate_scenario(scenario_data("san_ysidro", [override]))
    return info.value


def test_a_check_across_keys_names_its_key_in_both_languages() -> None:
    exc = _scenario_error("streams.cars_general.secondary=nowhere")
    assert exc.field == "streams.cars_general.secondary"
    assert str(exc) == "streams.cars_general.secondary = 'nowhere': names unknown area 'nowhere'"
    assert exc.in_language("es").endswith(": nombra un área desconocida 'nowhere'")


def test_a_validators_message_and_pydantics_own_translate() -> None:
    exc = _scenario_error("lanes.general.lanes=0")
    assert str(exc) == "lanes.general.lanes = 0: Input should be greater than or equal to 1"
    assert (
        exc.in_language("es") == "lanes.general.lanes = 0: la entrada debe ser mayor o igual que 1"
    )
    exc = _scenario_error(f"lanes.general.open_booths_by_hour={[0] * 24}")
    assert exc.in_language("es").endswith(
        "no abre ninguna caseta a ninguna hora (los carriles nunca abrirían)"
    )


@pytest.mark.parametrize(
    "msg",
    [
        "Input should be greater than 0",
        "Input should be less than or equal to 1.5",
        "List should have at least 1 item after validation, not 0",
        "Dictionary should have at most 50 items after validation, not 51",
        "Input should be a valid integer, unable to parse string as an integer",
    ],
)
def test_pydantics_messages_keep_their_english_exactly(msg: str) -> None:
    reason = pydantic_reason(msg)
    assert isinstance(reason, Message) and str(reason) == msg
    assert reason.in_language("es") != msg


def test_an_unknown_pydantic_message_is_left_as_it_is() -> None:
    assert type(pydantic_reason("Input should be 'a' or 'b'")) is str


def test_a_loaders_encoding_hint_translates(tmp_path: Path) -> None:
    from border21.data.loaders._base import first_undecodable

    bad = tmp_path / "x.csv"
    bad.write_bytes(b"a,b\n1,Ju\xe1rez\n")
    where = first_undecodable(bad)
    assert isinstance(where, Message)
    assert where.startswith("line 2, byte 5: 0xe1 is not valid utf-8; the file reads as cp1252")
    assert localized(InputError("file", "x.csv", where), "es").startswith(
        "file = 'x.csv': línea 2, byte 5: 0xe1 no es utf-8 válido; el archivo se lee como cp1252"
    )
