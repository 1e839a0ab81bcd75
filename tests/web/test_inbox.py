"""The inbox page and its fragments: rows, views and filters, cursor pages, live row
re-renders, bulk changes (all or nothing), saved views, and a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from storedesk.conversations import queries
from storedesk.conversations.models import Conversation, Priority, SavedView, Status
from storedesk.core.models import AuditEvent, Role
from storedesk.core.permissions import PERMISSIONS
from storedesk.webhooks.models import WebhookDelivery
from tests.factories import (
    ConversationFactory,
    CustomerFactory,
    MembershipFactory,
    TagFactory,
    TeamFactory,
    WebhookEndpointFactory,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def signed_in(client, ana):
    client.force_login(ana)
    return client


def row_ids(response) -> list[int]:
    return [row.pk for row in response.context["page"].rows]


def test_it_requires_login_for_the_inbox(client, db):
    response = client.get(reverse("inbox"))

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/inbox/"


def test_it_shows_each_rows_customer_channel_subject_waiting_assignee_and_tags(signed_in, acme, ben, carla):
    conversation = ConversationFactory(
        store=acme,
        customer=carla,
        channel="chat",
        subject="Where is my parcel?",
        preview="It was due on Monday",
        assignee=ben,
        priority=Priority.URGENT,
        last_customer_message_at=NOW - timedelta(hours=3),
    )
    conversation.tags.add(TagFactory(store=acme, name="shipping", color="#0ea5e9"))

    response = signed_in.get(reverse("inbox"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/static/web/inbox.css">' in html
    assert '<script src="/static/web/live.js" defer></script>' in html
    assert '<script src="/static/web/keys.js" defer></script>' in html
    assert f'href="/c/{conversation.pk}/"' in html
    assert 'class="ch ch-chat"' in html
    assert "Carla Customer" in html
    assert "Where is my parcel?" in html
    assert "It was due on Monday" in html
    assert '<span class="prio prio-3">Urgent</span>' in html
    assert ">3h</time>" in html
    assert "Ben Agent" in html
    assert 'style="--tag: #0ea5e9">shipping</a>' in html
    assert response.context["counts"] == {"mine": 0, "unassigned": 0, "open": 1}


def test_it_escapes_everything_a_row_shows(signed_in, acme):
    customer = CustomerFactory(store=acme, name='Mal "<b>" Ory')
    conversation = ConversationFactory(
        store=acme, customer=customer, subject="<script>alert(1)</script>", preview="a & b <i>"
    )
    conversation.tags.add(TagFactory(store=acme, name='x"><img src=x>', color="red;b:url(//e)"))

    html = signed_in.get(reverse("inbox")).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Mal &quot;&lt;b&gt;&quot; Ory" in html
    assert "a &amp; b &lt;i&gt;" in html
    assert "<img src=x>" not in html
    assert 'href="?tag=x%22%3E%3Cimg%20src%3Dx%3E" style="--tag: #64748b">x&quot;&gt;&lt;img src=x&gt;</a>' in html


def test_it_opens_on_all_open_work_by_priority(signed_in, acme, carla):
    low = ConversationFactory(store=acme, customer=carla, priority=Priority.LOW)
    high = ConversationFactory(store=acme, customer=carla, priority=Priority.HIGH)
    ConversationFactory(store=acme, customer=carla, status=Status.RESOLVED)

    response = signed_in.get(reverse("inbox"))

    assert row_ids(response) == [high.pk, low.pk]
    assert (response.context["filters"].view, response.context["page"].sort.name) == ("open", "priority")


def test_it_applies_the_views_and_filters_from_the_query_string(signed_in, acme, ana, ben, carla):
    team = TeamFactory(store=acme, name="Returns")
    mine = ConversationFactory(store=acme, customer=carla, assignee=ana)
    teams = ConversationFactory(store=acme, customer=carla, assignee=ben, team=team, channel="sms")
    nobodys = ConversationFactory(store=acme, customer=carla)
    pending = ConversationFactory(store=acme, customer=carla, status=Status.PENDING)

    def listed(query: str) -> list[int]:
        return row_ids(signed_in.get(reverse("inbox") + query))

    assert listed("?view=mine") == [mine.pk]
    assert listed("?view=unassigned") == [nobodys.pk]
    assert listed(f"?team={team.pk}") == [teams.pk]
    assert listed("?channel=sms") == [teams.pk]
    assert listed("?status=pending") == [pending.pk]
    assert listed("?view=all&sort=activity") == [pending.pk, nobodys.pk, teams.pk, mine.pk]


def test_it_pages_with_a_cursor_and_no_offset(signed_in, acme, carla):
    conversations = ConversationFactory.create_batch(57, store=acme, customer=carla)
    expected = [c.pk for c in conversations]  # equal priority and waiting time: by id

    first = signed_in.get(reverse("inbox"))
    cursor = first.context["page"].next_cursor
    more = signed_in.get(reverse("inbox_rows") + f"?cursor={cursor}", **HTMX)

    assert row_ids(first) == expected[:50]
    assert f'hx-get="/inbox/rows?cursor={cursor}"' in first.content.decode()
    assert row_ids(more) == expected[50:]
    assert more.context["page"].next_cursor is None
    assert "Load more" not in more.content.decode()
    assert more.content.decode().count('data-testid="inbox-row"') == 7


def test_it_refreshes_the_list_from_the_top_with_the_counts_out_of_band(signed_in, acme, carla):
    conversation = ConversationFactory(store=acme, customer=carla)

    response = signed_in.get(reverse("inbox_rows"), **HTMX)

    html = response.content.decode()
    assert html.startswith('<div id="inbox-list" class="inbox-list">')
    assert f'data-id="{conversation.pk}"' in html
    assert '<span class="count" id="count-open" hx-swap-oob="true">1</span>' in html


def test_it_shows_capped_counts_past_the_cap(signed_in, acme, carla, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    ConversationFactory.create_batch(5, store=acme, customer=carla)

    response = signed_in.get(reverse("inbox"))

    assert response.context["counts"]["open"] == 4
    assert '<span class="count" id="count-open">3+</span>' in response.content.decode()


def test_it_reuses_the_counts_until_something_changes_in_the_store(
    signed_in, acme, ana, carla, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from storedesk.conversations import actions

    first = ConversationFactory(store=acme, customer=carla)
    ConversationFactory(store=acme, customer=carla)
    assert signed_in.get(reverse("inbox")).context["counts"] == {"mine": 0, "unassigned": 2, "open": 2}

    # Paging, sorting and filtering change nothing: the counts statement is not run again.
    with django_assert_num_queries(8):
        again = signed_in.get(reverse("inbox") + "?sort=waiting")
    assert again.context["counts"] == {"mine": 0, "unassigned": 2, "open": 2}

    with django_capture_on_commit_callbacks(execute=True):  # on commit, the store's stamp is replaced
        actions.do_assign(ana, first, assignee=ana)

    assert signed_in.get(reverse("inbox")).context["counts"] == {"mine": 1, "unassigned": 1, "open": 2}


def test_it_keeps_each_agents_counts_apart(client, acme, ana, ben, carla):
    ConversationFactory(store=acme, customer=carla, assignee=ben)

    client.force_login(ana)
    assert client.get(reverse("inbox")).context["counts"] == {"mine": 0, "unassigned": 0, "open": 1}
    client.force_login(ben)
    assert client.get(reverse("inbox")).context["counts"] == {"mine": 1, "unassigned": 0, "open": 1}


def test_it_counts_a_changed_store_again_after_the_timeout(signed_in, acme, carla, settings):
    # The in-memory cache, whose expiry follows the frozen clock (Redis expires keys itself).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ConversationFactory(store=acme, customer=carla)
    assert signed_in.get(reverse("inbox")).context["counts"]["open"] == 1
    ConversationFactory(store=acme, customer=carla)  # written without an action: no stamp change

    assert signed_in.get(reverse("inbox")).context["counts"]["open"] == 1
    with time_machine.travel(NOW + timedelta(seconds=queries.COUNTS_TIMEOUT + 1), tick=False):
        assert signed_in.get(reverse("inbox")).context["counts"]["open"] == 2


@pytest.mark.parametrize("count", [10, 200])
def test_it_renders_the_inbox_in_a_constant_number_of_queries(
    signed_in, acme, ana, ben, carla, count, django_assert_num_queries
):
    team = TeamFactory(store=acme)
    vip = TagFactory(store=acme, name="vip")
    for n in range(count):
        conversation = ConversationFactory(
            store=acme,
            customer=CustomerFactory(store=acme),
            assignee=[None, ana, ben][n % 3],
            team=team if n % 2 else None,
        )
        if n % 4 == 0:
            conversation.tags.add(vip)

    # session, user, memberships, stores, teams, saved views, counts (one statement; then
    # cached until the store changes), the page's rows (joined), their tags
    with django_assert_num_queries(9):
        response = signed_in.get(reverse("inbox"))

    assert response.status_code == 200
    assert len(response.context["page"].rows) == min(count, 50)


@pytest.mark.parametrize("count", [10, 200])
def test_it_renders_the_list_fragment_in_a_constant_number_of_queries(
    signed_in, acme, carla, count, django_assert_num_queries
):
    ConversationFactory.create_batch(count, store=acme, customer=carla)

    # session, user, memberships, rows, tags, counts
    with django_assert_num_queries(6):
        signed_in.get(reverse("inbox_rows"), **HTMX)


def test_it_never_shows_gus_acmes_conversations(client, acme, globex, gus, carla):
    acme_conversation = ConversationFactory(store=acme, customer=carla, subject="Acme secret refund")
    globex_conversation = ConversationFactory(store=globex, customer=CustomerFactory(store=globex, name="Gina"))
    client.force_login(gus)

    for query in ["", "?view=all", "?view=unassigned", f"?store={acme.pk}", "?status=open&sort=activity"]:
        response = client.get(reverse("inbox") + query)
        assert acme_conversation.pk not in row_ids(response)
        assert "Acme secret refund" not in response.content.decode()
    assert row_ids(client.get(reverse("inbox"))) == [globex_conversation.pk]
    row = client.get(reverse("inbox_row", args=[acme_conversation.pk]), **HTMX)
    assert (row.status_code, row.content) == (200, b"")


def test_it_re_renders_one_row_or_nothing_when_it_left_the_view(signed_in, acme, ben, carla):
    conversation = ConversationFactory(store=acme, customer=carla, subject="Refund please")
    url = reverse("inbox_row", args=[conversation.pk]) + "?view=unassigned"

    before = signed_in.get(url, **HTMX)
    Conversation.objects.filter(pk=conversation.pk).update(assignee=ben)
    after = signed_in.get(url, **HTMX)

    assert before.content.decode().startswith(f'<li class="row p1 is-waiting" data-row data-id="{conversation.pk}"')
    assert "Refund please" in before.content.decode()
    assert (after.status_code, after.content) == (200, b"")


def test_it_lists_the_agents_of_the_agents_stores_to_assign_to(signed_in, acme, globex, ana, ben, leo, gus):
    response = signed_in.get(reverse("inbox_assignees"))

    assert response.content.decode().split("\n")[0] == (
        f'<option value="{ben.pk}">Ben Agent</option><option value="{leo.pk}">Leo Lead</option>'
    )


# --- bulk changes ------------------------------------------------------------------------------


def bulk(client, ids, op, **extra):
    return client.post(reverse("inbox_bulk"), {"ids": [str(i) for i in ids], "op": op, **extra}, **HTMX)


def test_it_assigns_tags_and_resolves_in_bulk_through_the_actions(signed_in, acme, ana, ben, carla):
    one, two = ConversationFactory.create_batch(2, store=acme, customer=carla)

    assigned = bulk(signed_in, [one.pk, two.pk], "assign", assignee=str(ben.pk))
    tagged = bulk(signed_in, [one.pk, two.pk], "tag", tag="damaged")
    resolved = bulk(signed_in, [one.pk], "resolve", query="view=open")

    assert [r.status_code for r in (assigned, tagged, resolved)] == [200, 200, 200]
    assert "Assigned 2 conversations." in assigned.content.decode()
    assert "Tagged 2 conversations." in tagged.content.decode()
    assert "Resolved 1 conversation." in resolved.content.decode()
    assert row_ids(resolved) == [two.pk]  # the refreshed list of the same view
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.assignee, two.assignee) == (ben, ben)
    assert (one.status, two.status) == (Status.RESOLVED, Status.OPEN)
    assert sorted(one.tags.values_list("name", flat=True)) == ["damaged"]
    audit = AuditEvent.objects.filter(object_id=one.pk, object_type="conversation").order_by("id")
    verbs = list(audit.values_list("verb", "actor"))
    assert verbs == [
        ("conversation.assigned", ana.pk),
        ("conversation.tagged", ana.pk),
        ("conversation.status_changed", ana.pk),
    ]


def test_it_assigns_to_me_and_unassigns(signed_in, acme, ana, ben, carla):
    conversation = ConversationFactory(store=acme, customer=carla, assignee=ben)

    bulk(signed_in, [conversation.pk], "assign", assignee="me")
    conversation.refresh_from_db()
    assert conversation.assignee == ana
    bulk(signed_in, [conversation.pk], "assign", assignee="none")
    conversation.refresh_from_db()
    assert conversation.assignee is None


def snapshot():
    return (
        list(Conversation.objects.order_by("pk").values_list("pk", "status", "assignee_id")),
        AuditEvent.objects.count(),
        WebhookDelivery.objects.count(),
    )


def test_it_changes_nothing_when_the_role_may_not(signed_in, acme, carla, monkeypatch):
    monkeypatch.setitem(PERMISSIONS, "conversation.status", Role.LEAD)  # a store where agents may not resolve
    WebhookEndpointFactory(store=acme)
    conversations = ConversationFactory.create_batch(3, store=acme, customer=carla)
    before = snapshot()

    response = bulk(signed_in, [c.pk for c in conversations], "resolve")

    assert response.status_code == 403
    assert "Your role may not do this (conversation.status)." in response.content.decode()
    assert row_ids(response) == [c.pk for c in conversations]
    assert snapshot() == before


def test_it_changes_nothing_when_one_conversation_is_another_stores(client, acme, globex, gus, carla):
    ours = ConversationFactory(store=globex, customer=CustomerFactory(store=globex))
    theirs = ConversationFactory(store=acme, customer=carla)
    client.force_login(gus)
    before = snapshot()

    response = bulk(client, [ours.pk, theirs.pk], "resolve")

    assert response.status_code == 404
    assert "Some of these conversations were not found." in response.content.decode()
    assert snapshot() == before


def test_it_rolls_back_the_whole_batch_when_one_change_fails(client, acme, globex, ana, ben, carla):
    MembershipFactory(store=globex, user=ana, role=Role.AGENT)
    WebhookEndpointFactory(store=acme)
    acme_one = ConversationFactory(store=acme, customer=carla)
    globex_one = ConversationFactory(store=globex, customer=CustomerFactory(store=globex))
    client.force_login(ana)
    before = snapshot()

    # Ben works for Acme only: the Acme conversation is assigned first, then Globex's fails.
    response = bulk(client, [acme_one.pk, globex_one.pk], "assign", assignee=str(ben.pk))

    assert response.status_code == 400
    assert "ben@acme.test is not an active agent of this store." in response.content.decode()
    assert snapshot() == before


def test_it_refuses_an_unknown_assignee_or_an_empty_selection(signed_in, acme, gus, carla):
    conversation = ConversationFactory(store=acme, customer=carla)
    before = snapshot()

    stranger = bulk(signed_in, [conversation.pk], "assign", assignee=str(gus.pk))
    nothing = bulk(signed_in, [], "resolve")
    bogus = bulk(signed_in, [conversation.pk], "explode")

    assert [r.status_code for r in (stranger, nothing, bogus)] == [404, 400, 400]
    assert "That agent was not found." in stranger.content.decode()
    assert "Select at least one conversation." in nothing.content.decode()
    assert "Unknown bulk action" in bogus.content.decode()
    assert snapshot() == before


def test_it_redirects_back_to_the_same_view_without_javascript(signed_in, acme, carla):
    conversation = ConversationFactory(store=acme, customer=carla)

    response = signed_in.post(
        reverse("inbox_bulk"), {"ids": [str(conversation.pk)], "op": "resolve", "query": "view=mine&sort=waiting"}
    )
    page = signed_in.get(response["Location"])

    assert (response.status_code, response["Location"]) == (303, "/inbox/?view=mine&sort=waiting")
    assert "Resolved 1 conversation." in page.content.decode()


def test_it_refuses_a_bulk_get(signed_in):
    assert signed_in.get(reverse("inbox_bulk")).status_code == 405


# --- saved views --------------------------------------------------------------------------------


def test_it_saves_the_current_filters_as_a_view_and_lists_it(signed_in, acme, ana):
    response = signed_in.post(
        reverse("inbox_view_save"), {"name": "  Urgent   chats ", "query": "view=unassigned&channel=chat&cursor=x"}
    )

    view = SavedView.objects.get()
    assert (view.name, view.owner, view.store, view.shared) == ("Urgent chats", ana, acme, False)
    assert view.filters == {"store": str(acme.pk), "view": "unassigned", "channel": "chat"}
    assert response.status_code == 303
    assert response["Location"] == f"/inbox/?view=unassigned&store={acme.pk}&channel=chat&saved={view.pk}"
    page = signed_in.get(response["Location"])
    assert page.context["current_saved"] == view.pk
    assert "Urgent chats" in page.content.decode()


def test_it_shares_a_view_only_for_a_lead(client, acme, ana, leo):
    client.force_login(ana)
    refused = client.post(reverse("inbox_view_save"), {"name": "Team queue", "query": "", "shared": "on"}, follow=True)
    client.force_login(leo)
    client.post(reverse("inbox_view_save"), {"name": "Team queue", "query": "view=unassigned", "shared": "on"})
    client.force_login(ana)
    page = client.get(reverse("inbox"))

    assert "Your role may not do this (view.share)." in refused.content.decode()
    assert list(SavedView.objects.values_list("name", "owner__email", "shared")) == [
        ("Team queue", "leo@acme.test", True)
    ]
    assert [view.name for view, _ in page.context["saved_views"]] == ["Team queue"]


def test_it_deletes_only_views_the_agent_may_delete(client, acme, globex, ana, ben, gus):
    own = SavedView.objects.create(store=acme, owner=ana, name="Mine")
    bens_private = SavedView.objects.create(store=acme, owner=ben, name="Ben's")
    client.force_login(ana)

    client.post(reverse("inbox_view_delete", args=[own.pk]))
    refused = client.post(reverse("inbox_view_delete", args=[bens_private.pk]), follow=True)
    client.force_login(gus)
    client.post(reverse("inbox_view_delete", args=[bens_private.pk]))

    assert "View not found." in refused.content.decode()
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Ben's"]


def test_it_never_lists_another_agents_private_views_or_another_stores(client, acme, globex, ana, ben, gus):
    SavedView.objects.create(store=acme, owner=ben, name="Ben private")
    SavedView.objects.create(store=acme, owner=ben, name="Acme shared", shared=True)
    SavedView.objects.create(store=globex, owner=gus, name="Globex shared", shared=True)
    SavedView.objects.create(store=acme, owner=ana, name="Ana private")
    client.force_login(ana)

    page = client.get(reverse("inbox"))

    assert [view.name for view, _ in page.context["saved_views"]] == ["Acme shared", "Ana private"]
