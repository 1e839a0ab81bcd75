"""Read side of the email channel for agents: scoped to the caller's stores, eager-loaded,
the raw bytes deferred except where the page shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from storedesk.channels.email.models import InboundEmail, Mailbox
from storedesk.core.access import scoped
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
