"""Who may do what, per store role. The one table every check reads."""

from __future__ import annotations

from storedesk.core.models import Role

# permission → the least role that has it
PERMISSIONS: dict[str, Role] = {
    "conversation.view": Role.AGENT,
    "conversation.create": Role.AGENT,
    "conversation.reply": Role.AGENT,
    "conversation.note": Role.AGENT,
    "conversation.assign": Role.AGENT,
    "conversation.status": Role.AGENT,
    "conversation.priority": Role.AGENT,
    "conversation.tag": Role.AGENT,
    "conversation.merge": Role.AGENT,
    "customer.view": Role.AGENT,
    "customer.edit": Role.AGENT,
    "customer.merge": Role.LEAD,
    "macro.use": Role.AGENT,
    "macro.manage": Role.LEAD,
    "tag.create": Role.AGENT,
    "tag.manage": Role.LEAD,
    "audit.view": Role.LEAD,
    "team.manage": Role.ADMIN,
    "webhook.manage": Role.ADMIN,
    "store.manage": Role.ADMIN,
}
