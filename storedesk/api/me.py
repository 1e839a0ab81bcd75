"""/me: who the caller is, and their stores with their role in each."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from storedesk.api.auth import caller
from storedesk.core.models import Membership, Role

router = Router(tags=["me"])


class StoreRole(Schema):
    id: int
    slug: str
    name: str
    role: Role


class MeOut(Schema):
    id: int
    email: str
    name: str
    display_name: str
    stores: list[StoreRole]


@router.get("", response=MeOut)
def read_me(request: HttpRequest) -> dict[str, Any]:
    user = caller(request)
    memberships = Membership.objects.filter(user=user).select_related("store").order_by("store__name", "store_id")
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "display_name": user.display_name,
        "stores": [{"id": m.store.pk, "slug": m.store.slug, "name": m.store.name, "role": m.role} for m in memberships],
    }
