"""A fake product page with the widget snippet, to try the chat end to end (`make run`).
Served only with DEBUG on or for the demo stores."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from storedesk.core.models import Store
from storedesk.demo.loader import DEMO_SLUG, SECOND_SLUG


def demo_shop(request: HttpRequest, store_slug: str) -> HttpResponse:
    if not settings.DEBUG and store_slug not in (DEMO_SLUG, SECOND_SLUG):
        raise Http404
    store = Store.objects.filter(slug=store_slug).first()
    if store is None:
        raise Http404
    return render(request, "livechat/demo_shop.html", {"store": store})
