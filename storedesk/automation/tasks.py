"""Thin, idempotent job wrappers around the automation actions."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.automation.actions.agents import do_auto_away
from storedesk.automation.actions.sla import do_check_sla, do_recompute_store
from storedesk.conversations.models import Conversation
from storedesk.core.models import User

KIND_LABELS = {"first_response": "first response", "next_response": "next response", "resolution": "resolution"}


@db_periodic_task(crontab(minute="*"))
def check_sla() -> dict[str, int]:
    """Every minute: warnings before a breach, alerts and escalations at it."""
    return do_check_sla()


@db_periodic_task(crontab(minute="*"))
def auto_away_idle_agents() -> int:
    """Every minute: online agents idle for 10 minutes become away; their waiting work moves."""
    return do_auto_away()


@db_task()
def recompute_store_sla(store_id: int) -> int:
    """After a store's opening hours or policies change: recompute its running clocks."""
    return do_recompute_store(store_id)


@db_task()
def email_breach_to_leads(conversation_id: int, kind: str, due_at: str, user_ids: list[int]) -> int:
    """One plain email per lead. A retry may send twice; an alert is not a money move."""
    conversation = Conversation.objects.select_related("store").filter(pk=conversation_id).first()
    if conversation is None:
        return 0
    link = settings.SITE_URL.rstrip("/") + reverse("conversation", kwargs={"pk": conversation.pk})
    label = KIND_LABELS.get(kind, kind)
    subject = f"[{conversation.store.name}] SLA {label} missed: #{conversation.pk} {conversation.subject}"[:200]
    body = (
        f"Conversation #{conversation.pk} ({conversation.subject or 'no subject'}) missed its {label} target, "
        f"due {due_at}.\n\n{link}\n"
    )
    sent = 0
    for email in User.objects.filter(pk__in=user_ids, is_active=True).values_list("email", flat=True):
        sent += send_mail(subject, body, None, [email])
    return sent
