"""How case data is tracked: inserts, updates and deletes, by database triggers."""

import pghistory


def tracked(**kwargs):
    """Class decorator: record every insert, update and delete of the model (django-pghistory).

    Triggers see `.update()`, bulk loads and raw SQL alike; the middleware adds who and where.
    """
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs
    )


# Models whose rows only database triggers write (derived facts a safeguarding list trusts, ADR
# 0016/0017): the application's role may read them, never write them (grant_app_role).
TRIGGER_KEPT_MODELS: list = []


def kept_by_triggers(model):
    """Class decorator: the model's table is written only by database triggers, through
    functions that run as the owner; the application's role gets SELECT on it and nothing
    else, so no statement of the application can add, change or remove a row around them."""
    TRIGGER_KEPT_MODELS.append(model)
    return model
