from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    name = "storedesk.channels.email"
    label = "email_channel"
    verbose_name = "Email channel"

    def ready(self) -> None:
        from storedesk.channels import registry
        from storedesk.channels.email.tasks import enqueue_send
        from storedesk.conversations.models import Channel

        registry.register_sender(Channel.EMAIL, enqueue_send)
