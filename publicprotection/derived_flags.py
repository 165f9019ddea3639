"""SQL for a derived flag kept by database triggers (docs/adr/0016): the statement a trigger on
the source rows runs to set the carrying row's flag again. One shape for every such flag
(the assessment's open MARAC referral, the victim's risk assessment, the incident's victim to
assess), so that each app declares only what its flag means."""

from __future__ import annotations

from collections.abc import Callable


def recompute_flag_sql(
    *, table: str, alias: str, column: str, row_id: str, value_of: Callable[[str], str]
) -> str:
    """SQL: set `table`.`column` of the row `row_id` (an SQL expression) to `value_of(its id)`
    (an SQL boolean), if it changed: an unchanged row is neither rewritten nor locked. The
    carrying row's own BEFORE trigger computes the same value whatever writes it."""
    value = value_of(f"{alias}.id")
    return (
        f"UPDATE {table} {alias} "  # noqa: S608 (no input: table and column names)
        f"SET {column} = {value} "
        f"WHERE {alias}.id = {row_id} "
        f"AND {alias}.{column} IS DISTINCT FROM {value};"
    )
