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
    "view.share": Role.LEAD,  # save an inbox view for everyone in the store (own views need conversation.view)
    "audit.view": Role.LEAD,
    # Orders and remedies (storedesk.commerce): amounts are limited by commerce.authority, not here.
    "order.view": Role.AGENT,
    "order.import": Role.ADMIN,
    "remedy.request": Role.AGENT,
    "remedy.approve": Role.LEAD,
    "remedy.report": Role.LEAD,
    "authority.manage": Role.ADMIN,
    "team.manage": Role.ADMIN,
    "webhook.manage": Role.ADMIN,
    "store.manage": Role.ADMIN,
    "schedule.manage": Role.LEAD,  # shifts and staffing targets (automation.actions.shifts)
    "article.view": Role.AGENT,  # the store's knowledge articles (storedesk.knowledge)
    "article.manage": Role.LEAD,  # write, edit, publish and unpublish them
}
