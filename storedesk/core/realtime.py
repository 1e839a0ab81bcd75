"""Realtime fan-out through the Django Channels layer (in-memory by default, Redis when configured).

Groups: `store.<id>` (every agent's inbox in that store) and `conversation.<id>` (open
conversation pages). Consumers only subscribe; everything is sent from here, after commit.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from storedesk.core.events import BaseEvent

log = logging.getLogger(__name__)

# The ASGI server's event loop. With the in-memory channel layer (embedded default) every
# send must happen on that loop: a job running in a worker thread of the same process hands
# its sends over to it instead of starting a loop of its own, whose queues nobody reads.
_server_loop: asyncio.AbstractEventLoop | None = None
_bind_lock = threading.Lock()


def bind_server_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    global _server_loop
    with _bind_lock:
        _server_loop = loop


def _in_server_loop_thread() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        pass
    # asgiref's sync_to_async threads know their caller's loop; async_to_sync uses it.
    from asgiref.sync import SyncToAsync

    return getattr(SyncToAsync.threadlocal, "main_event_loop", None) is not None


def store_group(store_id: int) -> str:
    return f"store.{store_id}"


def conversation_group(conversation_id: int) -> str:
    return f"conversation.{conversation_id}"


def user_group(user_id: int) -> str:
    """One agent's own sockets (personal notifications)."""
    return f"user.{user_id}"


def groups_for(event: BaseEvent) -> list[str]:
    groups = [store_group(event.store_id)]
    conversation = getattr(event, "conversation", None)
    if conversation is not None:
        groups.append(conversation_group(conversation.id))
    source_id = getattr(event, "source_id", None)
    if event.type == "conversation.merged" and source_id is not None:  # type: ignore[attr-defined]
        groups.append(conversation_group(source_id))
    return groups


def send(event: BaseEvent) -> None:
    """Best effort: a realtime hiccup must never fail the change that caused it."""
    send_to(event, groups_for(event))


def send_many(events: Sequence[BaseEvent]) -> None:
    """`send` for many events with one event loop (each `async_to_sync` starts a thread and a
    loop: per event, that was a tenth of a batch ingest's time). Inside the ASGI server's
    process the server loop must do the sending: then event by event."""
    server_loop = _server_loop
    if server_loop is not None and server_loop.is_running():
        for event in events:
            send(event)
        return
    layer = get_channel_layer()
    if layer is None or not events:
        return

    async def send_all() -> None:
        for event in events:
            message = {"type": "storedesk.event", "event": event.model_dump(mode="json")}
            for group in groups_for(event):
                try:
                    await layer.group_send(group, message)
                except Exception:
                    log.exception("realtime send to %s failed for %s", group, event.id)

    try:
        async_to_sync(send_all)()
    except Exception:
        log.exception("realtime send failed for %d events", len(events))


def send_to(event: BaseEvent, groups: list[str]) -> None:
    """Send to the given groups only (a notification goes to its recipient's group)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "storedesk.event", "event": event.model_dump(mode="json")}
    loop = _server_loop
    if loop is not None and loop.is_running() and not _in_server_loop_thread():
        for group in groups:
            try:
                asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop).result(timeout=5)
            except Exception:
                log.exception("realtime send to %s failed for %s", group, event.id)
        return

    async def send_all() -> None:
        # One async_to_sync for all the groups: each call starts a thread and an event loop.
        for group in groups:
            try:
                await layer.group_send(group, message)
            except Exception:
                log.exception("realtime send to %s failed for %s", group, event.id)

    try:
        async_to_sync(send_all)()
    except Exception:
        log.exception("realtime send failed for %s", event.id)
