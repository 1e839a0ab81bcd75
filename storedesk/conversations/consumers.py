"""WebSocket consumers: authenticate, subscribe to groups, forward events. Nothing else."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from storedesk.conversations.models import Conversation
from storedesk.core.access import store_ids_for
from storedesk.core.realtime import conversation_group, store_group


class AgentConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """One socket per agent tab: the inbox of every store they belong to, plus the
    conversations they open (`{"subscribe": <conversation id>}` / `{"unsubscribe": …}`)."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.store_ids: list[int] = await database_sync_to_async(store_ids_for)(user)
        self.conversations: set[int] = set()
        for store_id in self.store_ids:
            await self.channel_layer.group_add(store_group(store_id), self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "stores": self.store_ids})

    async def disconnect(self, code: int) -> None:
        for store_id in getattr(self, "store_ids", []):
            await self.channel_layer.group_discard(store_group(store_id), self.channel_name)
        for conversation_id in getattr(self, "conversations", set()):
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if "subscribe" in content:
            conversation_id = content["subscribe"]
            allowed = await database_sync_to_async(self._may_view)(conversation_id)
            if not allowed:
                await self.send_json({"type": "error", "error": "not_found", "conversation": conversation_id})
                return
            self.conversations.add(conversation_id)
            await self.channel_layer.group_add(conversation_group(conversation_id), self.channel_name)
            await self.send_json({"type": "subscribed", "conversation": conversation_id})
        elif "unsubscribe" in content:
            conversation_id = content["unsubscribe"]
            self.conversations.discard(conversation_id)
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)

    def _may_view(self, conversation_id: Any) -> bool:
        if not isinstance(conversation_id, int):
            return False
        return Conversation.objects.filter(pk=conversation_id, store_id__in=self.store_ids).exists()

    async def storedesk_event(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "event", "event": message["event"]})
