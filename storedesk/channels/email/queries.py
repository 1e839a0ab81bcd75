"""Read side of the email channel for agents: scoped to the caller's stores, eager-loaded,
the raw bytes deferred except where the page shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from storedesk.channels.email.models import InboundEmail, Mailbox
from storedesk.conversations.models import Conversation, Status
from storedesk.core.access import scoped, store_ids_for
from storedesk.core.models import User

LIST_LIMIT = 100
STALE_AFTER = timedelta(minutes=15)  # an IMAP mailbox without a good fetch this long is alerted
FAILURES_ALERT = 3


def inbound_list(user: User, status: str = InboundEmail.Status.FAILED) -> QuerySet[InboundEmail]:
    """The newest emails of a status in the user's stores (the "could not process" view)."""
    return (
        scoped(user, InboundEmail.objects.filter(status=status))
        .select_related("store", "mailbox")
        .defer("raw")
        .order_by("-received_at", "-pk")[:LIST_LIMIT]
    )


@dataclass(frozen=True)
class MailboxHealth:
    mailbox: Mailbox
    alert: str  # "" when healthy


def mailbox_health(user: User) -> list[MailboxHealth]:
    now = timezone.now()
    out = []
    for mailbox in scoped(user, Mailbox.objects.select_related("store")).order_by("store__name", "address"):
        alert = ""
        if mailbox.is_active and mailbox.kind == Mailbox.Kind.IMAP:
            if mailbox.consecutive_failures >= FAILURES_ALERT:
                alert = f"{mailbox.consecutive_failures} fetches failed in a row: {mailbox.last_error}"
            elif mailbox.last_success_at is None or mailbox.last_success_at < now - STALE_AFTER:
                alert = "No successful fetch in the last 15 minutes."
        out.append(MailboxHealth(mailbox=mailbox, alert=alert))
    return out


UNANSWERED_HOURS = (4, 8, 24, 48, 72)


def unanswered(user: User, hours: int) -> list[Conversation]:
    """Open conversations (any channel) whose customer has waited on an answer more than `hours`,
    longest waiting first: the "nobody answered" view. Walks `conv_wait_idx` (store, status,
    lcm IS NULL, lcm, id) in the caller's stores up to the cutoff; one query."""
    cutoff = timezone.now() - timedelta(hours=hours)
    waiting = Q(last_agent_message_at__isnull=True) | Q(last_agent_message_at__lt=F("last_customer_message_at"))
    return list(
        Conversation.objects.filter(
            waiting,
            store_id__in=store_ids_for(user),
            status=Status.OPEN,
            last_customer_message_at__lt=cutoff,
            merged_into__isnull=True,
        )
        .select_related("store", "customer", "assignee")
        .order_by("last_customer_message_at", "id")[:LIST_LIMIT]
    )
