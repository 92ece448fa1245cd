"""The program and events timeline (Mérida, Beyond Mérida, 21st-century border,
SENTRI/Ready Lane/FAST, Unified Cargo Processing, elections), one source URL per date.

The shipped timeline is ``border21/data/samples/events.csv``; ``date_precision``
says whether the day, the month or only the year is documented.
"""

from __future__ import annotations

from border21.data.loaders._base import SourceSpec

CATEGORIES = ("program", "security", "trade", "election", "policy", "shock", "economy")

SPEC = SourceSpec(
    name="events",
    # from the 1848 treaty that drew the border; announced events may lie a year ahead
    year_sql="year(event_date)",
    first_year=1848,
    years_ahead=1,
    description="Timeline of programs and events, with a source for each date",
    columns=(
        "event_id",
        "event_date",
        "title",
        "category",
        "country",
        "date_precision",
        "source_url",
    ),
    optional_columns=("notes",),
    table="events",
    target_columns=(
        "event_id",
        "event_date",
        "title",
        "category",
        "country",
        "date_precision",
        "source_url",
        "notes",
    ),
    key=("event_id",),
    parse_sql=f"""
        SELECT *, FALSE AS skip,
               CASE WHEN event_id IS NULL OR event_id = '' THEN 'missing event_id'
                    WHEN event_date IS NULL THEN 'unparseable date ' || coalesce(raw_date, 'NULL')
                    WHEN title IS NULL OR title = '' THEN 'missing title'
                    WHEN category NOT IN ({", ".join(f"'{c}'" for c in CATEGORIES)})
                         THEN 'unknown category ' || coalesce(category, 'NULL')
                    WHEN country NOT IN ('US', 'MX', 'US-MX') THEN 'unknown country'
                    WHEN date_precision NOT IN ('day', 'month', 'year')
                         THEN 'unknown date precision'
                    WHEN source_url IS NULL OR NOT starts_with(source_url, 'http')
                         THEN 'missing source URL'
               END AS reason
        FROM (SELECT line_number, trim(event_id) AS event_id, event_date AS raw_date,
                     try_cast(event_date AS DATE) AS event_date, trim(title) AS title,
                     trim(category) AS category, trim(country) AS country,
                     trim(date_precision) AS date_precision, trim(source_url) AS source_url,
                     "notes" AS notes
              FROM _raw)""",
)
