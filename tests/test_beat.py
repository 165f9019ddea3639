"""Several beat instances never schedule twice (issue #22, publicprotection/beat.py): only the
holder of the Redis lock sends, a standby takes over when it stops without sending again what
it sent, and a beat that lost its lock while paused sends nothing. Real Redis; the sends are
recorded instead of published (the broker is not what is under test)."""

import time
import uuid
from datetime import timedelta

import pytest
import redis
from celery import Celery
from django.conf import settings

from publicprotection.beat import LeaderScheduler


@pytest.fixture
def beat_settings(settings):
    settings.BEAT_LOCK_KEY = f"pp-beat-test-{uuid.uuid4().hex}"
    settings.BEAT_LOCK_TTL_SECONDS = 1.5
    yield settings
    client = redis.Redis.from_url(settings.BEAT_LOCK_REDIS_URL)
    client.delete(f"{settings.BEAT_LOCK_KEY}:leader", f"{settings.BEAT_LOCK_KEY}:last-run")


@pytest.fixture
def sent(monkeypatch):
    """What each scheduler sent: (its name, the entry, when)."""
    record = []

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        record.append((self.test_name, entry.name, time.monotonic()))

    monkeypatch.setattr(LeaderScheduler, "apply_async", apply_async)
    return record


def _scheduler(name, every=1.0):
    app = Celery(f"beat-test-{name}", broker=settings.REDIS_URL, set_as_current=False)
    app.conf.beat_schedule = {"every": {"task": "noop", "schedule": timedelta(seconds=every)}}
    app.conf.timezone = "Europe/London"
    scheduler = LeaderScheduler(app=app, max_interval=0.2)
    scheduler.test_name = name
    return scheduler


def _run(schedulers, seconds):
    """Tick each scheduler in turn, as separate processes would, for `seconds`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for scheduler in schedulers:
            scheduler.tick()
        time.sleep(0.02)


def test_two_beats_send_each_run_once(beat_settings, sent):
    a, b = _scheduler("a"), _scheduler("b")

    _run([a, b], 3.6)

    senders = {name for name, _, _ in sent}
    gaps = [later - earlier for (_, _, earlier), (_, _, later) in zip(sent, sent[1:], strict=False)]
    assert len(senders) == 1
    assert 2 <= len(sent) <= 4  # one a second (3 in 3.6 s), not two
    assert all(gap > 0.9 for gap in gaps)
    assert [s.is_leader for s in (a, b)].count(True) == 1


def test_a_standby_takes_over_without_sending_again(beat_settings, sent):
    a = _scheduler("a", every=3.0)
    b = _scheduler("b", every=3.0)
    _run([a, b], 0.3)
    leader, standby = (a, b) if a.is_leader else (b, a)
    # The leader's first run comes due three seconds after it started; it sends it.
    _run([leader, standby], 3.2)
    assert [name for name, _, _ in sent] == [leader.test_name]
    last = sent[-1][2]

    # The leader dies (stops ticking, never releases its lock); the standby waits out the lock,
    # takes over, and sends the next run when due: not at once.
    _run([standby], 4.6)

    assert [name for name, _, _ in sent] == [leader.test_name, standby.test_name]
    assert standby.is_leader
    assert sent[1][2] - last > 2.8


def test_a_beat_paused_past_its_lock_sends_nothing(beat_settings, sent):
    a = _scheduler("a")
    _run([a], 0.2)
    assert a.is_leader
    # Paused (SIGSTOP): its lock expired and another beat took it.
    a.redis.set(a.lock_key, "another-beat", px=60_000)

    _run([a], 2.5)

    assert sent == []
    assert not a.is_leader


def test_a_beat_that_stops_hands_over_at_once(beat_settings, sent):
    a, b = _scheduler("a"), _scheduler("b")
    _run([a], 0.2)

    a.close()
    b.tick()

    assert b.is_leader


def test_beat_is_configured_to_use_the_lock():
    from publicprotection.celery import app

    assert app.conf.beat_scheduler == "publicprotection.beat:LeaderScheduler"
