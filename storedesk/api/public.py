"""Public, unauthenticated endpoints for a store's own website (contact page, widget).

They answer only what the store publishes anyway (expected waits and opening state), never
customer data nor counts of conversations or agents; they are cached and readable from any
origin (CORS `*`: there is no credential to protect).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from storedesk.automation.wait import CACHE_SECONDS, public_expected_wait
from storedesk.core.errors import NotFound
from storedesk.core.models import Store

router = Router(tags=["public"], auth=None)


class ChannelWait(Schema):
    open_now: bool
    expected_wait_s: int | None  # null: no estimate (a closed or unstaffed live channel)
    reply_by: datetime | None
    next_open_at: datetime | None
    method: str


class ExpectedWaitOut(Schema):
    store: str
    channels: dict[str, ChannelWait]


def _public_headers(response: HttpResponse) -> None:
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"


@router.get("/{store_slug}/expected-wait", response=ExpectedWaitOut, auth=None)
def expected_wait(request: HttpRequest, store_slug: str, response: HttpResponse) -> dict[str, Any]:
    """How long a customer writing now should expect to wait, per channel the store publishes
    (settings `expected_wait.channels`, default email and chat)."""
    _public_headers(response)
    store = Store.objects.filter(slug=store_slug).first()
    if store is None:
        raise NotFound(f"No store {store_slug!r}.")
    return public_expected_wait(store)
