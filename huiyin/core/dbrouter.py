"""Reads that may come from a PostgreSQL streaming replica (issue 15 item 4; docs/deploy.md).

With `HUIYIN_REPLICA_URL` set, the settings add a database alias `replica`. Only code that says so
reads from it — the dashboards, the public statistics and the documents, which read the daily
roll-ups and are as true a few seconds late as now — inside `replica_reads()` (or a view decorated
with `on_replica`). Everything else, and every read inside a transaction on the primary, stays on
the primary: a clerk sees the case she just registered, a service reads what it is about to change.
Writes always go to the primary; migrations run there only.

Without a replica the router changes nothing.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading = contextvars.ContextVar("huiyin_replica_reads", default=False)

F = TypeVar("F", bound=Callable[..., Any])


def replica_configured() -> bool:
    return REPLICA in connections.databases


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads outside a transaction go to the replica (when there is one)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def on_replica(view: F) -> F:
    """A view (or any function) whose reads may come from the replica."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not _reading.get() or not replica_configured():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # read your own writes: inside a transaction the primary answers
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
