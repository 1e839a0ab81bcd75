"""Specs for macros: variables, editing before sending, actions, management."""

from __future__ import annotations

import pytest

from storedesk.conversations import actions
from storedesk.conversations.models import Macro
from storedesk.core.errors import ActionError, Conflict, PermissionDenied
from tests.factories import MacroFactory


@pytest.fixture
def conv(acme, carla):
    return actions.do_create_conversation(
        store=acme, customer=carla, channel="email", subject="Refund?", body_text="Can I get a refund?"
    )


def test_it_fills_the_variables(conv, ana):
    macro = MacroFactory(store=conv.store)
    assert actions.render_macro(macro, conv, ana) == "Hi Carla, thanks for writing to Acme Outfitters. — Ana"


def test_it_leaves_unknown_variables_empty_and_exposes_no_model_methods(conv, ana):
    macro = MacroFactory(store=conv.store, body="{{ customer.delete }}|{{ nope }}|{{ customer.email }}")
    assert actions.render_macro(macro, conv, ana) == "||carla@mail.test"
    assert conv.customer.__class__.objects.filter(pk=conv.customer_id).exists()


def test_it_sends_the_agents_edited_text_and_runs_the_macro_actions(conv, ana):
    macro = MacroFactory(store=conv.store, actions={"add_tags": ["refund"], "status": "pending"})
    message = actions.do_apply_macro(ana, conv, macro, body_text="Hi Carla, refund issued today.")
    conv.refresh_from_db()
    macro.refresh_from_db()
    assert (message.body_text, message.metadata) == ("Hi Carla, refund issued today.", {"macro_id": macro.pk})
    assert conv.status == "pending"
    assert list(conv.tags.values_list("name", flat=True)) == ["refund"]
    assert macro.usage_count == 1


def test_it_refuses_a_macro_of_another_store(conv, ana, globex):
    macro = MacroFactory(store=globex)
    with pytest.raises(ActionError, match="another store"):
        actions.do_apply_macro(ana, conv, macro)
    assert conv.messages.count() == 1


def test_it_lets_leads_manage_macros_and_validates_them(acme, leo, ana):
    macro = actions.do_save_macro(leo, acme, name="Thanks", body="Thanks {{ customer.first_name }}!")
    with pytest.raises(Conflict):
        actions.do_save_macro(leo, acme, name="Thanks", body="Again")
    with pytest.raises(ActionError, match="template error"):
        actions.do_save_macro(leo, acme, name="Broken", body="{% if %}")
    with pytest.raises(ActionError, match="Unknown macro actions"):
        actions.do_save_macro(leo, acme, name="Odd", body="x", actions={"refund": 10})
    with pytest.raises(PermissionDenied):
        actions.do_save_macro(ana, acme, name="Mine", body="x")
    assert list(Macro.objects.values_list("name", flat=True)) == ["Thanks"]
    actions.do_save_macro(leo, acme, name="Thank you", body="Thank you!", macro=macro)
    macro.refresh_from_db()
    assert (macro.name, macro.body) == ("Thank you", "Thank you!")
    actions.do_delete_macro(leo, macro)
    assert Macro.objects.count() == 0
