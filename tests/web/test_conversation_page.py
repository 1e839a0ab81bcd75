"""The conversation page: the unified timeline, the composer and every action it posts, the
customer sidebar, scoping (another store's conversation is a 404 that changes nothing) and a
query count that does not grow with the number of messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from storedesk.conversations.models import Attachment, Channel, Conversation, Message, Status
from storedesk.core import permissions
from storedesk.core.models import AuditEvent, Role
from storedesk.notifications.models import Notification
from tests.factories import (
    ConversationFactory,
    CustomerFactory,
    IdentityFactory,
    MacroFactory,
    MessageFactory,
    TagFactory,
    TeamFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def conversation(acme, carla):
    """A chat: replies are queued for the livechat sender, which runs on commit (never in these tests)."""
    return ConversationFactory(store=acme, customer=carla, channel=Channel.CHAT, subject="Where is my parcel?")


@pytest.fixture
def as_ana(client, ana):
    client.force_login(ana)
    return client


def url(name: str, conversation: Conversation, *args) -> str:
    return reverse(name, args=[conversation.pk, *args])


def messages_of(conversation: Conversation) -> list[tuple[str, str]]:
    return list(conversation.messages.order_by("id").values_list("direction", "body_text"))


def snapshot(conversation: Conversation) -> tuple:
    conversation.refresh_from_db()
    return (
        conversation.status,
        conversation.assignee_id,
        conversation.priority,
        conversation.snoozed_until,
        conversation.merged_into_id,
        sorted(conversation.tags.values_list("name", flat=True)),
        conversation.messages.count(),
        conversation.customer.notes,
        AuditEvent.objects.count(),
    )


# --- the page ----------------------------------------------------------------------------


def test_it_renders_the_timeline_the_composer_and_the_sidebar(as_ana, acme, ana, ben, carla, conversation):
    MessageFactory(conversation=conversation, body_text="Hi, my parcel has not arrived.")
    MessageFactory(
        conversation=conversation,
        direction=Message.Direction.NOTE,
        author_kind=Message.AuthorKind.AGENT,
        author_customer=None,
        author_user=ben,
        body_text="Checking with the carrier.",
    )
    IdentityFactory(customer=carla, store=acme, kind="phone", value="+4915112345678")
    carla.notes = "Prefers a direct approach."
    carla.vip = True
    carla.save()
    MacroFactory(store=acme, name="Thanks")

    response = as_ana.get(url("conversation", conversation))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Where is my parcel?" in html
    assert html.index("Hi, my parcel has not arrived.") < html.index("Checking with the carrier.")
    assert 'class="msg msg-note' in html and "Internal note" in html
    assert "carla@mail.test" in html and "+4915112345678" in html
    assert "Prefers a direct approach." in html
    assert 'data-testid="vip"' in html
    # The orders panel loads after the page (never waiting on a store platform during render).
    assert f'hx-get="/c/{conversation.pk}/orders/" hx-trigger="load"' in html
    assert '<option value="' in html and ">Thanks</option>" in html
    for key in ("r", "n", "e", "a"):
        assert f'data-shortcut="{key}"' in html
    assert '<link rel="stylesheet" href="/static/web/conversation.css">' in html
    assert '<script src="/static/web/conversation.js" defer></script>' in html
    assert response.context["store"] == acme


def test_it_folds_the_customers_other_conversations_into_the_timeline(as_ana, acme, carla, conversation):
    earlier = ConversationFactory(store=acme, customer=carla, channel=Channel.EMAIL, subject="Sizing question")
    earlier.created_at = timezone.now() - timedelta(days=30)
    earlier.save()
    MessageFactory(conversation=earlier, body_text="Does the M fit like an L?")
    MessageFactory(conversation=conversation, body_text="Where is it?")
    someone_else = ConversationFactory(store=acme, subject="Not Carla's")

    response = as_ana.get(url("conversation", conversation))

    assert [kind for kind, _ in response.context["page"].items] == ["fold", "message"]
    html = response.content.decode()
    assert "Sizing question" in html
    assert f'hx-get="/c/{earlier.pk}/fold"' in html
    assert "Does the M fit like an L?" not in html  # folded: loaded when expanded
    assert "Not Carla&#x27;s" not in html and someone_else.subject not in html

    expanded = as_ana.get(url("conversation-fold", earlier), **HTMX)

    assert expanded.status_code == 200
    assert "Does the M fit like an L?" in expanded.content.decode()


def test_it_shows_html_bodies_quoted_history_and_delivery_status(as_ana, acme, ben, conversation):
    MessageFactory(
        conversation=conversation,
        body_text="Hello",
        body_html="<p>Hello <strong>team</strong></p>",
        metadata={"quoted_text": "On Monday you wrote:\n> where is it"},
    )
    outbound = {"direction": Message.Direction.OUTBOUND, "author_kind": "agent", "author_customer": None}
    MessageFactory(
        conversation=conversation, author_user=ben, body_text="Queued one", delivery_status="queued", **outbound
    )
    MessageFactory(conversation=conversation, author_user=ben, body_text="Sent one", delivery_status="sent", **outbound)
    MessageFactory(
        conversation=conversation,
        author_user=ben,
        body_text="Failed one",
        delivery_status="failed",
        delivery_error="550 mailbox unavailable",
        **outbound,
    )

    html = as_ana.get(url("conversation", conversation)).content.decode()

    assert "<p>Hello <strong>team</strong></p>" in html
    assert '<details class="quoted"><summary>Show quoted text</summary>' in html
    assert "On Monday you wrote:<br>&gt; where is it" in html
    assert 'data-testid="delivery">Queued</span>' in html
    assert 'data-testid="delivery">Sent</span>' in html
    assert 'data-testid="delivery">Failed: 550 mailbox unavailable</span>' in html


def test_it_requires_signing_in(client, conversation):
    response = client.get(url("conversation", conversation))

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/c/{conversation.pk}/"


def test_it_sends_a_merged_away_conversation_to_its_survivor(as_ana, acme, carla, conversation):
    gone = ConversationFactory(store=acme, customer=carla, merged_into=conversation)

    response = as_ana.get(url("conversation", gone))

    assert response.status_code == 302
    assert response["Location"] == f"/c/{conversation.pk}/"


@pytest.mark.parametrize(
    "name",
    ["conversation", "conversation-timeline", "conversation-header", "conversation-sidebar", "conversation-fold"],
)
def test_it_is_a_404_to_an_agent_of_another_store(client, gus, conversation, name):
    MessageFactory(conversation=conversation, body_text="Acme private")
    client.force_login(gus)

    response = client.get(url(name, conversation))

    assert response.status_code == 404
    assert b"Acme private" not in response.content


@pytest.mark.parametrize("count", [10, 200])
def test_it_renders_the_page_in_a_constant_number_of_queries(
    client, acme, ana, ben, carla, conversation, count, django_assert_num_queries
):
    for n in range(count):
        if n % 3 == 0:
            MessageFactory(conversation=conversation, body_text=f"Customer {n}")
        else:
            message = MessageFactory(
                conversation=conversation,
                direction=Message.Direction.OUTBOUND if n % 3 == 1 else Message.Direction.NOTE,
                author_kind="agent",
                author_customer=None,
                author_user=ben if n % 2 else ana,
                body_text=f"Agent {n}",
                metadata={"mentions": [ana.pk]} if n % 3 == 2 else {},
            )
            if n % 10 == 1:
                Attachment.objects.create(message=message, file=f"attachments/x{n}.txt", filename=f"x{n}.txt", size=3)
    for n in range(3):
        ConversationFactory(store=acme, customer=carla, channel=Channel.EMAIL, subject=f"Other {n}")
    conversation.tags.add(TagFactory(store=acme, name="shipping"), TagFactory(store=acme, name="vip"))
    MacroFactory(store=acme, name="Thanks")
    TeamFactory(store=acme, name="Returns")
    client.force_login(ana)

    # session, user, memberships; conversation (+customer, assignee, team, store); its tags;
    # messages (+authors); attachments; identities; other conversations; macros; agents; store tags; teams;
    # the chat visitor's card (livechat)
    with django_assert_num_queries(14):
        response = client.get(url("conversation", conversation))

    assert response.status_code == 200
    assert len(response.context["page"].timeline.messages) == min(count, 100)


def test_it_shows_the_newest_100_messages_and_earlier_ones_on_demand(as_ana, conversation):
    start = timezone.now() - timedelta(hours=5)
    messages = [
        MessageFactory(conversation=conversation, body_text=f"m{n}", created_at=start + timedelta(minutes=n))
        for n in range(130)
    ]

    page = as_ana.get(url("conversation", conversation)).context["page"]
    earlier = as_ana.get(url("conversation-timeline", conversation), {"before": messages[30].pk}, **HTMX)

    assert [m.pk for m in page.timeline.messages] == [m.pk for m in messages[30:]]
    assert page.timeline.has_earlier is True
    assert [m.pk for _, m in earlier.context["items"]] == [m.pk for m in messages[:30]]
    assert earlier.context["has_earlier"] is False


def test_it_returns_only_the_messages_after_the_clients_last_one(as_ana, conversation):
    first, second, third = (MessageFactory(conversation=conversation, body_text=f"n{n}") for n in range(3))

    response = as_ana.get(url("conversation-timeline", conversation), {"after": first.pk}, **HTMX)

    assert [m.pk for _, m in response.context["items"]] == [second.pk, third.pk]
    assert f'id="m-{first.pk}"' not in response.content.decode()


# --- replying and notes ----------------------------------------------------------------------


def test_it_sends_a_reply_and_answers_htmx_with_a_fresh_composer(as_ana, ana, conversation):
    response = as_ana.post(url("conversation-reply", conversation), {"body": "It ships today."}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "storedesk:sent"
    assert 'id="composer"' in response.content.decode()
    assert messages_of(conversation) == [("outbound", "It ships today.")]
    assert conversation.messages.get().author_user == ana


def test_it_sends_a_reply_from_a_plain_form_and_redirects(as_ana, conversation):
    response = as_ana.post(url("conversation-reply", conversation), {"body": "Plain post"})

    assert response.status_code == 303
    assert response["Location"] == f"/c/{conversation.pk}/"
    assert messages_of(conversation) == [("outbound", "Plain post")]


@pytest.mark.parametrize("status_after", ["resolved", "pending"])
def test_it_sets_the_status_after_sending(as_ana, conversation, status_after):
    response = as_ana.post(
        url("conversation-reply", conversation), {"body": "Done.", "status_after": status_after}, **HTMX
    )

    conversation.refresh_from_db()
    assert response.status_code == 200
    assert conversation.status == status_after
    assert 'hx-swap-oob="true"' in response.content.decode()  # the header is updated too


def test_it_shows_why_an_empty_reply_was_refused_and_sends_nothing(as_ana, conversation):
    before = snapshot(conversation)

    response = as_ana.post(url("conversation-reply", conversation), {"body": "   "}, **HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#flash"
    assert "A message needs text or an attachment." in response.content.decode()
    assert snapshot(conversation) == before


def test_it_keeps_the_draft_when_a_plain_post_is_refused(as_ana, conversation):
    response = as_ana.post(url("conversation-reply", conversation), {"body": "x", "status_after": "bogus"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown status &#x27;bogus&#x27;." in html
    assert ">x</textarea>" in html
    assert messages_of(conversation) == []


def test_it_warns_when_a_colleague_replied_while_the_agent_was_writing(as_ana, ana, ben, conversation):
    from storedesk.conversations.actions import do_reply

    seen = MessageFactory(conversation=conversation, body_text="Any news?")
    do_reply(ben, conversation, body_text="Ben here: it left the warehouse.")

    refused = as_ana.post(url("conversation-reply", conversation), {"body": "Ana's answer", "seen": seen.pk}, **HTMX)

    assert refused.status_code == 409
    assert "Ben Agent replied while you were writing." in refused.content.decode()
    assert "Ben here: it left the warehouse." in refused.content.decode()
    assert [text for _, text in messages_of(conversation)] == ["Any news?", "Ben here: it left the warehouse."]

    forced = as_ana.post(
        url("conversation-reply", conversation), {"body": "Ana's answer", "seen": seen.pk, "force": "1"}, **HTMX
    )

    assert forced.status_code == 200
    assert messages_of(conversation)[-1] == ("outbound", "Ana's answer")


def test_it_does_not_count_the_agents_own_reply_as_a_collision(as_ana, ana, conversation):
    from storedesk.conversations.actions import do_reply

    seen = MessageFactory(conversation=conversation)
    do_reply(ana, conversation, body_text="First part")

    response = as_ana.post(url("conversation-reply", conversation), {"body": "Second part", "seen": seen.pk}, **HTMX)

    assert response.status_code == 200


def test_it_stores_attachments_and_serves_them_only_to_the_store(client, as_ana, gus, conversation):
    files = [
        SimpleUploadedFile("label.pdf", b"%PDF-1.4 label", content_type="application/pdf"),
        SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html"),
    ]

    response = as_ana.post(url("conversation-reply", conversation), {"body": "Label attached", "attachments": files})

    assert response.status_code == 303
    message = conversation.messages.get()
    stored = {a.filename: a for a in message.attachments.all()}
    assert sorted(stored) == ["label.pdf", "page.html"]
    assert stored["label.pdf"].size == len(b"%PDF-1.4 label")
    pdf = as_ana.get(url("conversation-attachment", conversation, stored["label.pdf"].pk))
    assert (pdf.status_code, b"".join(pdf.streaming_content)) == (200, b"%PDF-1.4 label")
    assert pdf["Content-Type"] == "application/pdf"
    html = as_ana.get(url("conversation-attachment", conversation, stored["page.html"].pk))
    assert html["Content-Type"] == "application/octet-stream"
    assert html["Content-Disposition"].startswith("attachment;")
    assert html["X-Content-Type-Options"] == "nosniff"
    page = as_ana.get(url("conversation", conversation)).content.decode()
    assert f'href="/c/{conversation.pk}/attachments/{stored["label.pdf"].pk}"' in page

    client.force_login(gus)
    assert client.get(url("conversation-attachment", conversation, stored["label.pdf"].pk)).status_code == 404


def test_it_refuses_an_attachment_of_another_conversation(as_ana, acme, carla, conversation):
    other = ConversationFactory(store=acme, customer=carla)
    message = MessageFactory(conversation=other)
    attachment = Attachment.objects.create(message=message, file="attachments/a.txt", filename="a.txt")

    response = as_ana.get(url("conversation-attachment", conversation, attachment.pk))

    assert response.status_code == 404


def test_it_records_and_notifies_mentioned_agents_in_a_note(client, as_ana, acme, ana, ben, leo, gus, conversation):
    response = as_ana.post(
        url("conversation-note", conversation),
        {"body": "@Ben Agent can you check? cc @leo and @gus", "mode": "note"},
        **HTMX,
    )

    assert response.status_code == 200
    note = conversation.messages.get()
    assert (note.direction, note.metadata) == ("note", {"mentions": [ben.pk, leo.pk]})
    notifications = Notification.objects.order_by("recipient_id")
    assert [(n.recipient_id, n.actor_id, n.kind, n.conversation_id, n.message_id) for n in notifications] == [
        (ben.pk, ana.pk, "mention", conversation.pk, note.pk),
        (leo.pk, ana.pk, "mention", conversation.pk, note.pk),
    ]
    assert not Notification.objects.filter(recipient=gus).exists()
    page = as_ana.get(url("conversation", conversation)).content.decode()
    assert "Mentioned: @Ben Agent, @Leo Lead" in page

    client.force_login(ben)
    badge = client.get(reverse("notifications-badge"))
    listed = client.get(reverse("notifications"))
    opened = client.post(
        reverse("notifications-read"), {"id": notifications.get(recipient=ben).pk, "conversation": conversation.pk}
    )

    assert '<span class="bell-count" data-testid="unread-count">1</span>' in badge.content.decode()
    assert "can you check?" in listed.content.decode()
    assert (opened.status_code, opened["Location"]) == (303, f"/c/{conversation.pk}/")
    assert Notification.objects.get(recipient=ben).read_at is not None
    assert Notification.objects.get(recipient=leo).read_at is None
    assert "bell-count" not in client.get(reverse("notifications-badge")).content.decode()


def test_it_does_not_notify_the_author_who_mentions_themselves(as_ana, ana, conversation):
    as_ana.post(url("conversation-note", conversation), {"body": "Reminder for @Ana Agent"}, **HTMX)

    assert conversation.messages.get().metadata == {"mentions": [ana.pk]}
    assert Notification.objects.count() == 0


def test_it_stores_a_note_with_an_attachment(as_ana, conversation):
    upload = SimpleUploadedFile("photo.png", b"\x89PNG....", content_type="image/png")

    as_ana.post(url("conversation-note", conversation), {"body": "Photo from the customer", "attachments": upload})

    note = conversation.messages.get()
    assert note.direction == "note"
    assert [a.filename for a in note.attachments.all()] == ["photo.png"]


# --- macros --------------------------------------------------------------------------------


def test_it_fills_a_macros_variables_into_the_composer_without_sending(as_ana, acme, conversation):
    macro = MacroFactory(store=acme, name="Thanks")

    response = as_ana.post(url("conversation-macro-preview", conversation), {"macro": macro.pk, "body": ""}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert ">Hi Carla, thanks for writing to Acme Outfitters. — Ana</textarea>" in html
    assert f'<input type="hidden" name="macro_id" value="{macro.pk}">' in html
    assert conversation.messages.count() == 0
    macro.refresh_from_db()
    assert macro.usage_count == 0


def test_it_appends_the_macro_to_a_draft_and_works_without_javascript(as_ana, acme, conversation):
    macro = MacroFactory(store=acme, name="Sign-off", body="Best, {{ agent.first_name }}")

    response = as_ana.post(url("conversation-macro-preview", conversation), {"macro": macro.pk, "body": "Hello Carla,"})

    assert response.status_code == 200
    assert "Hello Carla,\n\nBest, Ana</textarea>" in response.content.decode()
    assert conversation.messages.count() == 0


def test_it_refuses_a_macro_of_another_store(as_ana, globex, conversation):
    macro = MacroFactory(store=globex, body="Globex secret {{ store.name }}")

    response = as_ana.post(url("conversation-macro-preview", conversation), {"macro": macro.pk}, **HTMX)

    assert response.status_code == 404
    assert "Globex" not in response.content.decode()


def test_it_sends_the_edited_macro_and_runs_its_actions(as_ana, acme, conversation):
    macro = MacroFactory(store=acme, name="Refund", actions={"add_tags": ["refund"], "status": "pending"})

    response = as_ana.post(
        url("conversation-reply", conversation),
        {"body": "Hi Carla, your refund is on its way (edited).", "macro_id": macro.pk},
        **HTMX,
    )

    assert response.status_code == 200
    conversation.refresh_from_db()
    message = conversation.messages.get()
    assert (message.body_text, message.metadata) == (
        "Hi Carla, your refund is on its way (edited).",
        {"macro_id": macro.pk},
    )
    assert conversation.status == Status.PENDING
    assert list(conversation.tags.values_list("name", flat=True)) == ["refund"]
    macro.refresh_from_db()
    assert macro.usage_count == 1


# --- header actions ---------------------------------------------------------------------------


def test_it_assigns_to_an_agent_to_me_and_unassigns(as_ana, ana, ben, conversation):
    response = as_ana.post(url("conversation-assign", conversation), {"assignee": ben.pk}, **HTMX)
    assert response.status_code == 200
    assert 'id="conv-header"' in response.content.decode()
    assert "Ben Agent" in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.assignee == ben

    as_ana.post(url("conversation-assign", conversation), {"assignee": "me"}, **HTMX)
    conversation.refresh_from_db()
    assert conversation.assignee == ana

    as_ana.post(url("conversation-assign", conversation), {"assignee": ""})
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_it_assigns_a_team_of_the_store_only(as_ana, acme, globex, conversation):
    returns = TeamFactory(store=acme, name="Returns")
    theirs = TeamFactory(store=globex, name="Globex team")

    as_ana.post(url("conversation-assign", conversation), {"assignee": "", "team": returns.pk}, **HTMX)
    conversation.refresh_from_db()
    assert conversation.team == returns

    before = snapshot(conversation)
    refused = as_ana.post(url("conversation-assign", conversation), {"assignee": "", "team": theirs.pk}, **HTMX)
    assert refused.status_code == 404
    assert snapshot(conversation) == before


def test_it_refuses_to_assign_an_agent_of_another_store(as_ana, gus, conversation):
    before = snapshot(conversation)

    response = as_ana.post(url("conversation-assign", conversation), {"assignee": gus.pk}, **HTMX)

    assert response.status_code == 400
    assert "That agent is not a member of this store." in response.content.decode()
    assert "gus@globex.test" not in response.content.decode()
    assert snapshot(conversation) == before


def test_it_resolves_and_reopens(as_ana, conversation):
    as_ana.post(url("conversation-status", conversation), {"status": "resolved"}, **HTMX)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.resolved_at is not None) == ("resolved", True)

    response = as_ana.post(url("conversation-status", conversation), {"status": "open"}, **HTMX)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.resolved_at) == ("open", None)
    assert 'data-testid="resolve"' in response.content.decode()


def test_it_refuses_an_unknown_status(as_ana, conversation):
    before = snapshot(conversation)

    response = as_ana.post(url("conversation-status", conversation), {"status": "archived"}, **HTMX)

    assert response.status_code == 400
    assert snapshot(conversation) == before


def test_it_snoozes_with_a_preset_and_with_a_time(as_ana, acme, conversation):
    as_ana.post(url("conversation-snooze", conversation), {"preset": "4h"}, **HTMX)
    conversation.refresh_from_db()
    assert conversation.status == "snoozed"
    assert timedelta(hours=3, minutes=59) < conversation.snoozed_until - timezone.now() <= timedelta(hours=4)

    later = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    as_ana.post(url("conversation-snooze", conversation), {"until": later.strftime("%Y-%m-%dT%H:%M")}, **HTMX)
    conversation.refresh_from_db()
    assert conversation.snoozed_until == later  # read in the store's time zone (UTC here)


def test_it_refuses_a_snooze_in_the_past(as_ana, conversation):
    before = snapshot(conversation)
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    response = as_ana.post(url("conversation-snooze", conversation), {"until": past}, **HTMX)

    assert response.status_code == 400
    assert "Snooze time must be in the future." in response.content.decode()
    assert snapshot(conversation) == before


def test_it_sets_the_priority(as_ana, conversation):
    response = as_ana.post(url("conversation-priority", conversation), {"priority": "3"}, **HTMX)

    conversation.refresh_from_db()
    assert conversation.priority == 3
    assert 'data-testid="conv-priority">Urgent</span>' in response.content.decode()


def test_it_adds_and_removes_tags(as_ana, acme, conversation):
    as_ana.post(url("conversation-tags", conversation), {"add": "shipping, damaged"}, **HTMX)
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["damaged", "shipping"]

    response = as_ana.post(url("conversation-tags", conversation), {"remove": "damaged"}, **HTMX)

    assert list(conversation.tags.values_list("name", flat=True)) == ["shipping"]
    assert "Remove tag shipping" in response.content.decode()


def test_it_merges_another_conversation_into_this_one(as_ana, acme, carla, conversation):
    MessageFactory(conversation=conversation, body_text="Chat message")
    email = ConversationFactory(store=acme, customer=carla, channel=Channel.EMAIL)
    MessageFactory(conversation=email, body_text="Email message")

    response = as_ana.post(url("conversation-merge", conversation), {"other": email.pk}, **HTMX)

    assert (response.status_code, response["HX-Redirect"]) == (204, f"/c/{conversation.pk}/")
    email.refresh_from_db()
    assert email.merged_into == conversation
    assert sorted(text for _, text in messages_of(conversation)) == ["Chat message", "Email message"]


def test_it_merges_this_conversation_into_another(as_ana, acme, carla, conversation):
    other = ConversationFactory(store=acme, customer=carla)

    response = as_ana.post(url("conversation-merge", conversation), {"other": other.pk, "direction": "into_other"})

    assert (response.status_code, response["Location"]) == (303, f"/c/{other.pk}/")
    conversation.refresh_from_db()
    assert conversation.merged_into == other


def test_it_refuses_to_merge_with_another_stores_conversation(as_ana, globex, conversation):
    theirs = ConversationFactory(store=globex)
    before, theirs_before = snapshot(conversation), snapshot(theirs)

    response = as_ana.post(url("conversation-merge", conversation), {"other": theirs.pk}, **HTMX)

    assert response.status_code == 404
    assert response["HX-Retarget"] == "#flash"
    assert snapshot(conversation) == before
    assert snapshot(theirs) == theirs_before


def test_it_edits_the_customers_notes_and_vip_flag(as_ana, carla, conversation):
    response = as_ana.post(
        url("conversation-customer-notes", conversation),
        {"notes": "Prefers a direct approach.", "vip_shown": "1", "vip": "on"},
        **HTMX,
    )

    assert response.status_code == 200
    assert 'id="customer"' in response.content.decode()
    carla.refresh_from_db()
    assert (carla.notes, carla.vip) == ("Prefers a direct approach.", True)


# --- scoping and permissions -------------------------------------------------------------------

POSTS = [
    ("conversation-reply", {"body": "Hello from outside"}),
    ("conversation-note", {"body": "Note from outside"}),
    ("conversation-macro-preview", {"macro": "1"}),
    ("conversation-assign", {"assignee": "me"}),
    ("conversation-status", {"status": "resolved"}),
    ("conversation-snooze", {"preset": "1h"}),
    ("conversation-priority", {"priority": "3"}),
    ("conversation-tags", {"add": "hacked"}),
    ("conversation-merge", {"other": "1"}),
    ("conversation-customer-notes", {"notes": "hacked", "vip_shown": "1", "vip": "on"}),
]


@pytest.mark.parametrize(("name", "data"), POSTS, ids=[name for name, _ in POSTS])
def test_it_answers_404_to_every_action_on_another_stores_conversation(client, gus, conversation, name, data):
    before = snapshot(conversation)
    client.force_login(gus)

    plain = client.post(url(name, conversation), data)
    htmx = client.post(url(name, conversation), data, **HTMX)

    assert (plain.status_code, htmx.status_code) == (404, 404)
    assert snapshot(conversation) == before


@pytest.mark.parametrize(
    ("name", "data", "permission"),
    [
        ("conversation-reply", {"body": "Hi"}, "conversation.reply"),
        ("conversation-note", {"body": "Hi"}, "conversation.note"),
        ("conversation-assign", {"assignee": "me"}, "conversation.assign"),
        ("conversation-status", {"status": "resolved"}, "conversation.status"),
        ("conversation-tags", {"add": "x"}, "conversation.tag"),
        ("conversation-merge", {"other": "OTHER"}, "conversation.merge"),
        ("conversation-customer-notes", {"notes": "x"}, "customer.edit"),
    ],
)
def test_it_shows_a_permission_refusal_and_changes_nothing(
    monkeypatch, as_ana, acme, carla, conversation, name, data, permission
):
    other = ConversationFactory(store=acme, customer=carla)
    data = {k: (str(other.pk) if v == "OTHER" else v) for k, v in data.items()}
    monkeypatch.setitem(permissions.PERMISSIONS, permission, Role.LEAD)
    before, other_before = snapshot(conversation), snapshot(other)

    response = as_ana.post(url(name, conversation), data, **HTMX)

    assert response.status_code == 403
    assert f"Your role may not do this ({permission})." in response.content.decode()
    assert snapshot(conversation) == before
    assert snapshot(other) == other_before


def test_it_shows_the_other_customers_conversations_only_of_this_customer(as_ana, acme, carla, conversation):
    mine = ConversationFactory(store=acme, customer=carla, subject="Carla's return")
    stranger = ConversationFactory(store=acme, customer=CustomerFactory(store=acme), subject="Stranger's return")

    sidebar = as_ana.get(url("conversation-sidebar", conversation), **HTMX).content.decode()

    assert f"#{mine.pk} Carla&#x27;s return" in sidebar
    assert "Stranger" not in sidebar and stranger.subject not in sidebar
