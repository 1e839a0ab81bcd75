"""Live chat writers: visitors, their sessions and their messages. Messages themselves are
written by the conversations actions (`do_create_conversation` / `do_receive_message`), so a
chat arrives in the inbox, the SLA clocks and the webhooks like any other message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from storedesk.automation.models import AgentProfile, AgentStatus
from storedesk.channels.livechat.bot import bot_hook
from storedesk.channels.livechat.identity import Shopper, issue_token, read_token
from storedesk.channels.livechat.models import Visitor
from storedesk.conversations.actions import do_create_conversation, do_receive_message
from storedesk.conversations.actions.customers import do_add_identity, do_create_customer, resolve_customer
from storedesk.conversations.models import Channel, Conversation, Customer, Identity, Message
from storedesk.core.errors import ActionError
from storedesk.core.models import Store

EXTERNAL_PREFIX = "livechat:"
HISTORY_LIMIT = 100
MAX_TEXT = 5000


@dataclass(frozen=True)
class Page:
    url: str = ""
    title: str = ""
    cart: dict[str, Any] | None = None

    @classmethod
    def parse(cls, data: Any, cart: Any = None) -> Page:
        data = data if isinstance(data, dict) else {}
        url = str(data.get("url") or "")[:2000]
        if not url.startswith(("http://", "https://")):
            url = ""
        return cls(url=url, title=str(data.get("title") or "")[:300], cart=cart if isinstance(cart, dict) else None)

    def metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {"via": "livechat"}
        if self.url:
            out["page_url"] = self.url
        if self.cart:
            out["cart"] = self.cart
        return out


def external_id(client_id: str) -> str:
    return EXTERNAL_PREFIX + client_id


def agents_online(store: Store) -> bool:
    return AgentProfile.objects.filter(store=store, status=AgentStatus.ONLINE, user__is_active=True).exists()


def _shopper_customer(store: Store, shopper: Shopper) -> Customer:
    """The customer behind a verified shopper: by the store's user id, else by the (signed, so
    verified) email; the other identity is added to them when it is free."""
    wanted = [(Identity.Kind.EXTERNAL, shopper.user_id), (Identity.Kind.EMAIL, shopper.email)]
    wanted = [(kind, value) for kind, value in wanted if value]
    for kind, value in wanted:
        identity = Identity.objects.select_related("customer").filter(store=store, kind=kind, value=value).first()
        if identity is not None:
            customer = identity.customer
            break
    else:
        customer, _ = resolve_customer(store, *wanted[0], name=shopper.name)
    for kind, value in wanted:
        try:
            do_add_identity(None, customer, kind, value)
        except ActionError:  # already another customer's: keep the one that matched
            pass
    return customer


def do_open_session(store: Store, token: Any, shopper: Shopper | None, page: Page) -> tuple[Visitor, str]:
    """A widget connected: the visitor behind its token (or a new one, or the verified shopper's),
    with its current page and one more open socket. Returns (visitor, token to keep)."""
    visitor_id = read_token(token, store.pk)
    visitor = Visitor.objects.filter(pk=visitor_id, store=store).first() if visitor_id else None
    if shopper is not None:
        customer = _shopper_customer(store, shopper)
        if visitor is None or visitor.customer_id != customer.pk:
            visitor = Visitor.objects.filter(store=store, customer=customer).order_by("-pk").first()
            if visitor is None:
                visitor = Visitor.objects.create(store=store, customer=customer, verified=True)
    if visitor is None:
        visitor = Visitor.objects.create(store=store)
    changes: dict[str, Any] = {"sockets": F("sockets") + 1, "last_seen_at": timezone.now()}
    if shopper is not None:
        changes["verified"] = True
    if page.url:
        changes.update(page_url=page.url, page_title=page.title)
    if page.cart is not None:
        changes["cart"] = page.cart
    Visitor.objects.filter(pk=visitor.pk).update(**changes)
    visitor.refresh_from_db()
    return visitor, issue_token(visitor.pk, store.pk)


def do_close_socket(visitor_id: int) -> None:
    Visitor.objects.filter(pk=visitor_id).update(sockets=Greatest(F("sockets") - 1, 0), last_seen_at=timezone.now())


def do_visit_page(visitor_id: int, page: Page) -> None:
    changes: dict[str, Any] = {"page_url": page.url, "page_title": page.title, "last_seen_at": timezone.now()}
    if page.cart is not None:
        changes["cart"] = page.cart
    Visitor.objects.filter(pk=visitor_id).update(**changes)


def current_conversation(visitor: Visitor) -> Conversation | None:
    """The visitor's chat, following merges to the surviving conversation."""
    conversation = visitor.conversation
    seen = 0
    while conversation is not None and conversation.merged_into_id is not None and seen < 10:
        conversation = Conversation.objects.filter(pk=conversation.merged_into_id).first()
        seen += 1
    return conversation


def _existing(store_id: int, ext_id: str) -> Message | None:
    return Message.objects.select_related("conversation").filter(store_id=store_id, external_id=ext_id).first()


def do_visitor_message(visitor: Visitor, client_id: str, text: str, page: Page) -> tuple[Message, bool]:
    """A visitor's chat message, stored once per client id however often it is re-sent.
    Returns (message, created). The first message gives the visitor a customer and opens their
    chat conversation; the visitor row is locked so two tabs cannot open two."""
    text = text.strip()[:MAX_TEXT]
    ext_id = external_id(client_id)
    existing = _existing(visitor.store_id, ext_id)
    if existing is not None:
        return existing, False
    with transaction.atomic():
        locked = (
            Visitor.objects.select_for_update(of=("self",))
            .select_related("store", "customer", "conversation")
            .get(pk=visitor.pk)
        )
        if locked.customer is None:
            locked.customer = do_create_customer(locked.store, name="")
            Visitor.objects.filter(pk=locked.pk).update(customer=locked.customer)
        conversation = current_conversation(locked)
        if conversation is not None:
            message, created = do_receive_message(
                conversation,
                body_text=text,
                external_id=ext_id,
                author_customer=locked.customer,
                metadata=page.metadata(),
            )
        else:
            try:
                with transaction.atomic():
                    conversation = do_create_conversation(
                        store=locked.store,
                        customer=locked.customer,
                        channel=Channel.CHAT,
                        body_text=text,
                        external_id=ext_id,
                        metadata=page.metadata(),
                    )
            except IntegrityError:  # the same message raced in on another socket
                existing = _existing(visitor.store_id, ext_id)
                if existing is None:
                    raise
                return existing, False
            Visitor.objects.filter(pk=locked.pk).update(conversation=conversation)
            message, created = conversation.messages.get(external_id=ext_id), True
    visitor.customer, visitor.conversation = locked.customer, message.conversation
    if created:
        bot_hook(message.conversation, message)
    return message, created


def do_offline_message(
    store: Store, visitor: Visitor, client_id: str, *, email: str, name: str, text: str, page: Page
) -> tuple[Message, bool]:
    """Nobody is online: the message becomes an email conversation with the address given,
    answered by email. Idempotent on the client id like a chat message."""
    ext_id = external_id(client_id)
    existing = _existing(store.pk, ext_id)
    if existing is not None:
        return existing, False
    customer, _ = resolve_customer(store, Identity.Kind.EMAIL, email, name=name[:200])
    Visitor.objects.filter(pk=visitor.pk).update(email=email)
    try:
        with transaction.atomic():
            conversation = do_create_conversation(
                store=store,
                customer=customer,
                channel=Channel.EMAIL,
                subject="Chat message",
                body_text=text.strip()[:MAX_TEXT],
                external_id=ext_id,
                metadata=page.metadata(),
            )
    except IntegrityError:
        existing = _existing(store.pk, ext_id)
        if existing is None:
            raise
        return existing, False
    return conversation.messages.get(external_id=ext_id), True


def do_mark_sent(message_id: int) -> bool:
    """The reply was handed to the visitor's sockets: queued → sent, once."""
    return bool(
        Message.objects.filter(pk=message_id, delivery_status=Message.Delivery.QUEUED).update(
            delivery_status=Message.Delivery.SENT
        )
    )


def message_payload(message: Message) -> dict[str, Any]:
    """What the widget shows of a message: never notes, never internal metadata."""
    ext = message.external_id or ""
    author = "visitor"
    if message.direction == Message.Direction.OUTBOUND:
        author = "bot" if message.author_kind == Message.AuthorKind.BOT else "agent"
    name = ""
    if author == "agent" and message.author_user is not None:
        name = message.author_user.first_name or message.author_user.display_name.split(" ")[0]
    return {
        "id": message.pk,
        "cid": ext[len(EXTERNAL_PREFIX) :] if ext.startswith(EXTERNAL_PREFIX) else None,
        "from": author,
        "name": name,
        "text": message.body_text,
        "at": message.created_at.isoformat(),
    }


def history(visitor: Visitor) -> list[dict[str, Any]]:
    conversation = current_conversation(visitor)
    if conversation is None:
        return []
    messages = (
        Message.objects.filter(
            store_id=visitor.store_id,
            conversation=conversation,
            direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND],
        )
        .select_related("author_user")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )
    return [message_payload(m) for m in reversed(list(messages))]
