"""Handing work to the Celery broker: what it may raise, and the one way the services send.

The tasks (marac.tasks) load rows and call the services, so the services must not import the
tasks back: they send a task by its registered name. MaracConfig.ready() imports marac.tasks,
so the names are registered in every process (web, worker, beat, commands), and a test that
patches `marac.tasks.generate_agenda.apply_async` patches the very object sent here. Imports
run one way: tasks -> services -> broker.
"""

from __future__ import annotations

from celery import current_app
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Errors worth retrying: the database or the broker briefly unreachable.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    KombuOperationalError,
    ConnectionError,
    TimeoutError,
)
BROKER_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError)
# What handing a message to the broker may raise when it is down, hung or unreachable (a socket
# timeout is an OSError): the request stays recorded and the sweeper sends it later.
SEND_ERRORS = (*BROKER_ERRORS, OSError)

GENERATE_AGENDA = "marac.tasks.generate_agenda"
GENERATE_MEETING_DOCUMENT = "marac.tasks.generate_meeting_document"


def send(task_name: str, *, args: list) -> None:
    """Queue one task, once (no publish retry: the caller records what was not sent).

    Raises one of SEND_ERRORS when the broker cannot take it."""
    current_app.tasks[task_name].apply_async(args=args, retry=False)
