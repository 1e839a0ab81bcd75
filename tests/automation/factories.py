"""Factories for business hours and SLA policies (the rest of the cast: tests/factories.py)."""

from __future__ import annotations

import factory

from storedesk.automation.models import AgentProfile, AgentStatus, BusinessHours, Shift, SlaPolicy, TimeBasis
from tests.factories import StoreFactory, UserFactory

WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class BusinessHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessHours

    store = factory.SubFactory(StoreFactory)
    name = "Business hours"
    timezone = "Europe/London"
    week = factory.LazyFunction(lambda: dict(WEEKDAYS_9_TO_5))
    holidays = factory.LazyFunction(list)


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Policy {n}")
    position = factory.Sequence(lambda n: n + 1)
    time_basis = TimeBasis.CALENDAR
    first_response_s = 3600


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile
        django_get_or_create = ("store", "user")

    store = factory.SubFactory(StoreFactory)
    user = factory.SubFactory(UserFactory)
    status = AgentStatus.ONLINE


class ShiftFactory(factory.django.DjangoModelFactory):
    """A shift; give store, user, starts_at and ends_at."""

    class Meta:
        model = Shift
