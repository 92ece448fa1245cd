"""Mexican homicides and their denominators.

* ``homicides``: INEGI death registrations, state × month (tidy extract with
  ``state_code, state_name, border_state, year, month, homicides``). The state
  name must agree with the code (accents and case do not matter).
* ``sesnsp``: SESNSP investigation files (carpetas) for homicide and femicide,
  state × month × subtype × modality — either the tidy long extract or the
  official wide state file (``IDEFC_NM``, one column per month; rows of other
  crimes and empty future months are skipped; mangled header accents tolerated).
* ``population``: CONAPO mid-year population by state (``cve_ent`` 00 = national),
  rows for ``genero = Total`` only; male/female rows are skipped.
"""

from __future__ import annotations

from border21.data.loaders._base import SourceSpec
from border21.data.loaders._sql import STATES_VALUES, folded, integer

_STATE_CHECK = """WHEN state_code IS NULL OR state_code NOT BETWEEN 1 AND 32
                         THEN 'unknown state code ' || coalesce(raw_code, 'NULL')
                    WHEN name_code IS NULL OR name_code <> state_code
                         THEN 'state name ' || coalesce(raw_name, 'NULL') || ' does not match code '
                              || raw_code"""

_STATE_COLS = """line_number, state_code AS raw_code, state_name AS raw_name,
                  try_cast(state_code AS INT) AS state_code, st.code AS name_code,
                  try_cast(make_date(try_cast(year AS INT), try_cast(month AS INT), 1) AS DATE)
                      AS month"""
_STATE_JOIN = f"LEFT JOIN {STATES_VALUES} ON st.name = {folded('state_name')}"

INEGI = SourceSpec(
    name="homicides",
    # INEGI mortality registers by state and month start in 1990
    year_sql="year(month)",
    first_year=1990,
    description="INEGI registered homicides by Mexican state and month",
    columns=("state_code", "state_name", "year", "month", "homicides"),
    optional_columns=("border_state",),
    table="homicides",
    target_columns=("state_code", "month", "homicides"),
    key=("state_code", "month"),
    parse_sql=f"""
        SELECT *, FALSE AS skip,
               CASE {_STATE_CHECK}
                    WHEN month IS NULL THEN 'unparseable year/month'
                    WHEN homicides IS NULL THEN 'homicides not an integer'
                    WHEN homicides < 0 THEN 'negative count'
               END AS reason
        FROM (SELECT {_STATE_COLS}, {integer("homicides")} AS homicides
              FROM _raw {_STATE_JOIN})""",
)

SESNSP = SourceSpec(
    name="sesnsp",
    # SESNSP's state incidence, new methodology, starts in January 2015
    year_sql="year(month)",
    first_year=2015,
    description="SESNSP homicide/femicide investigation files by state, month, subtype, modality",
    columns=("state_code", "state_name", "year", "month", "subtype", "modality", "carpetas"),
    optional_columns=("border_state",),
    table="sesnsp_incidence",
    target_columns=("state_code", "month", "subtype", "modality", "carpetas"),
    key=("state_code", "month", "subtype", "modality"),
    parse_sql=f"""
        SELECT *, FALSE AS skip,
               CASE {_STATE_CHECK}
                    WHEN month IS NULL THEN 'unparseable year/month'
                    WHEN subtype IS NULL OR modality IS NULL THEN 'missing subtype or modality'
                    WHEN carpetas IS NULL THEN 'carpetas not an integer'
                    WHEN carpetas < 0 THEN 'negative count'
               END AS reason
        FROM (SELECT {_STATE_COLS}, trim(subtype) AS subtype, trim(modality) AS modality,
                     {integer("carpetas")} AS carpetas
              FROM _raw {_STATE_JOIN})""",
)

_SPANISH_MONTHS = (
    "Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre",
    "Octubre", "Noviembre", "Diciembre",
)  # fmt: skip
_SESNSP_UNION = " UNION ALL ".join(
    f"""SELECT line_number, "Año" AS raw_year, "Clave_Ent" AS raw_code, "Tipo de delito" AS tipo,
               "Subtipo de delito" AS subtipo, "Modalidad" AS modalidad, {m} AS month_num,
               "{name}" AS raw_value FROM _raw"""
    for m, name in enumerate(_SPANISH_MONTHS, start=1)
)


def _ascii(expr: str) -> str:
    # SESNSP's files circulate with mangled accents; compare ASCII letters only
    return f"regexp_replace(lower({expr}), '[^a-z ]', '', 'g')"


SESNSP_OFFICIAL = SourceSpec(
    name="sesnsp",
    # SESNSP's state incidence, new methodology, starts in January 2015
    year_sql="year(month)",
    first_year=2015,
    description="SESNSP official state file (IDEFC_NM): homicide and femicide rows, wide months",
    columns=(
        "Año",
        "Clave_Ent",
        "Entidad",
        "Bien jurídico afectado",
        "Tipo de delito",
        "Subtipo de delito",
        "Modalidad",
    )
    + _SPANISH_MONTHS,  # fmt: skip
    table="sesnsp_incidence",
    target_columns=("state_code", "month", "subtype", "modality", "carpetas"),
    key=("state_code", "month", "subtype", "modality"),
    parse_sql=f"""
        SELECT *,
               (subtype IS NULL OR raw_value IS NULL OR trim(raw_value) = '') AS skip,
               CASE WHEN state_code IS NULL OR state_code NOT BETWEEN 1 AND 32
                         THEN 'unknown state code ' || coalesce(raw_code, 'NULL')
                    WHEN month IS NULL THEN 'unparseable year ' || coalesce(raw_year, 'NULL')
                    WHEN modality IS NULL THEN 'unknown modality ' || coalesce(modalidad, 'NULL')
                    WHEN carpetas IS NULL THEN 'carpetas not an integer'
                    WHEN carpetas < 0 THEN 'negative count'
               END AS reason
        FROM (SELECT line_number, raw_year, raw_code, modalidad, raw_value,
                     try_cast(raw_code AS INT) AS state_code,
                     try_cast(make_date(try_cast(raw_year AS INT), month_num, 1) AS DATE) AS month,
                     CASE {_ascii("subtipo")} WHEN 'homicidio doloso' THEN 'intentional_homicide'
                          WHEN 'homicidio culposo' THEN 'negligent_homicide'
                          WHEN 'feminicidio' THEN 'femicide' END AS subtype,
                     CASE {_ascii("modalidad")} WHEN 'con arma de fuego' THEN 'firearm'
                          WHEN 'con arma blanca' THEN 'bladed_weapon'
                          WHEN 'con otro elemento' THEN 'other_element'
                          WHEN 'no especificado' THEN 'not_specified'
                          WHEN 'en accidente de trnsito' THEN 'traffic_accident' END AS modality,
                     {integer("raw_value")} AS carpetas
              FROM ({_SESNSP_UNION}))""",
)

POPULATION = SourceSpec(
    name="population",
    # CONAPO 2023 edition: reconciled 1950–2019, projected 2020–2070
    year_sql="year",
    first_year=1950,
    last_year=2070,
    description="CONAPO mid-year population by Mexican state (00 = national)",
    columns=("n_year", "nombre_estado", "cve_ent", "genero", "pob_mid_year"),
    optional_columns=("pob_start_year",),
    table="population",
    target_columns=("state_code", "year", "population"),
    key=("state_code", "year"),
    parse_sql="""
        SELECT *, coalesce(genero <> 'total', FALSE) AS skip,
               CASE WHEN state_code IS NULL OR state_code NOT BETWEEN 0 AND 32
                         THEN 'unknown state code ' || coalesce(raw_code, 'NULL')
                    WHEN year IS NULL THEN 'year not an integer'
                    WHEN population IS NULL THEN 'population not an integer'
                    WHEN population < 0 THEN 'negative population'
               END AS reason
        FROM (SELECT line_number, cve_ent AS raw_code, try_cast(cve_ent AS INT) AS state_code,
                     lower(trim(genero)) AS genero, try_cast(n_year AS INT) AS year,
                     try_cast(try_cast(pob_mid_year AS DOUBLE) AS BIGINT) AS population
              FROM _raw)""",
)
