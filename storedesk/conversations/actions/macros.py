"""Macros (saved replies): render with variables, apply to a conversation, manage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import Context, Engine, TemplateSyntaxError

from storedesk.conversations.actions.conversations import (
    NewAttachment,
    do_reply,
    do_set_priority,
    do_set_status,
    do_tag,
)
from storedesk.conversations.models import Conversation, Identity, Macro, Message, Priority, Status
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError, Conflict
from storedesk.core.models import Store, User

# Plain-text templates: no autoescaping, no custom tags, and a context of plain dicts only,
# so a macro can read the documented variables and nothing else.
_engine = Engine(autoescape=False, string_if_invalid="", builtins=["django.template.defaultfilters"])
_ACTION_KEYS = {"add_tags", "remove_tags", "status", "priority"}


def macro_context(conversation: Conversation, agent: User | None) -> dict[str, Any]:
    customer = conversation.customer
    email = (
        Identity.objects.filter(customer=customer, kind=Identity.Kind.EMAIL).values_list("value", flat=True).first()
        or ""
    )
    agent_name = agent.name if agent else ""
    return {
        "customer": {"name": customer.name, "first_name": customer.first_name, "email": email},
        "agent": {"name": agent_name, "first_name": (agent.first_name or agent_name.split(" ")[0]) if agent else ""},
        "store": {"name": conversation.store.name},
        "conversation": {"id": conversation.pk, "subject": conversation.subject},
    }


def validate_macro(body: str, actions: dict[str, Any]) -> None:
    try:
        _engine.from_string(body)
    except TemplateSyntaxError as exc:
        raise ActionError(f"Macro text has a template error: {exc}", code="invalid_macro") from None
    unknown = set(actions) - _ACTION_KEYS
    if unknown:
        raise ActionError(f"Unknown macro actions: {', '.join(sorted(unknown))}.", code="invalid_macro")
    if "status" in actions and actions["status"] not in (Status.OPEN, Status.PENDING, Status.RESOLVED):
        raise ActionError("Macro status must be open, pending or resolved.", code="invalid_macro")
    if "priority" in actions and actions["priority"] not in Priority.values:
        raise ActionError("Macro priority must be 0–3.", code="invalid_macro")


def render_macro(macro: Macro, conversation: Conversation, agent: User | None) -> str:
    """The macro's text with variables filled: always shown to the agent, editable before sending."""
    return _engine.from_string(macro.body).render(Context(macro_context(conversation, agent))).strip()


def do_apply_macro(
    actor: User,
    conversation: Conversation,
    macro: Macro,
    *,
    body_text: str | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """Send the macro as a reply (the agent's edited text when given) and run its actions."""
    if macro.store_id != conversation.store_id:
        raise ActionError("That macro belongs to another store.", code="invalid_macro")
    check_permission(actor, conversation.store_id, "macro.use")
    text = body_text if body_text is not None else render_macro(macro, conversation, actor)
    with transaction.atomic():
        message = do_reply(actor, conversation, body_text=text, attachments=attachments)
        message.metadata = {**message.metadata, "macro_id": macro.pk}
        message.save(update_fields=["metadata"])
        actions = macro.actions or {}
        if actions.get("add_tags") or actions.get("remove_tags"):
            do_tag(actor, conversation, add=actions.get("add_tags", []), remove=actions.get("remove_tags", []))
        if "priority" in actions:
            do_set_priority(actor, conversation, actions["priority"])
        if "status" in actions:
            do_set_status(actor, conversation, actions["status"])
        Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
    return message


def do_save_macro(
    actor: User | None,
    store: Store,
    *,
    name: str,
    body: str,
    actions: dict[str, Any] | None = None,
    macro: Macro | None = None,
) -> Macro:
    """Create a macro, or update `macro` when given."""
    if actor is not None:
        check_permission(actor, store.pk, "macro.manage")
    actions = actions or {}
    name = name.strip()
    if not name or not body.strip():
        raise ActionError("A macro needs a name and text.", code="invalid_macro")
    validate_macro(body, actions)
    try:
        with transaction.atomic():
            before = {"name": macro.name, "body": macro.body, "actions": macro.actions} if macro else {}
            if macro is None:
                macro = Macro.objects.create(store=store, name=name[:120], body=body, actions=actions, created_by=actor)
                verb = "macro.created"
            else:
                macro.name, macro.body, macro.actions = name[:120], body, actions
                macro.save(update_fields=["name", "body", "actions"])
                verb = "macro.updated"
            audit.record(
                store_id=store.pk,
                actor=actor,
                verb=verb,
                obj=macro,
                before=before,
                after={"name": macro.name, "body": macro.body, "actions": macro.actions},
            )
    except IntegrityError:
        raise Conflict(f"A macro named {name!r} already exists.") from None
    return macro


def do_delete_macro(actor: User | None, macro: Macro) -> None:
    if actor is not None:
        check_permission(actor, macro.store_id, "macro.manage")
    with transaction.atomic():
        audit.record(
            store_id=macro.store_id,
            actor=actor,
            verb="macro.deleted",
            obj=macro,
            before={"name": macro.name, "body": macro.body},
        )
        macro.delete()
