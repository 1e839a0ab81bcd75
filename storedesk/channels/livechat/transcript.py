"""The chat transcript a visitor asked for, as an email from the store's support address.

Plain text: who said what and when (in the store's time zone), files by name. Notes never
appear. Sent with the email channel's `outbound.send`, so it takes the same backend (SMTP or an
ESP) and the same error classification as agents' replies.
"""

from __future__ import annotations

from email.utils import formataddr
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives

from storedesk.channels.email.outbound import support_address
from storedesk.conversations.models import Conversation, Message

MAX_MESSAGES = 1000


def _author(message: Message, store_name: str) -> str:
    if message.direction == Message.Direction.INBOUND:
        return "You"
    if message.author_kind == Message.AuthorKind.BOT:
        return f"{store_name} (bot)"
    user = message.author_user
    return (user.first_name or user.display_name.split(" ")[0]) if user is not None else store_name


def text(conversation: Conversation) -> str:
    store = conversation.store
    zone = ZoneInfo(store.timezone or "UTC")
    messages = (
        Message.objects.filter(
            store_id=conversation.store_id,
            conversation=conversation,
            direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND],
        )
        .select_related("author_user")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")[:MAX_MESSAGES]
    )
    lines = [f"Your chat with {store.name}", ""]
    for message in messages:
        at = message.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        lines.append(f"[{at}] {_author(message, store.name)}:")
        if message.body_text:
            lines.append(message.body_text)
        lines += [f"  (file: {attachment.filename})" for attachment in message.attachments.all()]
        lines.append("")
    lines.append(f"Times are {zone.key}. Reply to this email to continue the conversation by email.")
    return "\n".join(lines)


def build(conversation: Conversation, address: str) -> EmailMultiAlternatives:
    store = conversation.store
    sender = support_address(store)
    return EmailMultiAlternatives(
        subject=f"Your chat with {store.name}",
        body=text(conversation),
        from_email=formataddr((store.from_name or store.name, sender)),
        to=[address],
        reply_to=[store.reply_to.lower() if store.reply_to else sender],
        headers={"X-Auto-Response-Suppress": "OOF, AutoReply"},
    )
