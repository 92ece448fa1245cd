"""Messages that core code writes, translatable where they are shown.

Core code (the simulator's warnings, a sweep's notes, an effect estimate's
caveat) does not know who will read its words, nor in which language: a
background job's result may be fetched by a Spanish dashboard and printed by
an English CLI. So it writes a :class:`Message`: the English text (it *is* a
``str``, so every caller that prints, compares or serialises it keeps working)
that also remembers its catalog ``msgid`` and parameters. Where the reader's
language is known — an HTTP response, the CLI's output — :func:`localize`
replaces every Message in a result with its translation.

Parameters that are Messages are translated too, and :meth:`Message.join_all` keeps
a list of messages translatable as one (``"; ".join`` would not: it returns a
plain ``str``).

>>> m = Message("{hours} officer-hours not placed: nowhere left to add a booth.", hours=3)
>>> str(m)
'3 officer-hours not placed: nowhere left to add a booth.'
>>> localize({"notes": [m], "n": 1}, "es")["notes"][0]
'3 horas-oficial sin asignar: no queda dónde abrir otra caseta.'
>>> localize([m], "en")[0] == m
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from border21.i18n import translate

__all__ = ["Message", "localize"]


class Message(str):
    """English text that can be translated later: a ``str`` with its msgid and parameters.

    Write the msgid literally at the call (``Message("… {name} …", name=x)``) so that
    Babel extracts it (``Message`` is an extraction keyword, docs/i18n.md).
    """

    msgid: str
    params: dict[str, Any]
    _parts: tuple[Message | str, ...] | None

    def __new__(cls, msgid: str, /, **params: Any) -> Message:
        self = super().__new__(cls, msgid.format(**params) if params else msgid)
        self.msgid, self.params, self._parts = msgid, params, None
        return self

    @classmethod
    def join_all(cls, separator: str, parts: Iterable[Message | str]) -> Message:
        """``separator.join(parts)`` that translates each part (the separator is kept)."""
        items = tuple(parts)
        self = super().__new__(cls, separator.join(items))
        self.msgid, self.params, self._parts = separator, {}, items
        return self

    def in_language(self, lang: str) -> str:
        """This message in ``lang``; parameters that are Messages are translated too."""
        if self._parts is not None:
            return self.msgid.join(_text(p, lang) for p in self._parts)
        params = {k: _text(v, lang) for k, v in self.params.items()}
        return translate(lang, self.msgid, **params)

    def __reduce__(self) -> tuple[Any, ...]:  # pickling keeps the message, not just its text
        if self._parts is not None:
            return (_rejoin, (self.msgid, self._parts))
        return (_remake, (self.msgid, self.params))


def _remake(msgid: str, params: dict[str, Any]) -> Message:
    return Message(msgid, **params)


def _rejoin(separator: str, parts: tuple[Message | str, ...]) -> Message:
    return Message.join_all(separator, parts)


def _text(value: Any, lang: str) -> Any:
    return value.in_language(lang) if isinstance(value, Message) else value


def localize(value: Any, lang: str) -> Any:
    """``value`` with every :class:`Message` in it (in dicts, lists, tuples) in ``lang``."""
    if isinstance(value, Message):
        return value.in_language(lang)
    if isinstance(value, dict):
        return {k: localize(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [localize(v, lang) for v in value]
    if type(value) is tuple:
        return tuple(localize(v, lang) for v in value)
    return value
