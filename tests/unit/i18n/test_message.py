"""Messages: English text that remembers how to be translated, through pickling and joins."""

from __future__ import annotations

import json
import pickle

from border21.i18n.message import Message, localize


def test_a_message_is_its_english_text() -> None:
    m = Message("{hours} officer-hours not placed: nowhere left to add a booth.", hours=3)
    assert m == "3 officer-hours not placed: nowhere left to add a booth."
    assert isinstance(m, str) and json.loads(json.dumps([m])) == [str(m)]
    assert m.in_language("es") == "3 horas-oficial sin asignar: no queda dónde abrir otra caseta."


def test_nested_and_joined_messages_translate_as_a_whole() -> None:
    parts = [
        Message("too few months before the event to test for a pre-trend"),
        Message("{missing} missing and {zero} zero months in the window", missing=1, zero=2),
    ]
    line = Message("Read with care: {warnings}.", warnings=Message.join_all("; ", parts))
    assert line == (
        "Read with care: too few months before the event to test for a pre-trend; "
        "1 missing and 2 zero months in the window."
    )
    assert line.in_language("es") == (
        "Léase con cuidado: muy pocos meses antes del evento para probar una tendencia "
        "previa; 1 meses faltantes y 2 meses en cero en la ventana."
    )


def test_pickling_keeps_the_message_for_results_from_other_processes() -> None:
    inner = Message("{missing} missing and {zero} zero months in the window", missing=2, zero=0)
    line = Message("Read with care: {warnings}.", warnings=Message.join_all("; ", [inner]))
    back = pickle.loads(pickle.dumps({"caveat": line}))["caveat"]
    assert back == line
    assert back.in_language("es") == (
        "Léase con cuidado: 2 meses faltantes y 0 meses en cero en la ventana."
    )


def test_localize_walks_results_and_leaves_other_values() -> None:
    note = Message("too few months before the event to test for a pre-trend")
    result = {"notes": [note], "rows": ({"x": 1.5, "s": "plain"},)}
    es = localize(result, "es")
    assert es == {
        "notes": ["muy pocos meses antes del evento para probar una tendencia previa"],
        "rows": ({"x": 1.5, "s": "plain"},),
    }
    assert type(es["notes"][0]) is str and localize(result, "en") == result
    # inside tuples too, and a value that is neither is returned as it is
    assert localize((note, 2.5, "x"), "es") == (es["notes"][0], 2.5, "x")
    assert localize(7, "es") == 7
