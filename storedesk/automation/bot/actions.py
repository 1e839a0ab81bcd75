"""Bot writers: turning the bot on or off for a store, its replies, and the hand-off to a
person. Messages and notes go through the conversations actions (`do_bot_reply`,
`do_add_system_note`); release and routing at the hand-off through `sla_hooks.on_handoff`."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from storedesk.automation import sla_hooks
from storedesk.automation.bot import replies
from storedesk.automation.bot.hold import bot_enabled, handed_off
from storedesk.automation.bot.state import HANDOFF, BotState, load, transcript
from storedesk.automation.wait import current_estimate
from storedesk.conversations.actions import do_add_system_note, do_bot_reply
from storedesk.conversations.models import Channel, Conversation, Message, Status
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.models import Store, User

__all__ = ["bot_enabled", "do_hand_off", "do_set_bot", "release_held", "say"]  # bot_enabled: from hold


def do_set_bot(actor: User | None, store: Store, *, enabled: bool) -> None:
    """Turn the chat bot on or off for a store (admins)."""
    if actor is not None:
        check_permission(actor, store.pk, "store.manage")
    with transaction.atomic():
        locked = Store.objects.select_for_update().get(pk=store.pk)
        before = dict(locked.settings.get("bot") or {})
        locked.settings = {**locked.settings, "bot": {**before, "enabled": bool(enabled)}}
        locked.save(update_fields=["settings"])
        store.settings = locked.settings
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="bot.settings_saved",
            obj=locked,
            before=before,
            after=locked.settings["bot"],
        )
    if not enabled:
        release_held(store, reason="bot_off")


def release_held(store: Store, *, reason: str) -> int:
    """Hand every chat the bot still holds (bot/hold.py: open, unanswered, unassigned, no
    hand-off yet) to people, e.g. when the bot is turned off: nobody would answer them
    otherwise. Returns how many."""
    chats = (
        Conversation.objects.filter(
            store=store,
            channel=Channel.CHAT,
            status__in=[Status.OPEN, Status.PENDING],
            first_response_at__isnull=True,
            assignee__isnull=True,
        )
        .filter(~handed_off())
        .select_related("store", "customer")
        .order_by("created_at", "id")
    )  # conv_inbox_recent_idx (store, status)
    released = 0
    for conversation in chats:
        do_hand_off(conversation, load(conversation), reason=reason)
        released += 1
    return released


def say(conversation: Conversation, text: str, state: BotState, kind: str, **changes: Any) -> Message:
    """A bot message with the state it leaves behind and the quick replies the widget shows."""
    metadata = state.meta(kind, **changes)
    quick = replies.ANSWER_QUICK_REPLIES if kind == "answer" else replies.QUICK_REPLIES
    metadata["quick_replies"] = [] if kind == HANDOFF else quick
    return do_bot_reply(conversation, text, metadata=metadata)


def do_hand_off(
    conversation: Conversation,
    state: BotState,
    *,
    reason: str,
    detail: str = "",
    intent: str = "other",
    confidence: float = 0.0,
    sentiment: float = 0.0,
    label: str = "neutral",
) -> Message:
    """Tell the customer honestly when a person will reply, leave the agent a note with the
    reason, transcript, intent and sentiment, and release the chat the bot held
    (bot/hold.py): its first-response clock starts now and it is routed. Returns the note."""
    store = conversation.store
    estimate = current_estimate(store, Channel.CHAT, exclude_id=conversation.pk)  # not waiting ahead of itself
    tz = ZoneInfo(store.timezone or "UTC")
    text = replies.handoff(estimate, tz, order_not_found=reason == "order_not_found")
    with transaction.atomic():
        message = say(conversation, text, state, HANDOFF, reason=reason)
        note = do_add_system_note(
            conversation,
            replies.handoff_note(
                reason=reason,
                detail=detail,
                intent=intent,
                confidence=confidence,
                sentiment=sentiment,
                label=label,
                transcript=transcript(conversation),
            ),
            metadata={
                "bot_handoff": {
                    "reason": reason,
                    "detail": detail,
                    "intent": intent,
                    "confidence": round(confidence, 4),
                    "sentiment": round(sentiment, 4),
                    "label": label,
                }
            },
        )
        locked = Conversation.objects.select_for_update().select_related("customer", "store").get(pk=conversation.pk)
        sla_hooks.on_handoff(locked, message, because=f"bot hand-off: {reason}")
    conversation.refresh_from_db(fields=["assignee", "team"])
    return note
