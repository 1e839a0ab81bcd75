"""Customer writers: create, resolve by identity, edit, merge."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import IntegrityError, transaction

from storedesk.conversations.models import Conversation, Customer, Identity, Message
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.events import CustomersMerged
from storedesk.core.models import Store, User
from storedesk.core.publish import publish
from storedesk.search import index as search_index


def normalize_identity(kind: str, value: str) -> str:
    value = value.strip()
    if kind == Identity.Kind.EMAIL:
        return value.lower()
    if kind in (Identity.Kind.PHONE, Identity.Kind.WHATSAPP):
        digits = "".join(ch for ch in value if ch.isdigit())
        return ("+" + digits) if value.startswith("+") or len(digits) > 10 else digits
    if kind in (Identity.Kind.TWITTER, Identity.Kind.INSTAGRAM):
        return value.lstrip("@").lower()
    return value


def _check_kind(kind: str) -> None:
    if kind not in Identity.Kind.values:
        raise ActionError(f"Unknown identity kind {kind!r}.", code="invalid_identity")


def do_create_customer(
    store: Store,
    *,
    name: str = "",
    identities: Iterable[tuple[str, str]] = (),
    actor: User | None = None,
) -> Customer:
    if actor is not None:
        check_permission(actor, store.pk, "customer.edit")
    identities = [(kind, normalize_identity(kind, value)) for kind, value in identities]
    for kind, _ in identities:
        _check_kind(kind)
    with transaction.atomic():
        taken = Identity.objects.filter(
            store=store, kind__in=[k for k, _ in identities], value__in=[v for _, v in identities]
        )
        for identity in taken:
            if (identity.kind, identity.value) in identities:
                raise ActionError(
                    f"{identity.kind} {identity.value} already belongs to a customer.", code="identity_taken"
                )
        customer = Customer.objects.create(store=store, name=name[:200])
        Identity.objects.bulk_create(
            [Identity(store=store, customer=customer, kind=kind, value=value) for kind, value in identities]
        )
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="customer.created",
            obj=customer,
            after={"name": customer.name, "identities": [f"{k}:{v}" for k, v in identities]},
        )
    return customer


def resolve_customer(store: Store, kind: str, value: str, *, name: str = "") -> tuple[Customer, bool]:
    """The customer behind an inbound identity, created if new. Returns (customer, created)."""
    _check_kind(kind)
    value = normalize_identity(kind, value)
    identity = Identity.objects.select_related("customer").filter(store=store, kind=kind, value=value).first()
    if identity is not None:
        return identity.customer, False
    try:
        return do_create_customer(store, name=name, identities=[(kind, value)]), True
    except (ActionError, IntegrityError):  # a concurrent delivery created it first
        identity = Identity.objects.select_related("customer").get(store=store, kind=kind, value=value)
        return identity.customer, False


def do_update_customer(
    actor: User | None,
    customer: Customer,
    *,
    name: str | None = None,
    notes: str | None = None,
    vip: bool | None = None,
    language: str | None = None,
) -> Customer:
    if actor is not None:
        check_permission(actor, customer.store_id, "customer.edit")
    changes = {
        k: v
        for k, v in {"name": name, "notes": notes, "vip": vip, "language": language}.items()
        if v is not None and getattr(customer, k) != v
    }
    if not changes:
        return customer
    with transaction.atomic():
        before = {k: getattr(customer, k) for k in changes}
        for k, v in changes.items():
            setattr(customer, k, v)
        customer.save(update_fields=list(changes))
        if "name" in changes:
            search_index.reindex_customer(customer)
        audit.record(
            store_id=customer.store_id, actor=actor, verb="customer.updated", obj=customer, before=before, after=changes
        )
    return customer


def do_add_identity(actor: User | None, customer: Customer, kind: str, value: str) -> Identity:
    if actor is not None:
        check_permission(actor, customer.store_id, "customer.edit")
    _check_kind(kind)
    value = normalize_identity(kind, value)
    with transaction.atomic():
        other = Identity.objects.filter(store_id=customer.store_id, kind=kind, value=value).first()
        if other is not None:
            if other.customer_id == customer.pk:
                return other
            raise ActionError(
                f"{kind} {value} belongs to another customer: merge the two instead.", code="identity_taken"
            )
        identity = Identity.objects.create(store_id=customer.store_id, customer=customer, kind=kind, value=value)
        search_index.reindex_customer(customer)
        audit.record(
            store_id=customer.store_id,
            actor=actor,
            verb="customer.identity_added",
            obj=customer,
            after={"identity": f"{kind}:{value}"},
        )
    return identity


def _move_orders(source: Customer, target: Customer) -> int:
    """Orders live in the optional commerce app; it moves them (0 when it is not installed)."""
    if not apps.is_installed("storedesk.commerce"):
        return 0
    from storedesk.commerce.actions import do_move_customer_orders  # commerce builds on conversations

    return do_move_customer_orders(source, target)


def do_merge_customers(actor: User | None, source: Customer, target: Customer, reason: str = "") -> Customer:
    """Move everything of `source` to `target` (identities, conversations, message authorship,
    notes, VIP flag); `source` stays as a tombstone pointing at `target`."""
    if source.store_id != target.store_id:
        raise NotFound("Customer not found.")
    if source.pk == target.pk:
        raise ActionError("A customer cannot be merged into itself.", code="merge_self")
    if actor is not None:
        check_permission(actor, source.store_id, "customer.merge")
    with transaction.atomic():
        locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
        source, target = locked[source.pk], locked[target.pk]
        if source.merged_into_id is not None:
            raise ActionError("That customer was already merged.", code="already_merged")
        moved_identities = Identity.objects.filter(customer=source).update(customer=target)
        moved_conversations = Conversation.objects.filter(customer=source).update(customer=target)
        Message.objects.filter(author_customer=source).update(author_customer=target)
        moved_orders = _move_orders(source, target)
        update = ["vip", "notes", "name"]
        target.vip = target.vip or source.vip
        if source.notes:
            target.notes = f"{target.notes}\n\n{source.notes}".strip()
        if not target.name:
            target.name = source.name
        target.save(update_fields=update)
        source.merged_into = target
        source.save(update_fields=["merged_into"])
        search_index.reindex_customer(target)
        audit.record(
            store_id=target.store_id,
            actor=actor,
            verb="customer.merged",
            obj=target,
            reason=reason,
            before={"source_id": source.pk},
            after={
                "identities_moved": moved_identities,
                "conversations_moved": moved_conversations,
                "orders_moved": moved_orders,
            },
        )
        publish(
            CustomersMerged(
                store_id=target.store_id, actor_id=actor.pk if actor else None, source_id=source.pk, target_id=target.pk
            )
        )
    return target
