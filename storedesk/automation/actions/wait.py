"""Writers of wait promises: what a customer was told to expect when they first wrote, and
when the first reply came. Called from the SLA hooks inside the conversation's transaction."""

from __future__ import annotations

from storedesk.automation.models import WaitPromise
from storedesk.automation.wait import current_estimate
from storedesk.conversations.models import Conversation, Message


def note_first_message(conversation: Conversation, message: Message) -> WaitPromise | None:
    """Record the published estimate for the conversation's channel at the moment the
    customer opened it. Nothing when there was no estimate (a closed chat)."""
    result = current_estimate(conversation.store, conversation.channel, message.created_at, exclude_id=conversation.pk)
    if result.expected_wait_s is None:
        return None
    promise, _ = WaitPromise.objects.get_or_create(
        conversation=conversation,
        defaults={
            "store_id": conversation.store_id,
            "channel": conversation.channel,
            "promised_at": message.created_at,
            "promised_wait_s": result.expected_wait_s,
            "method": result.method,
        },
    )
    return promise


def note_first_reply(conversation: Conversation, message: Message) -> None:
    promise = WaitPromise.objects.filter(conversation=conversation, answered_at__isnull=True).first()
    if promise is None:
        return
    promise.answered_at = message.created_at
    promise.actual_wait_s = max(0, int((message.created_at - promise.promised_at).total_seconds()))
    promise.save(update_fields=["answered_at", "actual_wait_s"])
