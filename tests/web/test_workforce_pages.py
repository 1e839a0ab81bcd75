"""The workforce pages: the coverage chart for next week (required vs scheduled, understaffed
intervals highlighted, suggestions, backtest), the shift schedule that leads edit (HTMX) and
agents only read, store scoping, and constant query counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from storedesk.automation.models import Shift
from tests.automation.factories import ShiftFactory
from tests.factories import ConversationFactory

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # Wednesday; next week starts Monday 23 November
NEXT_MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def store(acme):
    acme.timezone = "Europe/London"
    acme.save()
    for week in range(3):  # three Mondays of 09:00–10:00 chats: 4 at 09:00, 1 at 09:30
        for minute in (0, 5, 10, 15, 40):
            created = datetime(2026, 10, 26, 9, minute, tzinfo=UTC) + timedelta(weeks=week)
            ConversationFactory(store=acme, channel="chat", created_at=created)
    return acme


def shift(store, user, start_h: float, end_h: float, day: int = 0) -> Shift:
    base = NEXT_MONDAY + timedelta(days=day)
    return ShiftFactory(
        store=store, user=user, starts_at=base + timedelta(hours=start_h), ends_at=base + timedelta(hours=end_h)
    )


def test_the_coverage_page_draws_next_week_with_understaffed_intervals(client, store, ana, ben):
    shift(store, ana, 9, 10)
    client.force_login(ana)
    response = client.get(reverse("workforce_coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="coverage-chart"' in html and "<svg" in html
    assert "Week of Mon 23 Nov 2026" in html
    plan = response.context["plan"]
    # 4 chats at 09:00 need 2 agents on the queue (Erlang C, 80 % in 60 s), 3 with 30 % shrinkage;
    # 1 chat at 09:30 needs 1, so 2.
    assert plan.required[18:20] == [3, 2]
    assert plan.scheduled[18:20] == [1, 1]
    assert html.count('class="short"') == 2
    assert "Mon 09:00: 3 required, 1 scheduled, 4.0 contacts forecast" in html
    assert [(r["day"], r["start"], r["end"], r["missing"]) for r in response.context["short"]] == [
        ("Mon 23 Nov", "09:00", "10:00", 2)
    ]
    assert 'data-testid="backtest"' in html and 'data-channel="chat"' in html
    assert 'data-testid="targets-form"' not in html  # agents do not edit targets


def test_it_plans_at_most_twelve_weeks_ahead(client, store, ana):
    client.force_login(ana)

    response = client.get(reverse("workforce_coverage") + f"?store={store.slug}&week=2099-01-01")

    # this Monday is 16 Nov 2026 (NEXT_MONDAY is the 23rd): the latest week is 12 after it
    assert response.context["monday"] == NEXT_MONDAY.date() + timedelta(weeks=11)
    assert response.context["next_week"] is None
    assert 'data-testid="next-week"' not in response.content.decode()


def test_a_lead_sees_suggestions_and_the_targets_form(client, store, leo, ana, ben):
    shift(store, ana, 9, 10)
    shift(store, ben, 10, 11)  # an hour late: moving it to 09:00 covers the busy hour
    client.force_login(leo)
    html = client.get(reverse("workforce_coverage")).content.decode()
    assert 'data-testid="targets-form"' in html
    assert (
        "Move <strong>Ben Agent</strong>'s Mon 10:00–11:00 to <strong>09:00–10:00</strong>: 2 fewer short half hours."
        in html
    )


@pytest.mark.parametrize("shifts", [2, 20])
def test_the_coverage_page_runs_a_constant_number_of_queries(client, store, ana, shifts, django_assert_num_queries):
    for n in range(shifts):
        shift(store, ana, 8 + (n % 10), 8.5 + (n % 10), day=n // 10)
    client.force_login(ana)
    # session, user, memberships, store; first contact (conversations, imports), arrivals
    # (conversations, imports), business hours; the week's shifts with agents; the store list.
    with django_assert_num_queries(11):
        assert client.get(reverse("workforce_coverage")).status_code == 200
    # The forecast is cached: session, user, memberships, store, business hours, shifts, store list.
    with django_assert_num_queries(7):
        assert client.get(reverse("workforce_coverage")).status_code == 200


def test_the_schedule_page_lists_the_week_and_only_leads_get_the_forms(client, store, leo, ana):
    shift(store, ana, 9, 17.5, day=1)
    client.force_login(ana)
    html = client.get(reverse("workforce_shifts")).content.decode()
    assert html.count('data-testid="shift-row"') == 1 and "Tue 24 Nov" in html and "17:30" in html
    assert 'data-testid="shift-form"' not in html and 'data-testid="copy-week"' not in html
    client.force_login(leo)
    html = client.get(reverse("workforce_shifts")).content.decode()
    assert 'data-testid="shift-form"' in html and 'data-testid="copy-week"' in html


def test_a_lead_adds_edits_and_deletes_a_shift_with_htmx(client, store, leo, ana, ben):
    client.force_login(leo)
    base = {"store": "acme", "week": "2026-11-23"}
    response = client.post(
        reverse("workforce_shift_save"),
        base | {"user": ana.pk, "day": "2026-11-24", "start": "22:00", "end": "06:00", "note": "night <b>"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="schedule"') and "night &lt;b&gt;" in html
    made = Shift.objects.get()
    assert (made.starts_at, made.ends_at) == (
        datetime(2026, 11, 24, 22, tzinfo=UTC),
        datetime(2026, 11, 25, 6, tzinfo=UTC),
    )
    form = client.get(reverse("workforce_shift_form"), base | {"shift": made.pk}, HTTP_HX_REQUEST="true")
    assert 'value="22:00"' in form.content.decode() and f'name="shift" value="{made.pk}"' in form.content.decode()
    client.post(
        reverse("workforce_shift_save"),
        base | {"shift": made.pk, "user": ben.pk, "day": "2026-11-24", "start": "08:00", "end": "16:00"},
    )
    made.refresh_from_db()
    assert (made.user_id, made.starts_at) == (ben.pk, datetime(2026, 11, 24, 8, tzinfo=UTC))
    response = client.post(reverse("workforce_shift_delete", args=[made.pk]), base)
    assert response.status_code == 302 and not Shift.objects.exists()


def test_an_error_is_shown_and_nothing_saved(client, store, leo, ana):
    client.force_login(leo)
    response = client.post(
        reverse("workforce_shift_save"),
        {"store": "acme", "week": "2026-11-23", "user": ana.pk, "day": "2026-11-24", "start": "09:15", "end": "17:00"},
        HTTP_HX_REQUEST="true",
    )
    assert "on the hour or half hour" in response.content.decode()
    assert not Shift.objects.exists()


def test_an_agent_cannot_change_the_schedule(client, store, ana, ben):
    theirs = shift(store, ben, 9, 17)
    client.force_login(ana)
    base = {"store": "acme", "week": "2026-11-23"}
    add = client.post(
        reverse("workforce_shift_save"), base | {"user": ana.pk, "day": "2026-11-24", "start": "09:00", "end": "17:00"}
    )
    delete = client.post(reverse("workforce_shift_delete", args=[theirs.pk]), base)
    copy = client.post(reverse("workforce_shift_copy"), base)
    form = client.get(reverse("workforce_shift_form"), base)
    targets = client.post(reverse("workforce_targets"), base | {"shrinkage_pct": "10"})
    assert [r.status_code for r in (add, delete, copy, form, targets)] == [403, 403, 403, 403, 403]
    assert list(Shift.objects.values_list("pk", flat=True)) == [theirs.pk]
    store.refresh_from_db()
    assert "workforce" not in store.settings


def test_another_store_is_not_found(client, store, gus, ana):
    theirs = shift(store, ana, 9, 17)
    client.force_login(gus)
    assert client.get(reverse("workforce_coverage"), {"store": "acme"}).status_code == 404
    assert client.get(reverse("workforce_shifts"), {"store": "acme"}).status_code == 404
    assert client.post(reverse("workforce_shift_delete", args=[theirs.pk]), {"store": "acme"}).status_code == 404
    # In his own store the shift does not exist either.
    assert client.post(reverse("workforce_shift_delete", args=[theirs.pk]), {"store": "globex"}).status_code in (
        403,
        404,
    )
    assert Shift.objects.count() == 1


def test_a_lead_copies_last_week_and_saves_targets(client, store, leo, ana):
    ShiftFactory(
        store=store,
        user=ana,
        starts_at=datetime(2026, 11, 16, 9, tzinfo=UTC),
        ends_at=datetime(2026, 11, 16, 17, tzinfo=UTC),
    )
    client.force_login(leo)
    response = client.post(reverse("workforce_shift_copy"), {"store": "acme", "week": "2026-11-23"}, follow=True)
    assert "Copied 1 shift(s) from last week." in response.content.decode()
    assert Shift.objects.filter(starts_at=datetime(2026, 11, 23, 9, tzinfo=UTC)).count() == 1
    client.post(
        reverse("workforce_targets"),
        {
            "store": "acme",
            "week": "2026-11-23",
            "service_level_pct": "90",
            "target_s": "30",
            "max_occupancy_pct": "80",
            "shrinkage_pct": "20",
        },
    )
    store.refresh_from_db()
    assert store.settings["workforce"] == {
        "service_level": 0.9,
        "target_s": 30.0,
        "max_occupancy": 0.8,
        "shrinkage": 0.2,
    }
