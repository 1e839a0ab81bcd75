from storedesk.conversations import actions
from storedesk.conversations.models import Status
from storedesk.core.models import AuditEvent


def test_it_runs_the_basic_flow(acme, ana, leo, carla, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conv = actions.do_create_conversation(store=acme, customer=carla, channel="email", subject="Where?",
                                              body_text="Where is my order?")
        actions.do_assign(ana, conv, assignee=ana)
        msg = actions.do_reply(ana, conv, body_text="On its way!")
        actions.do_tag(ana, conv, add=["shipping"])
        actions.do_set_status(ana, conv, Status.RESOLVED)
    conv.refresh_from_db()
    assert conv.status == "resolved"
    assert conv.first_response_at == msg.created_at
    assert conv.message_count == 2
    assert list(AuditEvent.objects.filter(object_type="conversation").order_by("id").values_list("verb", flat=True)) == [
        "conversation.created", "conversation.assigned", "conversation.tagged", "conversation.status_changed"]
