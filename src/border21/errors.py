"""Exceptions shared by every part of border21.

Anything a user can get wrong (a scenario key, a CLI flag, an HTTP body, a
CSV column) raises :class:`InputError` with a one-line message that names the
field and the offending value. Adapters turn it into exit code 2 (CLI) or a
4xx problem response (API); they never show a traceback for it.
"""

from __future__ import annotations


class Border21Error(Exception):
    """Base class of every error border21 raises on purpose."""


class InputError(Border21Error, ValueError):
    """Bad input from the user: names the field and the value.

    >>> str(InputError("streams.pov.referral_probability", 1.5, "must be in [0, 1]"))
    'streams.pov.referral_probability = 1.5: must be in [0, 1]'
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field} = {value!r}: {reason}" if field else reason)


class NotFoundError(Border21Error, LookupError):
    """A named thing (scenario, port, source, policy) does not exist."""
