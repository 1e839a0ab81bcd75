"""A chat visitor: one browser (its signed token in localStorage) of one store, the customer
behind it, its current conversation, and where it is on the store's site right now."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from storedesk.conversations.models import Conversation, Customer
from storedesk.core.models import Store


class Visitor(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    # Set on the first message (or a verified identity): browsing never creates customers.
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The chat the widget shows; SET_NULL: a deleted conversation starts a new one.
    # The FK's own index serves the conversation page's visitor card: conversation_id = ?
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified = models.BooleanField(default=False)  # identity signed by the store
    email = models.EmailField(blank=True)  # given in the pre-chat or offline form (not verified)
    page_url = models.URLField(max_length=2000, blank=True)
    page_title = models.CharField(max_length=300, blank=True)
    cart = models.JSONField(default=dict, blank=True)
    sockets = models.IntegerField(default=0)  # open widget sockets (tabs) right now
    last_seen_at = models.DateTimeField(default=timezone.now)
    # Read markers (ids of messages of `conversation`): the last agent/bot message the visitor has
    # seen with the panel open, and the last visitor message an agent has read on the page.
    visitor_read_id = models.BigIntegerField(null=True, blank=True)
    agent_read_id = models.BigIntegerField(null=True, blank=True)
    transcript_sent_at = models.DateTimeField(null=True, blank=True)  # the last transcript asked for
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Serves: a verified shopper's returning visitor: store_id = ? AND customer_id = ?
            models.Index(fields=["store", "customer"], name="livechat_visitor_cust_idx"),
        ]

    @property
    def online(self) -> bool:
        return self.sockets > 0
