from __future__ import annotations

from typing import Any

from django import template

from storedesk.channels.livechat.models import Visitor
from storedesk.conversations.models import Conversation

register = template.Library()


@register.inclusion_tag("livechat/_visitor.html")
def livechat_visitor(conversation: Conversation) -> dict[str, Any]:
    """The chat visitor's current page and whether a widget of theirs is still open."""
    visitor = None
    if conversation.channel == "chat":
        visitor = Visitor.objects.filter(store_id=conversation.store_id, conversation=conversation).first()
    return {"visitor": visitor}
