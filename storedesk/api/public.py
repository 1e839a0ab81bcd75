"""Public, unauthenticated endpoints for a store's own website (contact page, widget).

They answer only what the store publishes anyway (expected waits and opening state), never
customer data nor counts of conversations or agents; they are cached and readable from any
origin (CORS `*`: there is no credential to protect).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja import Status as WithStatus

from storedesk.automation.actions.callbacks import do_request_callback
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


class CallbackIn(Schema):
    phone: str
    name: str = ""
    reason: str = ""
    source: Literal["widget", "ivr"] = "widget"
    slots: list[tuple[datetime, datetime]] = []  # preferred [start, end] pairs, with time zones


class CallbackOut(Schema):
    id: int
    status: str
    estimated_callback_at: datetime  # offered instead of a hold time


@router.post("/{store_slug}/callbacks", response={201: CallbackOut}, auth=None)
def request_callback(request: HttpRequest, store_slug: str, payload: CallbackIn, response: HttpResponse) -> Any:
    """A customer asks to be called back (from the widget or the phone menu), optionally in
    preferred time slots. Answers the estimated callback time; a second request for the same
    number while one is queued updates it."""
    response["Access-Control-Allow-Origin"] = "*"
    store = Store.objects.filter(slug=store_slug).first()
    if store is None:
        raise NotFound(f"No store {store_slug!r}.")
    task = do_request_callback(
        store, phone=payload.phone, source=payload.source, name=payload.name[:200], reason=payload.reason[:500],
        slots=payload.slots[:10],
    )  # fmt: skip
    return WithStatus(201, {"id": task.pk, "status": task.status, "estimated_callback_at": task.due_at})
