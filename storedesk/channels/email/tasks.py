"""Thin, idempotent job wrappers around the email channel's actions.

Send retries are not huey retries: `do_send_email` records each attempt on its
`OutboundEmail` row and schedules the next one itself, so the database stays the source of
truth and the sweeper can recover any job the queue loses (as webhook deliveries do).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from storedesk.channels.email import actions, batch, conf, imap


@db_task()
def process_inbound_email(inbound_id: int) -> str | None:
    row = actions.do_process_inbound(inbound_id)
    return row.status if row is not None else None


@db_task()
def process_inbound_batch(inbound_ids: list[int]) -> int:
    """Stored emails processed together (an IMAP fetch): the batch path. Rows already
    processed are skipped; rows it never reaches stay `received` for the sweeper."""
    return len(batch.do_process_stored(inbound_ids))


@db_task()
def send_email_message(message_id: int) -> str | None:
    return actions.do_send_email(message_id)


@db_periodic_task(crontab(minute="*"))
def sweep_email() -> dict[str, int]:
    """Every minute: inbound mail whose job was lost, sends of dead workers, due retries."""
    return actions.sweep()


@db_periodic_task(crontab(minute="*"))
def poll_imap_mailboxes() -> dict[str, int] | None:
    """Every minute: fetch every active IMAP mailbox (concurrently); one run at a time.
    Off when EMAIL_IMAP_POLL=0 (e.g. `storedesk fetch-email --idle` runs instead)."""
    if not conf.imap_poll():
        return None
    try:
        with HUEY.lock_task("poll-imap-mailboxes"):
            return imap.fetch_all()
    except TaskLockedException:
        return None


def enqueue_send(message_id: int) -> None:
    """The email channel's sender in `storedesk.channels.registry` (called on commit)."""
    send_email_message(message_id)
