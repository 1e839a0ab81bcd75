"""ESP inbound webhooks through django-anymail: `/email/inbound/<esp>/`.

anymail's own view for the ESP checks the request (Mailgun's HMAC signature, SES's SNS
signature, Resend's Svix signature, basic auth for ESPs without signing — configured in the
ANYMAIL setting) and turns the payload into an email; instead of sending anymail's signal,
we store each email raw for the webhook mailbox of its recipient. The answer is 200 only
after the email is stored, so the ESP retries anything we did not keep.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from storedesk.channels.email import actions
from storedesk.channels.email.models import InboundEmail, Mailbox
from storedesk.channels.email.smtp_receiver import base_address

log = logging.getLogger(__name__)

INBOUND_VIEWS = {
    "amazon_ses": "anymail.webhooks.amazon_ses.AmazonSESInboundWebhookView",
    "brevo": "anymail.webhooks.brevo.BrevoInboundWebhookView",
    "mailersend": "anymail.webhooks.mailersend.MailerSendInboundWebhookView",
    "mailgun": "anymail.webhooks.mailgun.MailgunInboundWebhookView",
    "mailjet": "anymail.webhooks.mailjet.MailjetInboundWebhookView",
    "mailtrap": "anymail.webhooks.mailtrap.MailtrapInboundWebhookView",
    "postal": "anymail.webhooks.postal.PostalInboundWebhookView",
    "postmark": "anymail.webhooks.postmark.PostmarkInboundWebhookView",
    "resend": "anymail.webhooks.resend.ResendInboundWebhookView",
    "sendgrid": "anymail.webhooks.sendgrid.SendGridInboundWebhookView",
    "sparkpost": "anymail.webhooks.sparkpost.SparkPostInboundWebhookView",
}


def recipients_of(message: Any) -> list[str]:
    """The envelope recipient if the ESP gave one, else the To and Cc addresses."""
    found = [message.envelope_recipient] if getattr(message, "envelope_recipient", None) else []
    for header in ("to", "cc"):
        found += [address.addr_spec for address in getattr(message, header, None) or []]
    return [address for address in found if address]


def store_inbound(message: Any) -> bool:
    """Store one parsed inbound email for the first webhook mailbox among its recipients."""
    for recipient in recipients_of(message):
        mailbox = (
            Mailbox.objects.select_related("store")
            .filter(kind=Mailbox.Kind.WEBHOOK, is_active=True, address=base_address(recipient))
            .first()
        )
        if mailbox is not None:
            actions.do_accept_raw_email(mailbox.store, message.as_bytes(), InboundEmail.Source.WEBHOOK, mailbox)
            return True
    return False


def _post(self: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    self.run_validators(request)  # signature / auth: a bad one answers 400 (SuspiciousOperation)
    unrouted = 0
    for event in self.parse_events(request):
        if event.message is not None and not store_inbound(event.message):
            unrouted += 1
            log.warning(
                "inbound %s email for %s matches no webhook mailbox", self.esp_name, recipients_of(event.message)
            )
    if unrouted:
        raise Http404("No webhook mailbox for this recipient.")
    return HttpResponse("stored")


_views: dict[str, Any] = {}


def view_for(esp: str) -> Any:
    if esp not in _views:
        base = import_string(INBOUND_VIEWS[esp])
        cls: Any = type(f"Storedesk{base.__name__}", (base,), {"post": _post})
        _views[esp] = cls.as_view()
    return _views[esp]


@csrf_exempt
def inbound(request: HttpRequest, esp: str) -> HttpResponse:
    if esp not in INBOUND_VIEWS:
        raise Http404("Unknown ESP.")
    response: HttpResponse = view_for(esp)(request)
    return response
