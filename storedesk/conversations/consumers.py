"""WebSocket consumers: authenticate, subscribe to groups, forward events, relay presence. Nothing else."""

from __future__ import annotations

import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from storedesk.conversations.models import Conversation
from storedesk.core.access import store_ids_for
from storedesk.core.events import BaseEvent, PresenceLeft, PresenceTyping, PresenceViewing
from storedesk.core.realtime import conversation_group, store_group, user_group

# A viewer refreshes its `viewing` every VIEWING_HEARTBEAT_S seconds (conversation.js); others
# forget it after VIEWING_TTL_S without one, so a vanished tab disappears on its own.
VIEWING_TTL_S = 60
VIEWING_HEARTBEAT_S = 20
TYPING_TTL_S = 5
# At most one typing broadcast per conversation per socket in this many seconds.
TYPING_MIN_INTERVAL_S = 1.5


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class AgentConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """One socket per agent tab: the inbox of every store they belong to, their own notifications,
    plus the conversations they open.

    Client → server:
    - `{"subscribe": id}` / `{"unsubscribe": id}`: receive that conversation's events;
    - `{"viewing": id}`: I have it open (sent on open, then as a heartbeat) — subscribes too;
    - `{"typing": id}`: I am writing in its composer (repeat while typing);
    - `{"left": id}`: I closed it. Unsubscribing and disconnecting also leave.

    Presence is relayed to the conversation's group as realtime-only events (`presence.viewing`,
    `presence.typing`, `presence.left`); it is never stored. When an agent starts viewing, every
    other viewer answers that socket directly with its own `presence.viewing`, so a newcomer
    sees who is already there without any shared state.
    """

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.store_ids: list[int] = await database_sync_to_async(store_ids_for)(user)
        self.conversations: set[int] = set()
        self.allowed: dict[int, int] = {}  # conversation id → its store id, once checked
        self.viewing: set[int] = set()
        self.typed_at: dict[int, float] = {}
        for store_id in self.store_ids:
            await self.channel_layer.group_add(store_group(store_id), self.channel_name)
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "stores": self.store_ids})

    async def disconnect(self, code: int) -> None:
        for conversation_id in list(getattr(self, "viewing", set())):
            await self._leave(conversation_id)
        for store_id in getattr(self, "store_ids", []):
            await self.channel_layer.group_discard(store_group(store_id), self.channel_name)
        if hasattr(self, "user"):
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
        for conversation_id in getattr(self, "conversations", set()):
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        if "subscribe" in content:
            conversation_id = content["subscribe"]
            if await self._subscribe(conversation_id):
                await self.send_json({"type": "subscribed", "conversation": conversation_id})
        elif "unsubscribe" in content:
            conversation_id = content["unsubscribe"]
            if not _is_id(conversation_id):
                return
            await self._leave(conversation_id)
            self.conversations.discard(conversation_id)
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)
        elif "viewing" in content:
            conversation_id = content["viewing"]
            if await self._subscribe(conversation_id):
                joined = conversation_id not in self.viewing
                self.viewing.add(conversation_id)
                await self._broadcast(self._viewing_event(conversation_id), join=joined)
        elif "typing" in content:
            conversation_id = content["typing"]
            if _is_id(conversation_id) and conversation_id in self.viewing:
                now = time.monotonic()
                if now - self.typed_at.get(conversation_id, 0.0) >= TYPING_MIN_INTERVAL_S:
                    self.typed_at[conversation_id] = now
                    await self._broadcast(
                        PresenceTyping(
                            store_id=self.allowed[conversation_id],
                            actor_id=self.user.pk,
                            conversation_id=conversation_id,
                            agent_name=self.user.name,
                            expires_in=TYPING_TTL_S,
                        )
                    )
        elif "left" in content:
            await self._leave(content["left"])

    async def _subscribe(self, conversation_id: Any) -> bool:
        if _is_id(conversation_id) and conversation_id in self.conversations:
            return True
        store_id = await database_sync_to_async(self._store_of)(conversation_id)
        if store_id is None:
            await self.send_json({"type": "error", "error": "not_found", "conversation": conversation_id})
            return False
        self.allowed[conversation_id] = store_id
        self.conversations.add(conversation_id)
        await self.channel_layer.group_add(conversation_group(conversation_id), self.channel_name)
        return True

    def _store_of(self, conversation_id: Any) -> int | None:
        """The conversation's store when it is one of the agent's stores; else None (not found)."""
        if not _is_id(conversation_id):
            return None
        return (
            Conversation.objects.filter(pk=conversation_id, store_id__in=self.store_ids)
            .values_list("store_id", flat=True)
            .first()
        )

    def _viewing_event(self, conversation_id: int) -> PresenceViewing:
        return PresenceViewing(
            store_id=self.allowed[conversation_id],
            actor_id=self.user.pk,
            conversation_id=conversation_id,
            agent_name=self.user.name,
            expires_in=VIEWING_TTL_S,
        )

    async def _leave(self, conversation_id: Any) -> None:
        if not _is_id(conversation_id) or conversation_id not in self.viewing:
            return
        self.viewing.discard(conversation_id)
        self.typed_at.pop(conversation_id, None)
        await self._broadcast(
            PresenceLeft(
                store_id=self.allowed[conversation_id],
                actor_id=self.user.pk,
                conversation_id=conversation_id,
                agent_name=self.user.name,
            )
        )

    async def _broadcast(self, event: BaseEvent, *, join: bool = False) -> None:
        conversation_id: int = event.conversation_id  # type: ignore[attr-defined]
        await self.channel_layer.group_send(
            conversation_group(conversation_id),
            {
                "type": "storedesk.presence",
                "event": event.model_dump(mode="json"),
                "origin": self.channel_name,
                "join": join,
            },
        )

    async def storedesk_event(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "event", "event": message["event"]})

    async def storedesk_presence(self, message: dict[str, Any]) -> None:
        """Presence of another socket: forward it; answer a newcomer with our own `viewing`."""
        origin = message.get("origin")
        if origin == self.channel_name:
            return
        await self.send_json({"type": "event", "event": message["event"]})
        conversation_id = message["event"].get("conversation_id")
        if message.get("join") and origin and conversation_id in self.viewing:
            await self.channel_layer.send(
                origin,
                {
                    "type": "storedesk.presence",
                    "event": self._viewing_event(conversation_id).model_dump(mode="json"),
                    "origin": self.channel_name,
                    "join": False,
                },
            )
