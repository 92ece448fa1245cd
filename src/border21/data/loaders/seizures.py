"""CBP Nationwide Drug Seizures (cbp.gov "Drug Seizure Statistics" CSV).

Fiscal year + month abbreviation become a calendar month (FY2019 OCT = Oct 2018).
Newer releases overlap older ones by three fiscal years; rows are upserted by
month × component × region × land filter × area of responsibility × drug.
"""

from __future__ import annotations

from border21.data.loaders._base import SourceSpec
from border21.data.loaders._sql import MONTHS_VALUES, fiscal_month, folded, integer

SPEC = SourceSpec(
    name="seizures",
    # CBP exists from March 2003 (FY2003, which began in October 2002); fiscal
    # years run one calendar year ahead
    year_sql="fiscal_year",
    first_year=2003,
    years_ahead=1,
    description="CBP nationwide drug seizures by fiscal month, component, AOR and drug",
    columns=(
        "FY",
        "Month (abbv)",
        "Component",
        "Region",
        "Land Filter",
        "Area of Responsibility",
        "Drug Type",
        "Count of Event",
        "Sum Qty (lbs)",
    ),  # fmt: skip
    table="seizures",
    target_columns=(
        "month",
        "fiscal_year",
        "component",
        "region",
        "land_filter",
        "aor",
        "drug_type",
        "events",
        "quantity_lbs",
    ),  # fmt: skip
    key=("month", "component", "region", "land_filter", "aor", "drug_type"),
    parse_sql=f"""
        SELECT *, FALSE AS skip,
               CASE WHEN fiscal_year IS NULL THEN 'fiscal year not an integer'
                    WHEN month IS NULL THEN 'unparseable month ' || coalesce(raw_month, 'NULL')
                    WHEN component NOT IN ('Office of Field Operations', 'U.S. Border Patrol')
                         THEN 'unknown component ' || coalesce(component, 'NULL')
                    WHEN aor IS NULL OR aor = '' THEN 'missing area of responsibility'
                    WHEN events IS NULL THEN 'event count not an integer'
                    WHEN events < 0 THEN 'negative count'
                    WHEN quantity_lbs IS NULL THEN 'quantity not a number'
                    WHEN quantity_lbs < 0 THEN 'negative quantity'
               END AS reason
        FROM (SELECT line_number, try_cast("FY" AS INT) AS fiscal_year, "Month (abbv)" AS raw_month,
                     {fiscal_month('try_cast("FY" AS INT)', "mn.num")} AS month,
                     trim("Component") AS component, trim("Region") AS region,
                     trim("Land Filter") AS land_filter,
                     upper(trim("Area of Responsibility")) AS aor,
                     trim("Drug Type") AS drug_type,
                     {integer('"Count of Event"')} AS events,
                     try_cast("Sum Qty (lbs)" AS DOUBLE) AS quantity_lbs
              FROM _raw LEFT JOIN {MONTHS_VALUES} ON mn.name = {folded('"Month (abbv)"')})""",
)
