"""Live chat writers: visitors, their sessions and their messages. Messages themselves are
written by the conversations actions (`do_create_conversation` / `do_receive_message`), so a
chat arrives in the inbox, the SLA clocks and the webhooks like any other message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from storedesk.automation.actions.callbacks import do_request_callback
from storedesk.automation.models import AgentProfile, AgentStatus, CallbackSource, CallbackTask
from storedesk.channels.livechat.bot import bot_hook
from storedesk.channels.livechat.events import LivechatVisitor
from storedesk.channels.livechat.files import attachment_payload
from storedesk.channels.livechat.identity import Shopper, issue_token, read_token
from storedesk.channels.livechat.models import Visitor
from storedesk.conversations.actions import NewAttachment, do_create_conversation, do_receive_message
from storedesk.conversations.actions.customers import do_add_identity, do_create_customer, resolve_customer
from storedesk.conversations.models import Channel, Conversation, Customer, Identity, Message
from storedesk.core import audit
from storedesk.core.access import access_object
from storedesk.core.errors import ActionError
from storedesk.core.models import Store, User

EXTERNAL_PREFIX = "livechat:"
HISTORY_LIMIT = 100
MAX_TEXT = 5000
TRANSCRIPT_EVERY = timedelta(minutes=5)  # one transcript email per visitor per this long


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


def do_visitor_message(
    visitor: Visitor, client_id: str, text: str, page: Page, attachments: Sequence[NewAttachment] = ()
) -> tuple[Message, bool]:
    """A visitor's chat message (text and/or files uploaded over HTTP), stored once per client
    id however often it is re-sent. Returns (message, created). The first message gives the
    visitor a customer and opens their chat conversation; the visitor row is locked so two tabs
    cannot open two."""
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
                attachments=attachments,
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
                        attachments=attachments,
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
        "files": [attachment_payload(message.store_id, a) for a in message.attachments.all()],
        # The bot's quick-reply buttons ("Talk to a person"; automation/bot/replies.py).
        **({"quick_replies": list(message.metadata.get("quick_replies") or [])} if author == "bot" else {}),
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
        .prefetch_related("attachments")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )
    return [message_payload(m) for m in reversed(list(messages))]


def visitor_event(visitor_id: int) -> LivechatVisitor | None:
    """Where the visitor is now, for the agents on their chat's page (None: no chat yet)."""
    visitor = Visitor.objects.filter(pk=visitor_id, conversation__isnull=False).first()
    if visitor is None or visitor.conversation_id is None:
        return None
    return LivechatVisitor(
        store_id=visitor.store_id,
        conversation_id=visitor.conversation_id,
        online=visitor.online,
        page_url=visitor.page_url,
        page_title=visitor.page_title,
    )


def do_visitor_read(visitor: Visitor, message_id: Any) -> int | None:
    """The visitor saw the agent's (or bot's) messages of their chat up to `message_id` (the
    panel was open on a visible page). Returns the conversation id when the marker moved."""
    conversation = current_conversation(visitor)
    if conversation is None or not isinstance(message_id, int) or isinstance(message_id, bool):
        return None
    if not Message.objects.filter(
        pk=message_id, store_id=visitor.store_id, conversation=conversation, direction=Message.Direction.OUTBOUND
    ).exists():
        return None
    moved = Visitor.objects.filter(
        Q(visitor_read_id__isnull=True) | Q(visitor_read_id__lt=message_id), pk=visitor.pk
    ).update(visitor_read_id=message_id)
    return conversation.pk if moved else None


def do_agent_read(actor: User, conversation_id: int, message_id: int) -> bool:
    """An agent has the chat open on a visible page: the visitor's messages up to `message_id`
    are read. The visitor's widgets are told after commit. Returns whether the marker moved."""
    conversation = access_object(actor, Conversation.objects.all(), conversation_id, "conversation.view")
    if not Message.objects.filter(
        pk=message_id, conversation=conversation, direction=Message.Direction.INBOUND
    ).exists():
        raise ActionError("Not a message of the customer in this conversation.", code="invalid_message")
    with transaction.atomic():
        visitor_ids = list(
            Visitor.objects.filter(
                Q(agent_read_id__isnull=True) | Q(agent_read_id__lt=message_id),
                store_id=conversation.store_id,
                conversation=conversation,
            ).values_list("pk", flat=True)
        )
        if not visitor_ids:
            return False
        Visitor.objects.filter(pk__in=visitor_ids).update(agent_read_id=message_id)
        from storedesk.channels.livechat.sender import push_read

        transaction.on_commit(lambda: push_read(visitor_ids, message_id))
    return True


def transcript_address(visitor: Visitor) -> str:
    """Where a transcript may go: the verified shopper's email, else the one they gave us in
    the widget (offline or transcript form). Never an address sent with the request itself."""
    if visitor.verified and visitor.customer_id is not None:
        email = (
            Identity.objects.filter(customer_id=visitor.customer_id, kind=Identity.Kind.EMAIL)
            .order_by("pk")
            .values_list("value", flat=True)
            .first()
        )
        if email:
            return email
    return visitor.email


def do_request_transcript(visitor: Visitor, email: str = "", now: datetime | None = None) -> str:
    """The visitor asks for their chat by email. `email` is used only when we know none for
    them yet (it is then kept on the visitor, unverified, and every later transcript goes
    there). Sent by a job after commit; at most one per TRANSCRIPT_EVERY. Returns the address."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Visitor.objects.select_for_update(of=("self",)).select_related("conversation").get(pk=visitor.pk)
        conversation = current_conversation(locked)
        if conversation is None:
            raise ActionError("There is no conversation yet.", code="no_conversation")
        address = transcript_address(locked)
        if not address:
            if not email:
                raise ActionError("Tell us your email first.", code="email_needed")
            address = locked.email = email[:254]
        if locked.transcript_sent_at is not None and now - locked.transcript_sent_at < TRANSCRIPT_EVERY:
            raise ActionError("The transcript is on its way.", code="too_soon")
        Visitor.objects.filter(pk=locked.pk).update(email=locked.email, transcript_sent_at=now)
        audit.record(
            store_id=locked.store_id,
            actor=None,
            verb="livechat.transcript_requested",
            obj=conversation,
            after={"visitor_id": locked.pk},
        )
        from storedesk.channels.livechat.tasks import send_transcript

        conversation_id = conversation.pk
        transaction.on_commit(lambda: send_transcript(conversation_id, address))
    return address


def do_visitor_callback(
    visitor: Visitor, *, phone: str, name: str, slots: Sequence[Sequence[datetime]]
) -> CallbackTask:
    """A callback asked for in the widget: queued like one from the public endpoint, but tied
    to the visitor's customer and chat when they have one."""
    visitor = Visitor.objects.select_related("store", "customer", "conversation").get(pk=visitor.pk)
    return do_request_callback(
        visitor.store,
        phone=phone,
        source=CallbackSource.WIDGET,
        name=name[:200] or (visitor.customer.name if visitor.customer else ""),
        reason="Asked for in the chat",
        slots=slots,
        customer=visitor.customer,
        conversation=current_conversation(visitor),
    )
