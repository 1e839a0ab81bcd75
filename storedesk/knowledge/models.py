"""A store's knowledge articles: what the bot may quote (returns, shipping, payment, sizing…).

Rows are written only by `actions.py`. Every index names the query it serves.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from storedesk.core.models import Store


class Article(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    body = models.TextField()  # plain text; the bot quotes it as it is
    # Lower-case words or phrases a question about this article contains ("run small", "sizing").
    keywords = models.JSONField(default=list, blank=True)
    # Intents of the intent engine (automation/intent) this article answers ("check_refund_policy").
    intents = models.JSONField(default=list, blank=True)
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Serves: an article by its slug (links, idempotent demo seeding).
            models.UniqueConstraint(fields=["store", "slug"], name="article_store_slug_uniq"),
        ]
        indexes = [
            # Serves: the bot's candidates — store_id = ? AND published ORDER BY id (partial: published only).
            models.Index(fields=["store", "id"], name="article_published_idx", condition=Q(published=True)),
        ]

    def __str__(self) -> str:
        return self.title
