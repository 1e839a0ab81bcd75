"""What an inbound email says: any charset, broken headers, sanitised HTML, attachments
within limits and typed by their bytes, CC'd people kept, the sender resolved to a customer."""

from __future__ import annotations

import pytest

from storedesk.channels.email import parse
from storedesk.conversations.models import Customer, Identity
from tests.channels.email.conftest import fixture_bytes, ingest, simple_email

pytestmark = pytest.mark.django_db


def test_it_decodes_iso_2022_jp(acme):
    row = ingest(acme, fixture_bytes("iso_2022_jp.eml"))

    assert row.status == "processed"
    assert row.conversation.subject == "注文の配送について"
    assert row.conversation.customer.name == "山田 花子"
    assert row.message.body_text.startswith("お世話になっております。\n注文番号 1001 の商品がまだ届いていません。")


def test_it_decodes_gbk_text_labelled_as_gb2312(acme):
    row = ingest(acme, fixture_bytes("gbk_labelled_gb2312.eml"))

    assert row.conversation.subject == "退货申请 朱镕基"
    assert row.conversation.customer.name == "王伟"
    assert row.message.body_text == "你好，我想退货。朱镕基"


def test_it_survives_raw_8bit_headers_an_unknown_charset_and_a_bad_date(acme):
    raw = fixture_bytes("broken_headers.eml")

    row = ingest(acme, raw)

    assert row.status == "processed"
    assert row.message_id_key == parse.raw_key(raw)
    assert row.conversation.customer.name == "Zoë Müller"
    assert row.conversation.subject.startswith("Rückgabe meiner Bestellung")
    assert row.message.body_text == "Grüße! Ich möchte die Jacke zurückgeben."
    assert row.message.metadata["date"] is None


def test_it_stores_attachments_typed_by_their_bytes_with_safe_names(acme, settings):
    settings.EMAIL_MAX_ATTACHMENT_BYTES = 1024

    row = ingest(acme, fixture_bytes("attachments.eml"))

    attachments = {a.filename: a for a in row.message.attachments.all()}
    assert sorted(attachments) == ["box.png", "invoice.pdf", "photo.jpg"]
    box, invoice, photo = attachments["box.png"], attachments["invoice.pdf"], attachments["photo.jpg"]
    assert (box.content_type, box.inline, box.content_id) == ("image/png", True, "box-photo@mail.test")
    assert (invoice.content_type, invoice.inline) == ("application/pdf", False)
    assert photo.content_type == "application/octet-stream"  # HTML dressed up as a JPEG
    assert invoice.file.read().startswith(b"%PDF-1.4")
    assert row.message.metadata["skipped_attachments"] == [
        {"filename": "logs.bin", "size": 4096, "content_type": "application/zip", "reason": "larger than 1024 bytes"}
    ]
    assert 'src="cid:box-photo@mail.test"' in row.message.body_html


def test_it_sanitises_html(acme):
    raw = (
        b"From: carla@mail.test\r\nTo: support@acme.test\r\nSubject: html\r\nMessage-ID: <h@mail.test>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b'<p onclick="steal()">Hello <a href="javascript:alert(1)">there</a><script>alert(2)</script></p>'
    )

    row = ingest(acme, raw)

    assert row.message.body_html == '<p>Hello <a rel="noopener noreferrer">there</a></p>'
    assert row.message.body_text == "Hello there"


def test_it_keeps_the_people_in_cc(acme):
    raw = simple_email(headers={"Cc": '"Bob Partner" <bob@mail.test>, ops@acme.test'})

    row = ingest(acme, raw)

    assert row.message.metadata["cc"] == [
        {"name": "Bob Partner", "email": "bob@mail.test"},
        {"name": "", "email": "ops@acme.test"},
    ]
    assert row.message.metadata["to"] == ["support@acme.test"]


def test_it_resolves_the_sender_to_the_existing_customer_whatever_the_case(acme, carla):
    row = ingest(acme, simple_email(sender="CARLA <Carla@Mail.TEST>"))

    assert row.conversation.customer_id == carla.pk
    assert row.message.author_customer_id == carla.pk


def test_it_creates_a_customer_for_a_new_sender(acme):
    row = ingest(acme, simple_email(sender='"Last, First" <first.last@mail.test>'))

    customer = Customer.objects.get(pk=row.conversation.customer_id)
    assert customer.name == "Last, First"
    assert list(Identity.objects.filter(customer=customer).values_list("kind", "value")) == [
        ("email", "first.last@mail.test")
    ]


def test_it_shows_the_subject_when_the_body_is_empty(acme):
    row = ingest(acme, simple_email(subject="Call me back please", body=""))

    assert row.message.body_text == "Call me back please"
