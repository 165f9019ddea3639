"""How case data is tracked: inserts, updates and deletes, by database triggers."""

import pghistory


def tracked(**kwargs):
    """Class decorator: record every insert, update and delete of the model (django-pghistory).

    Triggers see `.update()`, bulk loads and raw SQL alike; the middleware adds who and where.
    """
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs
    )
