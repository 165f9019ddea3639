"""Query expressions Django does not ship."""

from __future__ import annotations

from django.db.models import Lookup


class AnyOfIds(Lookup):
    """`column = ANY('{1,2,…}'::bigint[])`, for filtering by a long list of ids read first.

    One array literal, where Django's `IN (%s, %s, …)` with thousands of parameters took longer
    to compile than PostgreSQL took to run the query. PostgreSQL sees the array's length, so
    it can walk an ordered index and stop after a page, or look the ids up, whichever is less.
    Use it as an expression: `.filter(AnyOfIds(F("pk"), ids))`, on non-null integer columns
    (negated with `.exclude()` it would also drop rows where the column is NULL).
    """

    lookup_name = "any_of_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if not all(type(i) is int for i in self.rhs):
            raise TypeError("AnyOfIds takes integer ids only.")
        array = "{" + ",".join(map(str, self.rhs)) + "}"
        return f"{lhs} = ANY(%s::bigint[])", [*params, array]


class AnyOfTexts(Lookup):
    """`column = ANY(%s::text[])`: a long list of strings (hundreds of similar names) as one
    array parameter. Django's `IN (%s, …)` prepares each value in Python, and with 672 names
    PostgreSQL planned it several times slower than the same array (120 ms against 14 ms at
    a million incidents). Use it as an expression: `.filter(AnyOfTexts(F("name"), names))`.
    """

    lookup_name = "any_of_texts"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if not all(type(s) is str for s in self.rhs):
            raise TypeError("AnyOfTexts takes strings only.")
        return f"{lhs} = ANY(%s::text[])", [*params, list(self.rhs)]
