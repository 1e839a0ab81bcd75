from django.apps import AppConfig


class LivechatConfig(AppConfig):
    name = "storedesk.channels.livechat"
    label = "livechat"
    verbose_name = "Live chat channel"

    def ready(self) -> None:
        from storedesk.channels import registry
        from storedesk.channels.livechat.sender import deliver_reply
        from storedesk.conversations.models import Channel

        registry.register_sender(Channel.CHAT, deliver_reply)
