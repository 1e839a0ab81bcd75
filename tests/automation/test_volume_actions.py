"""Imported contact history: leads import counts per channel and half hour; a repeat replaces
them; bad rows and agents are refused with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storedesk.automation.actions.volumes import do_import_contact_volume
from storedesk.automation.models import ContactVolume
from storedesk.core.errors import ActionError, PermissionDenied
from storedesk.core.models import AuditEvent

T = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)


def test_a_lead_imports_and_reimports_counts(acme, leo):
    assert do_import_contact_volume(leo, acme, [("chat", T, 4), ("email", T, 2)], source="old helpdesk") == 2
    assert do_import_contact_volume(leo, acme, [("chat", T, 5)]) == 1
    assert sorted(ContactVolume.objects.values_list("channel", "contacts")) == [("chat", 5), ("email", 2)]
    events = list(
        AuditEvent.objects.filter(verb="contact_volume.imported").order_by("id").values_list("after", flat=True)
    )
    assert [(e["intervals"], e["contacts"]) for e in events] == [(2, 6), (1, 5)]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("fax", T, 1), "Unknown channel"),
        (("chat", T.replace(minute=10), 1), "half hour"),
        (("chat", T, -1), "negative"),
    ],
)
def test_it_refuses_bad_rows(acme, leo, row, message):
    with pytest.raises(ActionError, match=message):
        do_import_contact_volume(leo, acme, [("chat", T, 1), row])
    assert not ContactVolume.objects.exists()


def test_an_agent_cannot_import(acme, ana):
    with pytest.raises(PermissionDenied):
        do_import_contact_volume(ana, acme, [("chat", T, 1)])
    assert not ContactVolume.objects.exists() and not AuditEvent.objects.exists()
