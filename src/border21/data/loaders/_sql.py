"""SQL fragments the loaders share (month names, state aliases, fiscal years)."""

from __future__ import annotations

from border21.data.names import alias_rows, month_rows

MONTHS_VALUES = "(VALUES " + ", ".join(f"('{n}', {m})" for n, m in month_rows()) + ") AS mn(name, num)"
STATES_VALUES = "(VALUES " + ", ".join(f"('{n}', {c})" for n, c in alias_rows()) + ") AS st(name, code)"


def folded(expr: str) -> str:
    """SQL that folds a name like :func:`border21.data.names.fold` does."""
    return f"trim(regexp_replace(strip_accents(lower({expr})), '[.\\s]+', ' ', 'g'))"


def fiscal_month(fy: str, month: str) -> str:
    """SQL DATE of calendar month ``month`` of US fiscal year ``fy`` (October starts it)."""
    return f"try_cast(make_date(CASE WHEN {month} >= 10 THEN {fy} - 1 ELSE {fy} END, {month}, 1) AS DATE)"
