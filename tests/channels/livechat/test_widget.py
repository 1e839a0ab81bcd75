"""The widget script: small, CSP-friendly, and served where the snippet points."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings

import storedesk.channels.livechat as livechat
from storedesk.channels.livechat.sender import deliver_reply
from storedesk.conversations.actions import do_reply
from storedesk.conversations.models import Channel, Message
from tests.factories import ConversationFactory

STATIC = Path(livechat.__file__).parent / "static" / "livechat"
MAX_GZIPPED = 30 * 1024


def test_it_keeps_the_widget_under_30_kb_gzipped():
    size = len(gzip.compress((STATIC / "widget.js").read_bytes(), compresslevel=9))
    size += len(gzip.compress((STATIC / "widget.css").read_bytes(), compresslevel=9))
    assert size <= MAX_GZIPPED


def test_it_uses_no_eval_and_no_inline_styles():
    source = (STATIC / "widget.js").read_text()
    assert not re.search(r"\beval\(|new Function\(|innerHTML|setAttribute\(\"style\"|\.style\.cssText", source)
    assert 'setTimeout("' not in source and 'setInterval("' not in source


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_it_serves_the_demo_shop_page_with_the_snippet(client, acme):
    response = client.get("/demo-shop/acme/")
    assert response.status_code == 200
    assert b'<script src="/static/livechat/widget.js" data-store="acme" async></script>' in response.content


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_it_hides_the_demo_shop_of_a_real_store_outside_debug(client, acme):
    assert client.get("/demo-shop/acme/").status_code == 404


@pytest.mark.django_db
def test_it_queues_chat_replies_for_the_sender_and_never_pushes_a_rolled_back_one(acme, ana, carla):
    conversation = ConversationFactory(store=acme, customer=carla, channel=Channel.CHAT)
    with pytest.raises(RuntimeError), transaction.atomic():
        do_reply(ana, conversation, body_text="never")
        raise RuntimeError
    assert Message.objects.filter(conversation=conversation).count() == 0

    reply = do_reply(ana, conversation, body_text="Hello")  # on_commit does not run under TestCase
    assert reply.delivery_status == Message.Delivery.QUEUED
    deliver_reply(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery_status == Message.Delivery.SENT
