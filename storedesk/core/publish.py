"""Publishing domain events: called by actions inside their transaction.

- Outbound webhook deliveries are written as rows in the same transaction (an outbox), so
  an event can never be lost between commit and enqueue; their jobs are enqueued on commit,
  and a periodic sweeper re-enqueues any that were lost.
- Realtime messages go out on commit only: nobody sees a change that was rolled back.
- The store's change stamp (core.changes) is replaced on commit, so cached counts are
  recomputed after the change.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from storedesk.core import changes, realtime
from storedesk.core.events import BaseEvent


def publish_many(store_id: int, events: Sequence[BaseEvent]) -> None:
    """`publish` for a batch of one store's events (the email batch path): one read of the
    webhook endpoints, one stamp change and one realtime pass on commit."""
    from storedesk.webhooks import outbox

    if not events:
        return
    outbox.record_many(store_id, events)
    transaction.on_commit(lambda: changes.touch(store_id), robust=True)
    transaction.on_commit(lambda: realtime.send_many(events))


def publish(event: BaseEvent) -> None:
    from storedesk.webhooks import outbox

    outbox.record(event)
    transaction.on_commit(lambda: changes.touch(event.store_id), robust=True)
    transaction.on_commit(lambda: realtime.send(event))
