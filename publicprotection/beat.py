"""Celery beat on several hosts, one schedule (docs/adr/0014-scaling-out.md).

Run `celery beat` on as many hosts as you like: only the one holding a lock in Redis sends;
the others stand by and take over within BEAT_LOCK_TTL_SECONDS of it stopping. What has been
sent is shared in Redis too (each entry's last run), so the beat taking over neither sends
again what the last one sent nor forgets a run that came due meanwhile, and no beat keeps a
local schedule file.

- The lock is a Redis key holding a random token, set with NX and a time to live; the holder
  extends it (only while the token is still its own: a Lua compare-and-extend) at least three
  times per time to live, at every tick.
- Just before sending, the holder checks the token again (fencing): a beat that was paused
  past its lock's expiry (SIGSTOP, a stalled VM) sends nothing on waking.
- A check and a send are not atomic, so a beat paused between the two could still send once
  after losing the lock: the tasks are idempotent (guarded by status, unique constraints and
  the lease / sent_at columns), which covers that last window, as it covers a message
  delivered twice.

This is what celery-redbeat does (the lock and the schedule in Redis); redbeat could not be
installed here, and this needs about a hundred lines on the redis client we already use.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import redis
from celery.beat import Scheduler
from django.conf import settings

logger = logging.getLogger(__name__)

# Extend the lock only if it is still ours.
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
# Release the lock only if it is still ours.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class LeaderScheduler(Scheduler):
    """A beat scheduler that sends only while it holds the Redis lock."""

    def __init__(self, *args, **kwargs):
        self.lock_ttl = float(settings.BEAT_LOCK_TTL_SECONDS)
        prefix = settings.BEAT_LOCK_KEY
        self.lock_key = f"{prefix}:leader"
        self.last_run_key = f"{prefix}:last-run"
        self.token = uuid.uuid4().hex
        self.is_leader = False
        self.redis = redis.Redis.from_url(
            settings.BEAT_LOCK_REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        super().__init__(*args, **kwargs)

    # --- the lock ---------------------------------------------------------------------------

    def _hold_lock(self) -> bool:
        ttl_ms = int(self.lock_ttl * 1000)
        try:
            if self.is_leader and self.redis.eval(_EXTEND, 1, self.lock_key, self.token, ttl_ms):
                return True
            if self.redis.set(self.lock_key, self.token, nx=True, px=ttl_ms):
                logger.info("beat: this instance now sends the schedule (%s)", self.token)
                self.is_leader = True
                self._adopt_shared_last_runs()
                return True
        except redis.RedisError:
            logger.warning("beat: Redis unreachable, standing by", exc_info=True)
        if self.is_leader:
            logger.warning("beat: lost the lock, standing by")
        self.is_leader = False
        return False

    def _still_leader(self) -> bool:
        try:
            return self.redis.get(self.lock_key) == self.token.encode()
        except redis.RedisError:
            return False

    def release(self) -> None:
        try:
            self.redis.eval(_RELEASE, 1, self.lock_key, self.token)
        except redis.RedisError:
            logger.warning("beat: could not release the lock", exc_info=True)
        self.is_leader = False

    # --- the shared record of what was sent ---------------------------------------------------

    def _adopt_shared_last_runs(self) -> None:
        """Each entry's last run as the beat before this one recorded it, when later than ours."""
        recorded = self.redis.hgetall(self.last_run_key)
        for name, entry in self.schedule.items():
            value = recorded.get(name.encode())
            if value is None:
                continue
            shared = dt.datetime.fromisoformat(value.decode())
            if entry.last_run_at is None or shared > entry.last_run_at:
                entry.last_run_at = shared
        self._heap = None  # recompute when each entry is next due

    # --- Scheduler ----------------------------------------------------------------------------

    def tick(self, *args, **kwargs):
        if not self._hold_lock():
            return min(self.lock_ttl / 3, self.max_interval)
        return min(super().tick(*args, **kwargs), self.lock_ttl / 3)

    def apply_entry(self, entry, producer=None):
        if not self._still_leader():
            logger.warning("beat: lost the lock before sending %s: not sent", entry.name)
            self.is_leader = False
            self._heap = None
            return
        self.redis.hset(self.last_run_key, entry.name, self.app.now().isoformat())
        super().apply_entry(entry, producer=producer)

    def close(self):
        self.release()
        super().close()

    @property
    def info(self):
        return f"    . leader lock -> {self.lock_key} (ttl {self.lock_ttl:g}s)"
