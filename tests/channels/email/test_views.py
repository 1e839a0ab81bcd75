"""The "could not process" page: scoped to the agent's stores, shows the raw source, retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from storedesk.channels.email import actions
from storedesk.channels.email.models import Mailbox
from tests.channels.email.conftest import ingest, simple_email

pytestmark = pytest.mark.django_db

BROKEN = b"Subject: no sender\r\nMessage-ID: <nosender@x.test>\r\n\r\nWho am I?\r\n"


@pytest.fixture
def failed(acme):
    return ingest(acme, BROKEN)


def test_it_lists_mail_that_could_not_be_processed(client, ana, failed):
    client.force_login(ana)

    response = client.get("/email/mail/")

    assert response.status_code == 200
    assert [row.pk for row in response.context["rows"]] == [failed.pk]
    assert b"The email has no sender address" in response.content


def test_it_never_shows_another_stores_mail(client, gus, failed):
    client.force_login(gus)

    assert list(client.get("/email/mail/").context["rows"]) == []
    assert client.get(f"/email/mail/{failed.pk}/").status_code == 404
    assert client.get(f"/email/mail/{failed.pk}/raw").status_code == 404
    assert client.post(f"/email/mail/{failed.pk}/retry").status_code == 404
    failed.refresh_from_db()
    assert failed.attempts == 1


def test_it_shows_the_raw_source_and_offers_the_download(client, ana, failed):
    client.force_login(ana)

    page = client.get(f"/email/mail/{failed.pk}/")
    raw = client.get(f"/email/mail/{failed.pk}/raw")

    assert b"Who am I?" in page.content
    assert raw["Content-Type"] == "message/rfc822"
    assert raw.content == BROKEN


def test_it_retries_from_the_page(client, ana, acme):
    row = ingest(acme, simple_email(headers={"Precedence": "bulk"}))
    client.force_login(ana)

    response = client.post(f"/email/mail/{row.pk}/retry", {"accept_noise": "1"})

    row.refresh_from_db()
    assert row.status == "processed"
    assert response.status_code == 302
    assert response["Location"] == f"/c/{row.conversation_id}/"


def test_it_lists_with_a_constant_number_of_queries(client, ana, acme):
    client.force_login(ana)
    ingest(acme, BROKEN)
    with CaptureQueriesContext(connection) as few:
        client.get("/email/mail/")
    for n in range(5):
        ingest(acme, BROKEN.replace(b"nosender@", f"n{n}@".encode()))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/email/mail/")

    assert len(response.context["rows"]) == 6
    assert len(many) == len(few)


def test_it_alerts_on_a_mailbox_that_stopped_fetching(client, olivia, acme):
    mailbox = actions.do_save_mailbox(None, acme, kind="imap", address="support@acme.test", imap_host="imap.test")
    Mailbox.objects.filter(pk=mailbox.pk).update(last_success_at=timezone.now() - timedelta(hours=1))
    client.force_login(olivia)

    response = client.get("/email/mail/")

    assert [item.alert for item in response.context["health"]] == ["No successful fetch in the last 15 minutes."]
    assert b'data-testid="mailbox-alert"' in response.content
