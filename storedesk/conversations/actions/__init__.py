"""The only writers of conversations, messages, customers, tags and macros."""

from storedesk.conversations.actions.bulk import do_bulk
from storedesk.conversations.actions.conversations import (
    NewAttachment,
    do_add_note,
    do_add_system_note,
    do_assign,
    do_bot_reply,
    do_create_conversation,
    do_receive_message,
    do_reply,
    do_set_priority,
    do_set_status,
    do_set_subject,
    do_snooze,
    do_tag,
    do_wake_snoozed,
)
from storedesk.conversations.actions.customers import (
    do_add_identity,
    do_create_customer,
    do_merge_customers,
    do_update_customer,
    normalize_identity,
    resolve_customer,
)
from storedesk.conversations.actions.macros import do_apply_macro, do_delete_macro, do_save_macro, render_macro
from storedesk.conversations.actions.merge import do_merge_conversations
from storedesk.conversations.actions.tags import do_create_tag, do_delete_tag
from storedesk.conversations.actions.views import do_delete_view, do_save_view

__all__ = [
    "NewAttachment",
    "do_add_identity",
    "do_add_note",
    "do_add_system_note",
    "do_apply_macro",
    "do_assign",
    "do_bot_reply",
    "do_bulk",
    "do_create_conversation",
    "do_create_customer",
    "do_create_tag",
    "do_delete_macro",
    "do_delete_tag",
    "do_delete_view",
    "do_merge_conversations",
    "do_merge_customers",
    "do_receive_message",
    "do_reply",
    "do_save_macro",
    "do_save_view",
    "do_set_priority",
    "do_set_status",
    "do_set_subject",
    "do_snooze",
    "do_tag",
    "do_update_customer",
    "do_wake_snoozed",
    "normalize_identity",
    "render_macro",
    "resolve_customer",
]
