"""Keyset (cursor) pagination: no OFFSET, no COUNT(*).

A cursor is opaque to clients: URL-safe base64 of JSON holding the ordering it belongs to and
the sort-key values of the last row served (always ending with the id). The next page is the
rows strictly after that key in the ordering, which an index on the same columns serves.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field as ModelField
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from ninja import Schema
from pydantic import Field

from storedesk.core.errors import ActionError

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageParams(Schema):
    """Query parameters every list takes; list filters extend this."""

    cursor: str | None = Field(None, description="next_cursor from the previous page; omit for the first page")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"rows per page, 1–{MAX_LIMIT}")


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _bad_cursor() -> ActionError:
    return ActionError("The cursor is not valid for this list: start again without it.", code="invalid_cursor")


def _encode_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(ordering: Sequence[str], values: Sequence[Any]) -> str:
    payload = json.dumps({"o": ",".join(ordering), "v": [_encode_value(v) for v in values]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(model: type[Model], ordering: Sequence[str], cursor: str) -> list[Any]:
    """The sort-key values in `cursor`, converted to Python; ActionError (400) if it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        values = payload["v"]
        if payload["o"] != ",".join(ordering) or not isinstance(values, list) or len(values) != len(ordering):
            raise _bad_cursor()
        out = []
        for key, value in zip(ordering, values, strict=True):
            if value is None or isinstance(value, dict | list):
                raise _bad_cursor()
            field = model._meta.get_field(key.lstrip("-"))
            if not isinstance(field, ModelField):
                raise _bad_cursor()
            python = field.to_python(value)
            if isinstance(python, int) and not -(2**63) <= python < 2**63:
                raise _bad_cursor()  # beyond any database integer
            if isinstance(python, datetime) and timezone.is_naive(python):
                python = python.replace(tzinfo=UTC)
            out.append(python)
        return out
    except (ValueError, TypeError, KeyError, binascii.Error, ValidationError, FieldDoesNotExist, OverflowError):
        raise _bad_cursor() from None


def _after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `ordering`: (a > x) OR (a = x AND b > y) OR …"""
    condition = Q()
    for i, key in enumerate(ordering):
        field = key.lstrip("-")
        op = "lt" if key.startswith("-") else "gt"
        term = Q(**{f"{f.lstrip('-')}": v for f, v in zip(ordering[:i], values[:i], strict=True)})
        term &= Q(**{f"{field}__{op}": values[i]})
        condition |= term
    return condition


def paginate(queryset: QuerySet[M], ordering: Sequence[str], *, cursor: str | None, limit: int) -> Page[M]:
    """One page of `queryset` in `ordering` (which must end with a unique key, e.g. "-id")."""
    queryset = queryset.order_by(*ordering)
    if cursor:
        queryset = queryset.filter(_after(ordering, decode_cursor(queryset.model, ordering, cursor)))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return Page(items=rows, next_cursor=None)
    rows = rows[:limit]
    last = rows[-1]
    return Page(items=rows, next_cursor=encode_cursor(ordering, [getattr(last, k.lstrip("-")) for k in ordering]))


def paginate_params(queryset: QuerySet[M], ordering: Sequence[str], params: PageParams) -> Page[M]:
    return paginate(queryset, ordering, cursor=params.cursor, limit=params.limit)
