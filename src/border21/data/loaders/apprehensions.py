"""U.S. Border Patrol apprehensions by sector and fiscal month (USBP tables, FY2000–).

Layout of the ``borderpatrol`` extracts (Jacob Kaplan, from USBP PDFs): lower-case
sector names, fiscal year, month name. Rows that are publisher subtotals —
month ``yearly total`` and the regional/nationwide total sectors — are skipped
(counted, not loaded): totals are recomputed from sectors in SQL.
"""

from __future__ import annotations

from border21.data.loaders._base import SourceSpec
from border21.data.loaders._sql import MONTHS_VALUES, fiscal_month, integer

SOUTHWEST = (
    "big bend", "del rio", "el centro", "el paso", "laredo", "rio grande valley",
    "san diego", "tucson", "yuma",
)  # fmt: skip
NORTHERN = (
    "blaine", "buffalo", "detroit", "grand forks", "havre", "houlton", "spokane", "swanton",
)  # fmt: skip
COASTAL = ("livermore", "miami", "new orleans", "ramey")
TOTALS = ("southwest border", "northern border", "coastal border", "nationwide total")


def _list(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{n}'" for n in names)


SPEC = SourceSpec(
    name="apprehensions",
    # USBP publishes monthly apprehensions by sector from FY2000
    year_sql="fiscal_year",
    first_year=2000,
    years_ahead=1,
    description="USBP apprehensions by sector and fiscal month",
    columns=("sector", "fiscal_year", "month", "total_apprehensions"),
    optional_columns=("unaccompanied_child_apprehension", "family_apprehensions"),
    table="apprehensions",
    target_columns=(
        "sector",
        "region",
        "month",
        "fiscal_year",
        "apprehensions",
        "unaccompanied_children",
        "family_units",
    ),  # fmt: skip
    key=("sector", "month"),
    parse_sql=f"""
        SELECT *,
               (raw_sector IN ({_list(TOTALS)}) OR raw_month = 'yearly total') AS skip,
               CASE WHEN fiscal_year IS NULL THEN 'fiscal year not an integer'
                    WHEN raw_sector IN ({_list(TOTALS)}) OR raw_month = 'yearly total' THEN NULL
                    WHEN region IS NULL THEN 'unknown sector ' || coalesce(raw_sector, 'NULL')
                    WHEN month IS NULL THEN 'unparseable month ' || coalesce(raw_month, 'NULL')
                    WHEN raw_count = 'NA' THEN 'apprehensions not published (NA)'
                    WHEN apprehensions IS NULL THEN 'apprehensions not an integer'
                    WHEN apprehensions < 0 OR unaccompanied_children < 0 OR family_units < 0
                         THEN 'negative count'
               END AS reason
        FROM (SELECT line_number, lower(trim(sector)) AS raw_sector,
                     lower(trim("month")) AS raw_month,
                     CASE WHEN lower(trim(sector)) IN ({_list(SOUTHWEST)}) THEN 'Southwest Border'
                          WHEN lower(trim(sector)) IN ({_list(NORTHERN)}) THEN 'Northern Border'
                          WHEN lower(trim(sector)) IN ({_list(COASTAL)}) THEN 'Coastal Border'
                     END AS region,
                     upper(trim(sector)) AS sector,
                     try_cast(fiscal_year AS INT) AS fiscal_year,
                     {fiscal_month("try_cast(fiscal_year AS INT)", "mn.num")} AS month,
                     trim(total_apprehensions) AS raw_count,
                     {integer("total_apprehensions")} AS apprehensions,
                     try_cast("unaccompanied_child_apprehension" AS BIGINT)
                         AS unaccompanied_children,
                     try_cast("family_apprehensions" AS BIGINT) AS family_units
              FROM _raw LEFT JOIN {MONTHS_VALUES} ON mn.name = lower(trim("month")))""",
)
