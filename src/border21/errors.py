"""Exceptions shared by every part of border21.

Anything a user can get wrong (a scenario key, a CLI flag, an HTTP body, a
CSV column) raises :class:`InputError` with a one-line message that names the
field and the offending value. Adapters turn it into exit code 2 (CLI) or a
4xx problem response (API); they never show a traceback for it.

A core writes the reason (an :class:`InputError`'s ``reason``, another error's
message) as a :class:`~border21.i18n.message.Message`: ``str(exc)`` stays the
English text (the API's problem ``detail``), and an adapter that knows its
reader's language shows :func:`localized` (the CLI's ``error:`` line).
"""

from __future__ import annotations

from typing import Any

from border21.i18n import translate
from border21.i18n.message import Message

__all__ = ["Border21Error", "InputError", "NotFoundError", "localized"]


def _in(lang: str, text: object) -> str:
    """``text`` in ``lang``: a Message translated, a plain string looked up in the catalog."""
    if isinstance(text, Message):
        return text.in_language(lang)
    return translate(lang, text) if isinstance(text, str) else str(text)


class Border21Error(Exception):
    """Base class of every error border21 raises on purpose."""

    def in_language(self, lang: str) -> str:
        """This error's message in ``lang`` (``str(self)`` when it is not one translatable text)."""
        if len(self.args) == 1:
            return _in(lang, self.args[0])
        return str(self)


class InputError(Border21Error, ValueError):
    """Bad input from the user: names the field and the value.

    >>> str(InputError("streams.pov.referral_probability", 1.5, "must be in [0, 1]"))
    'streams.pov.referral_probability = 1.5: must be in [0, 1]'
    >>> InputError("days", 0, Message("must be at least 1")).in_language("es")
    'days = 0: debe ser al menos 1'
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field} = {value!r}: {reason}" if field else reason)

    def in_language(self, lang: str) -> str:
        """``field = value: reason``, the reason in ``lang`` (field and value as they are)."""
        reason = _in(lang, self.reason)
        return f"{self.field} = {self.value!r}: {reason}" if self.field else reason

    def __reduce__(self) -> tuple[Any, ...]:  # pickles with its field, value and reason
        return (type(self), (self.field, self.value, self.reason))


class NotFoundError(Border21Error, LookupError):
    """A named thing (scenario, port, source, policy) does not exist."""


def localized(exc: BaseException, lang: str) -> str:
    """``str(exc)`` in ``lang``: border21's errors through their ``in_language``.

    >>> localized(NotFoundError(Message("no such job")), "en")
    'no such job'
    """
    if isinstance(exc, Border21Error):
        return exc.in_language(lang)
    return str(exc)
