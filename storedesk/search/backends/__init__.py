"""The search backend for the database in use: FTS5 on SQLite, tsvector + GIN on PostgreSQL."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from storedesk.search.backends.base import SearchBackend
from storedesk.search.backends.postgres import PostgresBackend
from storedesk.search.backends.sqlite import SqliteBackend

_BACKENDS: dict[str, SearchBackend] = {"sqlite": SqliteBackend(), "postgresql": PostgresBackend()}


def get_backend() -> SearchBackend:
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise ImproperlyConfigured(f"Search supports SQLite and PostgreSQL, not {connection.vendor}.") from None
