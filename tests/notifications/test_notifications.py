"""Mention notifications: who is found in a note's text, who is notified (never the author, each
once), and marking read touches only the reader's own rows."""

from __future__ import annotations

import pytest

from storedesk.conversations.actions import do_add_note
from storedesk.notifications.actions import do_mark_read, do_notify_mentions, unread_count
from storedesk.notifications.mentions import find_mentions
from storedesk.notifications.models import Notification
from tests.factories import ConversationFactory


@pytest.fixture
def conversation(acme, carla):
    return ConversationFactory(store=acme, customer=carla)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Ben Agent please look", ["ben"]),
        ("cc @ben and @LEO", ["ben", "leo"]),
        ("(@leo) thoughts?", ["leo"]),
        ("mail ben@acme.test or write @bend", []),
        ("no mention of Ben Agent here", []),
        ("@Leo Lead, @Ben Agent", ["ben", "leo"]),
    ],
)
def test_it_finds_agents_mentioned_by_name_or_email_handle(ana, ben, leo, text, expected):
    agents = [ana, ben, leo]

    found = find_mentions(text, agents)

    assert [user.email.split("@")[0] for user in found] == expected


def test_it_notifies_each_mentioned_agent_once_and_never_the_author(ana, ben, leo, conversation):
    note = do_add_note(ana, conversation, body_text="@ben @leo @ana", mentions=[ben, leo, ana])

    again = do_notify_mentions(ana, note, [ben, leo, ana])

    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted([ben.pk, leo.pk])
    assert again == []
    assert Notification.objects.count() == 2
    assert (unread_count(ben), unread_count(leo), unread_count(ana)) == (1, 1, 0)


def test_it_marks_only_the_readers_own_notifications_read(ana, ben, leo, conversation):
    note = do_add_note(ana, conversation, body_text="@ben @leo", mentions=[ben, leo])
    do_notify_mentions(ana, note, [ben, leo])
    leos = Notification.objects.get(recipient=leo)

    marked = do_mark_read(ben, [leos.pk])  # someone else's id: ignored
    assert (marked, unread_count(leo)) == (0, 1)

    assert do_mark_read(ben) == 1
    assert (unread_count(ben), unread_count(leo)) == (0, 1)


def test_it_lists_only_the_agents_own_notifications(client, ana, ben, leo, conversation):
    note = do_add_note(ana, conversation, body_text="Only for Leo", mentions=[leo])
    do_notify_mentions(ana, note, [leo])
    client.force_login(ben)

    response = client.get("/notifications/")

    assert response.status_code == 200
    assert response.context["notifications"] == []
    assert "Only for Leo" not in response.content.decode()
