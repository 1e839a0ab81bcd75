"""Read side of the conversation page: the timeline, the customer's other conversations, and the
pickers (macros, agents, tags, teams). Every function is scoped and eager-loaded; the page's
query count does not grow with the number of messages (tests/web/test_conversation_page.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q, QuerySet
from django.utils.dateformat import format as format_date
from django.utils.timezone import localtime

from storedesk.conversations.models import Attachment, Conversation, Identity, Macro, Message, Tag
from storedesk.core.access import access_object
from storedesk.core.models import Team, User

# The page shows the newest messages first loaded; older ones come on demand ("Show earlier").
TIMELINE_LIMIT = 100
# A folded conversation shows at most this many of its latest messages when expanded.
FOLD_LIMIT = 50
OTHER_CONVERSATIONS_LIMIT = 20
STORE_TAGS_LIMIT = 500


def get_conversation(user: User, pk: int, permission: str = "conversation.view") -> Conversation:
    """The conversation with everything its header shows, within the user's stores (else NotFound)."""
    rows = Conversation.objects.select_related("customer", "assignee", "team", "store").prefetch_related("tags")
    return access_object(user, rows, pk, permission)


# What the timeline shows of a message and its authors (model instances with fewer fields are
# cheaper to build, and the author's password hash has no business in a page render).
MESSAGE_FIELDS = (
    "id",
    "store_id",
    "conversation_id",
    "direction",
    "author_kind",
    "body_text",
    "body_html",
    "delivery_status",
    "delivery_error",
    "metadata",
    "created_at",
    "author_user__id",
    "author_user__email",
    "author_user__display_name",
    "author_user__first_name",
    "author_user__last_name",
    "author_customer__id",
    "author_customer__name",
)


def message_rows() -> QuerySet[Message]:
    """Messages with their authors; attachments come from `with_attachments` (one query)."""
    return Message.objects.select_related("author_user", "author_customer").only(*MESSAGE_FIELDS)


def with_attachments(messages: list[Message]) -> list[Message]:
    """Attach each message's attachments as `message.files`, in one query for all of them.
    (A plain loop: prefetch_related builds a related manager per message, which costs more
    than the query on a 100-message page.)"""
    by_message: dict[int, list[Attachment]] = {}
    if messages:
        for attachment in Attachment.objects.filter(message_id__in=[m.pk for m in messages]).order_by("id"):
            by_message.setdefault(attachment.message_id, []).append(attachment)
    for message in messages:
        message.files = by_message.get(message.pk, [])  # type: ignore[attr-defined]
    return messages


@dataclass(frozen=True, slots=True)
class Entry:
    """A message as the timeline shows it, display-ready: rendering does no lookups, no
    formatting and no dict probing per message (the page's cost grows with the message count)."""

    pk: int
    key: str  # str(pk): ints rendered in templates go through number localisation
    direction: str
    author: str
    author_user_id: str  # "" when not an agent
    html: str  # body_html, sanitised by nh3 when it was stored; "" when the message is text only
    text: str
    quoted_text: str
    from_macro: bool
    mentions: tuple[str, ...]
    created_iso: str
    created_label: str
    delivery: str  # outbound only: "Queued", "Sent", "Failed: reason"; else ""
    delivery_status: str
    attachments: tuple[Attachment, ...]
    system: bool = False  # written by Storedesk itself (a job's outcome), not by an agent


def entry(message: Message, agents_by_id: dict[int, User]) -> Entry:
    if message.author_user is not None:
        author = message.author_user.name
    elif message.author_customer is not None:
        author = str(message.author_customer)
    else:
        author = message.get_author_kind_display()
    metadata = message.metadata or {}
    mentions = tuple(
        f"@{agents_by_id[pk].name}" if pk in agents_by_id else "a former agent" for pk in metadata.get("mentions", ())
    )
    delivery = ""
    if message.direction == Message.Direction.OUTBOUND and message.delivery_status:
        delivery = str(Message.Delivery(message.delivery_status).label).capitalize()
        if message.delivery_error:
            delivery = f"{delivery}: {message.delivery_error}"
    created = localtime(message.created_at)
    return Entry(
        pk=message.pk,
        key=str(message.pk),
        direction=message.direction,
        author=author,
        author_user_id=str(message.author_user_id or ""),
        html=message.body_html,
        text=message.body_text,
        quoted_text=str(metadata.get("quoted_text") or ""),
        from_macro="macro_id" in metadata,
        mentions=mentions,
        created_iso=created.isoformat(),
        created_label=format_date(created, "j M H:i"),
        delivery=delivery,
        delivery_status=message.delivery_status,
        attachments=tuple(message.files),  # type: ignore[attr-defined]  # set by with_attachments
        system=message.author_kind == Message.AuthorKind.SYSTEM,
    )


def entries(messages: list[Message], agents_by_id: dict[int, User]) -> list[tuple[str, Entry]]:
    return [("message", entry(m, agents_by_id)) for m in messages]


@dataclass
class Timeline:
    messages: list[Message]
    has_earlier: bool

    @property
    def last_id(self) -> int:
        return max((m.pk for m in self.messages), default=0)

    @property
    def first(self) -> Message | None:
        return self.messages[0] if self.messages else None


def timeline(conversation: Conversation, *, before: int | None = None, limit: int = TIMELINE_LIMIT) -> Timeline:
    """The newest `limit` messages in reading order (oldest first), or those just before the
    message `before`. Serves: message_timeline_idx (conversation, created_at, id), read backwards."""
    rows = message_rows().filter(conversation=conversation)
    if before is not None:
        pivot = Message.objects.filter(pk=before, conversation=conversation).values("created_at")[:1]
        rows = rows.filter(Q(created_at__lt=pivot) | Q(created_at=pivot, pk__lt=before))
    newest_first = list(rows.order_by("-created_at", "-id")[: limit + 1])
    return Timeline(messages=with_attachments(newest_first[:limit][::-1]), has_earlier=len(newest_first) > limit)


def messages_after(conversation: Conversation, after: int, limit: int = TIMELINE_LIMIT) -> list[Message]:
    """Messages added since the client's last one (live updates, catching up after a reconnect)."""
    rows = message_rows().filter(conversation=conversation, pk__gt=after)
    return with_attachments(list(rows.order_by("created_at", "id")[:limit]))


def replies_since(conversation: Conversation, after: int, agent: User) -> list[Message]:
    """Replies to the customer by someone other than `agent` after message `after`: the
    collision check before sending (another agent answered while this one was writing)."""
    rows = Message.objects.filter(conversation=conversation, pk__gt=after, direction=Message.Direction.OUTBOUND)
    return list(rows.exclude(author_user=agent).select_related("author_user").order_by("id"))


def other_conversations(conversation: Conversation, limit: int = OTHER_CONVERSATIONS_LIMIT) -> list[Conversation]:
    """The same customer's other conversations on any channel, newest first (merged-away ones
    are empty tombstones and left out). Serves: conv_customer_idx (customer, -created_at).

    No store_id filter: a customer belongs to one store and so do all their conversations
    (the actions refuse anything else), and with a store filter SQLite without statistics
    walked the store's whole conv_store_created_idx instead (100 ms at 100k instead of 1)."""
    rows = Conversation.objects.filter(customer_id=conversation.customer_id, merged_into__isnull=True).exclude(
        pk=conversation.pk
    )
    return list(rows.order_by("-created_at")[:limit])


def identities(conversation: Conversation) -> list[Identity]:
    """Serves: identity_customer_idx."""
    return list(Identity.objects.filter(customer_id=conversation.customer_id).order_by("kind", "value"))


def macros(store_id: int) -> list[Macro]:
    """Serves: macro_store_name_uniq (store, name)."""
    return list(Macro.objects.filter(store_id=store_id).order_by("name"))


def agents(store_id: int) -> list[User]:
    """Active agents of the store, for assigning and @mentions."""
    rows = User.objects.filter(memberships__store_id=store_id, is_active=True)
    return sorted(rows, key=lambda u: u.name.lower())


def store_tags(store_id: int) -> list[Tag]:
    """Serves: tag_store_name_uniq (store, name)."""
    return list(Tag.objects.filter(store_id=store_id).order_by("name")[:STORE_TAGS_LIMIT])


def teams(store_id: int) -> list[Team]:
    return list(Team.objects.filter(store_id=store_id).order_by("name"))


@dataclass
class Sidebar:
    identities: list[Identity]
    others: list[Conversation]


def sidebar(conversation: Conversation) -> Sidebar:
    return Sidebar(identities=identities(conversation), others=other_conversations(conversation))


@dataclass
class Page:
    conversation: Conversation
    timeline: Timeline
    sidebar: Sidebar
    macros: list[Macro]
    agents: list[User]
    tags: list[Tag]
    teams: list[Team]
    agents_by_id: dict[int, User] = field(default_factory=dict)

    @cached_property
    def items(self) -> list[tuple[str, Entry | Conversation]]:
        """The unified timeline: this conversation's messages with the customer's other
        conversations folded in where they happened. Those older than the loaded window come first."""
        messages = self.timeline.messages
        start = messages[0].created_at if messages else None
        others = sorted(self.sidebar.others, key=lambda c: c.created_at)
        earlier: list[tuple[str, Entry | Conversation]] = [
            ("fold", c) for c in others if start is None or c.created_at < start
        ]
        within = [c for c in others if start is not None and c.created_at >= start]
        merged: list[tuple[str, Entry | Conversation]] = []
        for message in messages:
            while within and within[0].created_at <= message.created_at:
                merged.append(("fold", within.pop(0)))
            merged.append(("message", entry(message, self.agents_by_id)))
        merged += [("fold", c) for c in within]
        return earlier + merged


def page(user: User, pk: int) -> Page:
    """Everything the conversation page shows, in a constant number of queries."""
    conversation = get_conversation(user, pk)
    store_id = conversation.store_id
    people = agents(store_id)
    return Page(
        conversation=conversation,
        timeline=timeline(conversation),
        sidebar=sidebar(conversation),
        macros=macros(store_id),
        agents=people,
        tags=store_tags(store_id),
        teams=teams(store_id),
        agents_by_id={u.pk: u for u in people},
    )
