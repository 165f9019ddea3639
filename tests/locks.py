"""For the tests that hold one writer open and check that a second one waits for it."""

from django.db import connection


def backends_waiting_for_a_lock() -> int:
    """How many connections to the test database are waiting for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]
