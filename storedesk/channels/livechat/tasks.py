"""Live chat jobs: thin wrappers, safe to retry."""

from __future__ import annotations

import logging

from django.db import transaction
from huey.contrib.djhuey import db_task

from storedesk.channels.email.outbound import SendError, send
from storedesk.channels.livechat import transcript
from storedesk.conversations.actions import do_add_system_note
from storedesk.conversations.models import Conversation

log = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=60)
def send_transcript(conversation_id: int, address: str) -> str:
    """Email the chat's transcript; retried on a temporary failure, given up on a permanent one.
    Either way the agents see what happened as a system note."""
    conversation = Conversation.objects.select_related("store").filter(pk=conversation_id).first()
    if conversation is None:
        return "gone"
    try:
        send(transcript.build(conversation, address))
    except SendError as error:
        if not error.permanent:
            raise
        log.warning("livechat transcript to %s refused: %s", address, error.message)
        with transaction.atomic():
            do_add_system_note(conversation, f"The chat transcript could not be emailed to {address}: {error.message}")
        return "failed"
    with transaction.atomic():
        do_add_system_note(conversation, f"The visitor asked for the chat transcript; it was emailed to {address}.")
    return "sent"
