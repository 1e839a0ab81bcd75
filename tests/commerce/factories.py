"""Factories for commerce rows. Money in minor units; the default order is $100.00 paid."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from storedesk.commerce.models import AuthorityRule, Fulfillment, Order, OrderLine, Refund
from tests.factories import CustomerFactory, StoreFactory


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    store = factory.SubFactory(StoreFactory)
    customer = factory.SubFactory(CustomerFactory, store=factory.SelfAttribute("..store"))
    provider = "demo"
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    name = factory.Sequence(lambda n: f"#{1001 + n}")
    number = factory.LazyAttribute(lambda o: o.name.lstrip("#").lower())
    email = factory.Sequence(lambda n: f"buyer{n}@mail.test")
    currency = "USD"
    subtotal = 9000
    tax = 500
    shipping = 500
    total = 10000
    paid = 10000
    financial_status = "paid"
    fulfillment_status = "unfulfilled"
    placed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    store = factory.SelfAttribute("order.store")
    external_id = factory.Sequence(lambda n: f"line-{n}")
    title = factory.Sequence(lambda n: f"Product {n}")
    quantity = 1
    unit_price = 4500
    discount = 0
    tax = 0
    total = factory.LazyAttribute(lambda o: o.unit_price * o.quantity - o.discount + o.tax)


class FulfillmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fulfillment

    order = factory.SubFactory(OrderFactory)
    store = factory.SelfAttribute("order.store")
    external_id = factory.Sequence(lambda n: f"ful-{n}")
    status = Fulfillment.Status.IN_TRANSIT
    carrier = "UPS"
    tracking_number = factory.Sequence(lambda n: f"1Z{n:010d}")
    tracking_url = factory.LazyAttribute(lambda o: f"https://www.ups.com/track?tracknum={o.tracking_number}")
    shipped_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Refund

    order = factory.SubFactory(OrderFactory)
    store = factory.SelfAttribute("order.store")
    external_id = factory.Sequence(lambda n: f"ref-{n}")
    amount = 1000
    currency = factory.SelfAttribute("order.currency")


class AuthorityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorityRule

    store = factory.SubFactory(StoreFactory)
    kind = "refund"
    allowed = True


def order_for(customer, *, lines: int = 2, **kwargs) -> Order:
    """An order of `customer` with `lines` lines of $45.00 each (+ $5 tax, $5 shipping = $100)."""
    order = OrderFactory(store=customer.store, customer=customer, **kwargs)
    for _ in range(lines):
        OrderLineFactory(order=order)
    return order
