"""The visitor's WebSocket (`ws/chat/<store_slug>/`): authenticate with the visitor token (and
the store-signed identity), call the livechat actions, ack, relay typing. Nothing else.

Client → server (JSON, `type` first):
- `hello` {token?, page: {url, title}, cart?, identity?: {user_id?, email?, name?, signature}}
  → `welcome` {token, history, online, wait, settings}; a forged identity → `error`
  {error: "forged_identity"} and close 4403. Nothing else is accepted before `hello`.
- `message` {cid, text} → `ack` {cid, id, at}; the same cid again → the same ack, stored once.
- `offline` {cid, email, name?, text} (nobody online) → `ack`; an email conversation.
- `typing` → agents viewing the conversation see "… is typing".
- `page` {url, title, cart?} → the conversation page shows where the visitor is (live).
- `read` {id} → the agents see the visitor has seen their messages up to that id.
- `transcript` {email?} → `transcript` {email}: the chat is emailed (a job).
- `callback` {phone, name?, slot?: [start, end]} → `callback` {at}: queued for a call back.
- `ping` → `pong`.
Files are uploaded over HTTP (`http.upload`), never over the socket.
Server → client: `message` {id, cid, from, name, text, at, files} (an agent's or bot's reply, or
the visitor's own from another tab), `typing` {name} (an agent), `read` {id} (an agent read the
visitor's messages up to id), `error` {error}.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.dateparse import parse_datetime

from storedesk.automation.bot.actions import bot_enabled
from storedesk.automation.wait import current_estimate
from storedesk.channels.livechat import actions, events, files
from storedesk.channels.livechat.identity import ForgedIdentity, verify_identity
from storedesk.channels.livechat.models import Visitor
from storedesk.channels.livechat.sender import visitor_group
from storedesk.channels.livechat.settings import opening_hours, widget_settings
from storedesk.conversations.models import Channel
from storedesk.core.errors import ActionError
from storedesk.core.events import PresenceTyping
from storedesk.core.models import Store
from storedesk.core.realtime import conversation_group

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TYPING_MIN_INTERVAL_S = 1.5
TYPING_TTL_S = 5


def _origin(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers", []):
        if name == b"origin":
            return str(value.decode("latin1"))
    return ""


def origin_allowed(store: Store, origin: str) -> bool:
    """Any origin unless the store lists its own (`settings.livechat.allowed_origins`). The
    widget carries no cookie, so a foreign page gains nothing a direct client would not."""
    allowed = (store.settings.get("livechat") or {}).get("allowed_origins") or []
    if not allowed:
        return True
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" in allowed


class VisitorConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        slug = self.scope["url_route"]["kwargs"]["store_slug"]
        self.store: Store | None = await database_sync_to_async(Store.objects.filter(slug=slug).first)()
        self.visitor: Visitor | None = None
        self.conversation_id: int | None = None
        self.typed_at = 0.0
        if self.store is None or not origin_allowed(self.store, _origin(self.scope)):
            await self.close(code=4404)
            return
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.visitor is not None:
            await self.channel_layer.group_discard(visitor_group(self.visitor.pk), self.channel_name)
            await database_sync_to_async(actions.do_close_socket)(self.visitor.pk)
            await self._tell_agents_where()
        if self.conversation_id is not None:
            await self._leave_conversation()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "hello":
            await self._hello(content)
        elif self.visitor is None:
            await self.send_json({"type": "error", "error": "hello_first"})
        elif kind == "message":
            await self._message(content)
        elif kind == "offline":
            await self._offline(content)
        elif kind == "typing":
            await self._typing()
        elif kind == "page":
            page = actions.Page.parse(content, content.get("cart"))
            await database_sync_to_async(actions.do_visit_page)(self.visitor.pk, page)
            await self._tell_agents_where()
        elif kind == "read":
            await self._read(content.get("id"))
        elif kind == "transcript":
            await self._transcript(content.get("email"))
        elif kind == "callback":
            await self._callback(content)

    async def _hello(self, content: dict[str, Any]) -> None:
        assert self.store is not None
        if self.visitor is not None:
            return
        try:
            shopper = verify_identity(self.store.signing_secret, content.get("identity"))
        except ForgedIdentity:
            await self.send_json({"type": "error", "error": "forged_identity"})
            await self.close(code=4403)
            return
        self.page = actions.Page.parse(content.get("page"), content.get("cart"))
        welcome = await database_sync_to_async(self._open)(content.get("token"), shopper)
        assert self.visitor is not None
        await self.channel_layer.group_add(visitor_group(self.visitor.pk), self.channel_name)
        if self.conversation_id is not None:
            await self._join_conversation(self.conversation_id)
        await self.send_json(welcome)
        await self._tell_agents_where()

    def _open(self, token: Any, shopper: Any) -> dict[str, Any]:
        assert self.store is not None
        visitor, token = actions.do_open_session(self.store, token, shopper, self.page)
        self.visitor = Visitor.objects.select_related("store", "customer", "conversation").get(pk=visitor.pk)
        conversation = actions.current_conversation(self.visitor)
        self.conversation_id = conversation.pk if conversation else None
        estimate = current_estimate(self.store, Channel.CHAT)
        return {
            "type": "welcome",
            "token": token,
            "verified": self.visitor.verified,
            "name": self.visitor.customer.name if self.visitor.customer else "",
            "history": actions.history(self.visitor),
            "online": actions.agents_online(self.store),
            "wait": {
                "open_now": estimate.open_now,
                "expected_wait_s": estimate.expected_wait_s,
                "next_open_at": estimate.next_open_at.isoformat() if estimate.next_open_at else None,
            },
            "hours": opening_hours(self.store),
            "settings": widget_settings(self.store),
            "read": {"visitor": self.visitor.visitor_read_id, "agent": self.visitor.agent_read_id},
            "email": bool(actions.transcript_address(self.visitor)),
            "max_file_bytes": files.MAX_BYTES,
            "bot": bot_enabled(self.store),  # the store's bot answers: chat even with nobody online
        }

    def _valid(self, content: dict[str, Any]) -> tuple[str, str] | None:
        cid, text = content.get("cid"), content.get("text")
        if not isinstance(cid, str) or not CLIENT_ID.match(cid) or not isinstance(text, str) or not text.strip():
            return None
        return cid, text

    async def _message(self, content: dict[str, Any]) -> None:
        valid = self._valid(content)
        if valid is None:
            await self.send_json({"type": "error", "error": "invalid_message", "cid": content.get("cid")})
            return
        assert self.visitor is not None
        message, created = await database_sync_to_async(actions.do_visitor_message)(self.visitor, *valid, self.page)
        if message.conversation_id != self.conversation_id:
            await self._join_conversation(message.conversation_id)
        await self.send_json({"type": "ack", "cid": valid[0], "id": message.pk, "at": message.created_at.isoformat()})
        if created:  # the visitor's other tabs show it too
            payload = await database_sync_to_async(actions.message_payload)(message)
            await self.channel_layer.group_send(
                visitor_group(self.visitor.pk),
                {
                    "type": "livechat.message",
                    "message": payload,
                    "conversation": message.conversation_id,
                    "origin": self.channel_name,
                },
            )

    async def _offline(self, content: dict[str, Any]) -> None:
        valid = self._valid(content)
        email = content.get("email")
        if valid is None or not isinstance(email, str) or not EMAIL.match(email.strip()) or len(email) > 254:
            await self.send_json({"type": "error", "error": "invalid_message", "cid": content.get("cid")})
            return
        assert self.store is not None and self.visitor is not None
        name = content.get("name") if isinstance(content.get("name"), str) else ""
        message, _ = await database_sync_to_async(actions.do_offline_message)(
            self.store, self.visitor, valid[0], email=email.strip(), name=name or "", text=valid[1], page=self.page
        )
        await self.send_json(
            {"type": "ack", "cid": valid[0], "id": message.pk, "at": message.created_at.isoformat(), "email": True}
        )

    async def _tell_agents_where(self) -> None:
        """The agents on the chat's page see where the visitor is now (`livechat.visitor`)."""
        assert self.visitor is not None
        event = await database_sync_to_async(actions.visitor_event)(self.visitor.pk)
        if event is not None:
            await self.channel_layer.group_send(*events.frame(event))

    async def _read(self, message_id: Any) -> None:
        assert self.visitor is not None and self.store is not None
        conversation_id = await database_sync_to_async(actions.do_visitor_read)(self.visitor, message_id)
        if conversation_id is not None:
            event = events.LivechatRead(store_id=self.store.pk, conversation_id=conversation_id, message_id=message_id)
            await self.channel_layer.group_send(*events.frame(event))

    async def _transcript(self, email: Any) -> None:
        assert self.visitor is not None
        given = email.strip() if isinstance(email, str) and EMAIL.match(email.strip()) else ""
        try:
            address = await database_sync_to_async(actions.do_request_transcript)(self.visitor, given)
        except ActionError as error:
            await self.send_json({"type": "error", "error": error.code, "for": "transcript"})
            return
        await self.send_json({"type": "transcript", "email": address})

    async def _callback(self, content: dict[str, Any]) -> None:
        assert self.visitor is not None
        phone, name, slot = content.get("phone"), content.get("name"), content.get("slot")
        slots = []
        if isinstance(slot, list) and len(slot) == 2 and all(isinstance(v, str) for v in slot):
            try:
                parsed = [parse_datetime(v) for v in slot]
            except ValueError:  # well-formed but impossible, e.g. month 13
                parsed = [None, None]
            if all(v is not None and v.tzinfo is not None for v in parsed):
                slots.append(parsed)
        try:
            task = await database_sync_to_async(actions.do_visitor_callback)(
                self.visitor,
                phone=phone if isinstance(phone, str) else "",
                name=name if isinstance(name, str) else "",
                slots=slots,
            )
        except ActionError as error:
            await self.send_json({"type": "error", "error": error.code, "for": "callback"})
            return
        await self.send_json({"type": "callback", "at": task.due_at.isoformat()})

    async def _typing(self) -> None:
        assert self.visitor is not None and self.store is not None
        now = time.monotonic()
        if self.conversation_id is None or now - self.typed_at < TYPING_MIN_INTERVAL_S:
            return
        self.typed_at = now
        event = PresenceTyping(
            store_id=self.store.pk,
            conversation_id=self.conversation_id,
            agent_name=(self.visitor.customer.name if self.visitor.customer else "") or "Visitor",
            expires_in=TYPING_TTL_S,
        )
        await self.channel_layer.group_send(
            conversation_group(self.conversation_id),
            {"type": "storedesk.presence", "event": event.model_dump(mode="json"), "origin": self.channel_name},
        )

    async def _join_conversation(self, conversation_id: int) -> None:
        """Agents' typing comes through the conversation's group (replies through the visitor's)."""
        if self.conversation_id is not None and self.conversation_id != conversation_id:
            await self._leave_conversation()
        self.conversation_id = conversation_id
        await self.channel_layer.group_add(conversation_group(conversation_id), self.channel_name)

    async def _leave_conversation(self) -> None:
        assert self.conversation_id is not None
        await self.channel_layer.group_discard(conversation_group(self.conversation_id), self.channel_name)

    # Channel-layer handlers.

    async def livechat_message(self, message: dict[str, Any]) -> None:
        conversation_id = message.get("conversation")
        if isinstance(conversation_id, int) and conversation_id != self.conversation_id:
            await self._join_conversation(conversation_id)  # another tab opened the chat
        if message.get("origin") != self.channel_name:
            await self.send_json({"type": "message", **message["message"]})

    async def storedesk_event(self, message: dict[str, Any]) -> None:
        """Agents' events on this conversation (notes included): never forwarded to a visitor."""

    async def livechat_read(self, message: dict[str, Any]) -> None:
        """An agent read this visitor's messages up to `message_id`."""
        await self.send_json({"type": "read", "id": message["message_id"]})

    async def storedesk_presence(self, message: dict[str, Any]) -> None:
        event = message.get("event") or {}
        if event.get("type") == "presence.typing" and event.get("actor_id") is not None:
            await self.send_json({"type": "typing", "name": str(event.get("agent_name", "")).split(" ")[0]})
