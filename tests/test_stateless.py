"""Web processes keep nothing of a user's between requests that another process or host would
need (issue #22, docs/adr/0014-scaling-out.md): sessions in PostgreSQL, the cache and
throttles in Redis, the beat schedule's state in Redis. Private files are the exception: see
docs/deployment.md (a shared volume or object storage)."""

from django.conf import settings


def test_sessions_live_in_the_database():
    assert settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cache",
        "django.contrib.sessions.backends.cached_db",
    )


def test_every_cache_is_shared():
    local = ("LocMemCache", "FileBasedCache", "DummyCache")
    for alias, cache in settings.CACHES.items():
        assert not cache["BACKEND"].endswith(local), alias


def test_the_beat_schedule_keeps_no_local_file():
    from celery.beat import PersistentScheduler
    from django.utils.module_loading import import_string

    scheduler = import_string(settings.CELERY_BEAT_SCHEDULER.replace(":", "."))

    assert not issubclass(scheduler, PersistentScheduler)
