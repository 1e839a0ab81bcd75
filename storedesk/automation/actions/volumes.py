"""Writer of imported contact history (`ContactVolume`): leads and admins (`schedule.manage`).

Rows are (channel, interval start, contacts); an import replaces the counts of the intervals
it names (importing the same file twice changes nothing) and is audited as one event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from storedesk.automation.models import ContactVolume
from storedesk.automation.workforce.queries import invalidate_forecast
from storedesk.conversations.models import Channel
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError
from storedesk.core.models import Store, User

MAX_ROWS = 50_000  # a year of 30-minute intervals for three channels


def do_import_contact_volume(
    actor: User | None, store: Store, rows: Iterable[tuple[str, datetime, int]], *, source: str = ""
) -> int:
    """Store contacts per channel and half hour. Returns the number of intervals written."""
    if actor is not None:
        check_permission(actor, store.pk, "schedule.manage")
    clean: dict[tuple[str, datetime], int] = {}
    for channel, start, contacts in rows:
        if channel not in Channel.values:
            raise ActionError(f"Unknown channel {channel!r}.", code="invalid_volume")
        if timezone.is_naive(start) or start.minute % 30 or start.second or start.microsecond:
            raise ActionError("Interval starts must be aware and on a half hour.", code="invalid_volume")
        if contacts < 0:
            raise ActionError("Contacts cannot be negative.", code="invalid_volume")
        clean[(channel, start.astimezone(UTC))] = int(contacts)
    if len(clean) > MAX_ROWS:
        raise ActionError(f"At most {MAX_ROWS} intervals per import.", code="invalid_volume")
    with transaction.atomic():
        ContactVolume.objects.bulk_create(
            [
                ContactVolume(store=store, channel=channel, interval_start=start, contacts=n, source=source[:64])
                for (channel, start), n in clean.items()
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["store", "interval_start", "channel"],
            update_fields=["contacts", "source"],
        )
        transaction.on_commit(lambda: invalidate_forecast(store.pk))
        starts = [start for _, start in clean]
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="contact_volume.imported",
            obj=store,
            after={
                "intervals": len(clean),
                "contacts": sum(clean.values()),
                "from": min(starts).isoformat() if starts else None,
                "until": max(starts).isoformat() if starts else None,
                "source": source[:64],
            },
        )
    return len(clean)
