"""/api/v1/me: the caller, their stores and roles."""

from __future__ import annotations

import pytest

from storedesk.core.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_it_describes_the_caller_and_their_stores(api_as, olivia, acme):
    response = api_as(olivia).get("/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": olivia.pk,
        "email": "olivia@acme.test",
        "name": "Olivia Owner",
        "display_name": "Olivia Owner",
        "stores": [{"id": acme.pk, "slug": "acme", "name": "Acme Outfitters", "role": "admin"}],
    }


def test_it_lists_every_store_with_its_role(api_as, leo, acme, globex):
    MembershipFactory(store=globex, user=leo, role=Role.AGENT)

    stores = api_as(leo).get("/me").json()["stores"]

    assert [(s["slug"], s["role"]) for s in stores] == [("acme", "lead"), ("globex", "agent")]


def test_it_shows_gus_only_globex(api_as, gus, acme, globex):
    stores = api_as(gus).get("/me").json()["stores"]

    assert [s["slug"] for s in stores] == ["globex"]
