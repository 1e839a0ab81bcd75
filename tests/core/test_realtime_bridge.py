"""A job thread of the server process reaches sockets on the server's loop (in-memory layer)."""

from __future__ import annotations

import asyncio
import threading

from channels.layers import get_channel_layer

from storedesk.core import realtime
from storedesk.core.events import CustomersMerged


def test_it_hands_sends_from_a_worker_thread_to_the_server_loop(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    loop = asyncio.new_event_loop()
    server = threading.Thread(target=loop.run_forever, daemon=True)
    server.start()
    try:
        layer = get_channel_layer()

        async def subscribe() -> str:
            channel = await layer.new_channel()
            await layer.group_add(realtime.store_group(7), channel)
            return channel

        channel = asyncio.run_coroutine_threadsafe(subscribe(), loop).result(5)
        realtime.bind_server_loop(loop)
        worker = threading.Thread(target=realtime.send, args=(CustomersMerged(store_id=7, source_id=1, target_id=2),))
        worker.start()
        worker.join(5)
        received = asyncio.run_coroutine_threadsafe(asyncio.wait_for(layer.receive(channel), 5), loop).result(6)
        assert received["type"] == "storedesk.event"
        assert (received["event"]["type"], received["event"]["target_id"]) == ("customer.merged", 2)
    finally:
        realtime.bind_server_loop(None)
        loop.call_soon_threadsafe(loop.stop)
        server.join(5)
