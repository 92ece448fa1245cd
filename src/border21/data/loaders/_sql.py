"""SQL fragments the loaders share (month names, state aliases, fiscal years)."""

from __future__ import annotations

from border21.data.names import alias_rows, month_rows

MONTHS_VALUES = (
    "(VALUES " + ", ".join(f"('{n}', {m})" for n, m in month_rows()) + ") AS mn(name, num)"
)
STATES_VALUES = (
    "(VALUES " + ", ".join(f"('{n}', {c})" for n, c in alias_rows()) + ") AS st(name, code)"
)


def folded(expr: str) -> str:
    """SQL that folds a name like :func:`border21.data.names.fold` does."""
    return f"trim(regexp_replace(strip_accents(lower({expr})), '[.\\s]+', ' ', 'g'))"


def fiscal_month(fy: str, month: str) -> str:
    """SQL DATE of calendar month ``month`` of US fiscal year ``fy`` (October starts it)."""
    year = f"CASE WHEN {month} >= 10 THEN {fy} - 1 ELSE {fy} END"
    return f"try_cast(make_date({year}, {month}, 1) AS DATE)"


def integer(expr: str) -> str:
    """SQL BIGINT of a text count, NULL unless it is a whole number (``12.5`` is not).

    Thousands separators are accepted (``1,234``), and a trailing ``.0`` since some
    publishers write counts as floats. The common case (plain digits) is one cast;
    the regular expression runs only on values containing a dot or an exponent.
    """
    clean = f"replace(trim({expr}), ',', '')"
    dotted = f"regexp_replace({clean}, '\\.0+$', '')"
    return (
        f"CASE WHEN NOT regexp_matches({clean}, '[.eE]') THEN try_cast({clean} AS BIGINT) "
        f"WHEN regexp_full_match({dotted}, '-?[0-9]+') THEN try_cast({dotted} AS BIGINT) END"
    )
