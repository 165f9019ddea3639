"""Query expressions Django does not ship."""

from __future__ import annotations

from django.db.models import Lookup


class _AnyOfArray(Lookup):
    """`column = ANY(<one array parameter>)`, for filtering by a long list read first.

    One array, where Django's `IN (%s, %s, …)` prepares and sends each value on its own: with
    thousands of ids that took longer to compile than PostgreSQL took to run the query, and
    with hundreds of names PostgreSQL planned it several times slower (120 ms against 14 ms).
    PostgreSQL sees the array's length, so it can walk an ordered index and stop after a
    page, or look the values up, whichever is less. Use it as an expression, on non-null
    columns (negated with `.exclude()` it would also drop rows where the column is NULL).
    """

    prepare_rhs = False
    element_type: type
    sql_type: str

    def array(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if not all(type(value) is self.element_type for value in self.rhs):
            raise TypeError(f"{type(self).__name__} takes {self.element_type.__name__}s only.")
        return f"{lhs} = ANY(%s::{self.sql_type}[])", [*params, self.array()]


class AnyOfIds(_AnyOfArray):
    """`.filter(AnyOfIds(F("pk"), ids))`: `column = ANY('{1,2,…}'::bigint[])`."""

    lookup_name = "any_of_ids"
    element_type = int
    sql_type = "bigint"

    def array(self):
        # One literal: cheaper to send than psycopg2's ARRAY[1, 2, …] of 12,000 ids.
        return "{" + ",".join(map(str, self.rhs)) + "}"


class AnyOfIdArray(_AnyOfArray):
    """`.filter(AnyOfIdArray(F("pk"), ids))` where `ids` is the text of an array of ids that
    PostgreSQL wrote itself (`array_agg(id)::text`): passed back as it came, so thousands of
    ids cost one string instead of one Python int each, read, checked and written again."""

    lookup_name = "any_of_id_array"
    sql_type = "bigint"

    def get_prep_lookup(self):
        # Checked once, here, not at each compilation: the literal can be 60 kB (bytes methods:
        # a regular expression took over a millisecond each time).
        value = self.rhs
        if not _is_id_array(value):
            raise TypeError("AnyOfIdArray takes an array of ids as PostgreSQL writes it.")
        return value

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::{self.sql_type}[])", [*params, self.rhs]


def _is_id_array(value) -> bool:
    """`{}` or `{1,2,…}` (digits and single commas only)."""
    if not isinstance(value, str) or value[:1] != "{" or value[-1:] != "}":
        return False
    inner = value[1:-1]
    if not inner:
        return True
    if inner[0] == "," or inner[-1] == "," or ",," in inner or not inner.isascii():
        return False
    return not inner.encode().translate(None, b"0123456789,")


class AnyOfTexts(_AnyOfArray):
    """`.filter(AnyOfTexts(F("search_name"), names))`: `column = ANY(%s::text[])`."""

    lookup_name = "any_of_texts"
    element_type = str
    sql_type = "text"
