"""Specs for the SLA achievement report and the share of emails answered within 24 hours:
exact counts, scoped by store, one query each."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from storedesk.automation import actions, reports
from storedesk.conversations import actions as conv_actions
from tests.automation.factories import SlaPolicyFactory
from tests.factories import CustomerFactory, TeamFactory

NOW = timezone.now().replace(second=0, microsecond=0)
H = timedelta(hours=1)
M = timedelta(minutes=1)
DAY = timedelta(days=1)


@contextmanager
def at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        yield


def conversation(store, channel="email", when=NOW, **kwargs):
    with at(when):
        return conv_actions.do_create_conversation(
            store=store, customer=CustomerFactory(store=store), channel=channel, body_text="Hello", **kwargs
        )


@pytest.fixture
def history(acme, globex, ana, ben, gus):
    """Acme: three emails (answered in 1 h, answered in 30 h, never answered) and one chat
    answered within its 2-minute target; Globex: one email answered in 1 h."""
    SlaPolicyFactory(store=acme, name="Chat", channels=["chat"], first_response_s=120)
    support = TeamFactory(store=acme, name="Support")
    quick = conversation(acme, team=support)
    slow = conversation(acme, team=support)
    conversation(acme)  # never answered
    chat = conversation(acme, channel="chat")
    other = conversation(globex)
    conv_actions.do_assign(ana, quick, assignee=ana)
    conv_actions.do_assign(ben, slow, assignee=ben)
    with at(NOW + M):
        conv_actions.do_reply(ana, chat, body_text="Hi!")
    with at(NOW + H):
        conv_actions.do_reply(ana, quick, body_text="Done.")
        conv_actions.do_reply(gus, other, body_text="Done.")
    with at(NOW + 25 * H):
        actions.do_check_sla()  # flags `silent` (and `slow`, still unanswered) as breached
    with at(NOW + 30 * H):
        conv_actions.do_reply(ben, slow, body_text="Sorry, done.")
    return {"support": support}


def test_it_reports_achievement_by_channel(acme, history, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = reports.achievement([acme.pk], NOW - DAY, NOW + DAY, by="channel")
    assert [(r.key, r.conversations, r.first_response_met, r.first_response_missed) for r in rows] == [
        ("chat", 1, 1, 0),
        ("email", 3, 1, 2),
    ]
    assert [r.first_response_pct for r in rows] == [100.0, 33.3]
    assert [r.resolution_pct for r in rows] == [None, None]


def test_it_reports_achievement_by_team_and_agent(acme, ana, ben, history):
    by_team = reports.achievement([acme.pk], NOW - DAY, NOW + DAY, by="team")
    assert sorted((r.key or 0, r.first_response_met, r.first_response_missed) for r in by_team) == sorted(
        [(0, 1, 1), (history["support"].pk, 1, 1)]
    )
    by_agent = reports.achievement([acme.pk], NOW - DAY, NOW + DAY, by="agent")
    assert sorted((r.key or 0, r.first_response_met, r.first_response_missed) for r in by_agent) == sorted(
        [(0, 1, 1), (ana.pk, 1, 0), (ben.pk, 0, 1)]
    )


def test_it_reports_only_the_given_stores_and_period(acme, globex, history):
    assert reports.achievement([acme.pk], NOW + H, NOW + DAY) == []
    assert [(r.key, r.conversations) for r in reports.achievement([globex.pk], NOW - DAY, NOW + DAY)] == [("email", 1)]


def test_it_gives_the_share_of_emails_answered_within_24_hours(acme, history, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = reports.emails_answered_within([acme.pk], NOW - DAY, NOW + DAY, now=NOW + 30 * H)
    assert (result.answered_within, result.total, result.share) == (1, 3, 0.3333)


def test_it_leaves_out_emails_still_inside_their_24_hours(acme):
    waiting = conversation(acme)
    result = reports.emails_answered_within([acme.pk], NOW - DAY, NOW + DAY, now=NOW + 2 * H)
    assert (result.answered_within, result.total, result.share) == (0, 0, None)
    assert waiting.pk


def test_it_refuses_an_unknown_grouping(acme):
    with pytest.raises(ValueError, match="Group by one of"):
        reports.achievement([acme.pk], NOW, NOW + DAY, by="weather")
