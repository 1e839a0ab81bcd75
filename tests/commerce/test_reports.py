"""The goodwill budget: given per kind and per agent, against the store's monthly budget."""

from __future__ import annotations

import pytest

from storedesk.commerce.remedies import RemedyRequest, do_decide_approval, do_request_remedy
from storedesk.commerce.reports import month_bounds, remedy_budget
from tests.commerce.factories import order_for

pytestmark = pytest.mark.django_db


def give(actor, order, kind, amount, key):
    return do_request_remedy(actor, order, RemedyRequest(kind=kind, amount=amount), idempotency_key=key).remedy


def test_it_sums_what_was_given_per_kind_and_per_authorising_agent(acme, ana, ben, leo, carla):
    acme.settings["remedy_budget_monthly"] = "500.00"
    give(ana, order_for(carla), "refund", 2000, "a1")
    give(ana, order_for(carla), "goodwill", 500, "a2")
    give(ben, order_for(carla), "discount_code", 1000, "b1")
    approved = give(ana, order_for(carla), "refund", 8000, "a3")  # a lead's authority covers it
    do_decide_approval(leo, approved.approval, approve=True)
    denied = give(ben, order_for(carla), "refund", 9000, "b2")
    do_decide_approval(leo, denied.approval, approve=False, reason="no")
    give(ana, order_for(carla, currency="EUR"), "refund", 700, "a4")  # awaiting: nothing given yet

    report = remedy_budget(acme)

    assert (report.currency, report.total, report.count) == ("USD", 11500, 4)
    assert report.by_kind == {"refund": 10000, "goodwill": 500, "discount_code": 1000}
    assert [(a.name, a.total, a.count) for a in report.by_agent] == [
        ("Leo Lead", 8000, 1),
        ("Ana Agent", 2500, 2),
        ("Ben Agent", 1000, 1),
    ]
    assert (report.budget, report.used_percent) == (50000, 23)
    assert report.other_currencies == {}


def test_it_uses_calendar_months_in_the_stores_time_zone(acme, time_machine):
    acme.timezone = "America/New_York"
    time_machine.move_to("2026-12-01T03:00:00Z", tick=False)  # still 30 November in New York

    since, until = month_bounds(acme)

    assert (since.isoformat(), until.isoformat()) == ("2026-11-01T00:00:00-04:00", "2026-12-01T00:00:00-05:00")
