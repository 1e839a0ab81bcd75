"""Factories for every domain row. Tests build data through these (or through actions)."""

from __future__ import annotations

import factory
from django.utils import timezone

from storedesk.conversations.models import Channel, Conversation, Customer, Identity, Macro, Message, Tag
from storedesk.core.models import Membership, Role, Store, Team, User
from storedesk.webhooks.models import WebhookEndpoint


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"store-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    support_email = factory.LazyAttribute(lambda o: f"support@{o.slug}.test")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@example.test")
    display_name = factory.Sequence(lambda n: f"Agent {n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    store = factory.SubFactory(StoreFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.AGENT


def agent_of(store: Store, role: str = Role.AGENT, **kwargs) -> User:
    user = UserFactory(**kwargs)
    MembershipFactory(store=store, user=user, role=role)
    return user


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    customer = factory.SubFactory(CustomerFactory)
    store = factory.SelfAttribute("customer.store")
    kind = Identity.Kind.EMAIL
    value = factory.Sequence(lambda n: f"customer{n}@mail.test")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("store", "name")

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    store = factory.SubFactory(StoreFactory)
    customer = factory.SubFactory(CustomerFactory, store=factory.SelfAttribute("..store"))
    channel = Channel.EMAIL
    subject = factory.Sequence(lambda n: f"Question {n}")
    last_message_at = factory.LazyFunction(timezone.now)
    last_customer_message_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    store = factory.SelfAttribute("conversation.store")
    direction = Message.Direction.INBOUND
    author_kind = Message.AuthorKind.CUSTOMER
    author_customer = factory.SelfAttribute("conversation.customer")
    body_text = factory.Sequence(lambda n: f"Message body {n}")


class MacroFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Macro

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Macro {n}")
    body = "Hi {{ customer.first_name }}, thanks for writing to {{ store.name }}. — {{ agent.first_name }}"


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    store = factory.SubFactory(StoreFactory)
    url = "http://127.0.0.1:9/hook"
    secret = "whsec-test"
