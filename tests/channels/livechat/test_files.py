"""Files in the chat: a visitor uploads over HTTP with their token (checked like email
attachments: the bytes decide the type), the file shows in both timelines, and the widget gets
signed links that only open that store's files."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from storedesk.channels.livechat import files
from storedesk.channels.livechat.actions import Page, do_open_session, do_visitor_message, message_payload
from storedesk.channels.livechat.models import Visitor
from storedesk.conversations.actions import NewAttachment, do_reply
from storedesk.conversations.models import Attachment, Channel, Conversation, Message
from storedesk.core.errors import ActionError

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64
HTML = b"<!doctype html><script>alert(1)</script>"
ORIGIN = "https://shop.acme.test"
CID = "cid-file-000001"


@pytest.fixture
def token(acme):
    visitor, token = do_open_session(acme, None, None, Page(url="https://shop.acme.test/p/1", title="Trail Runner 2"))
    return token


def post(client, token, *, name="photo.png", content=PNG, ctype="image/png", cid=CID, store="acme", origin=ORIGIN):
    data = {"token": token, "cid": cid, "file": SimpleUploadedFile(name, content, content_type=ctype)}
    return client.post(f"/chat/{store}/upload", data, headers={"Origin": origin})


def test_it_keeps_photos_and_pdfs_by_their_bytes_whatever_they_claim():
    assert files.prepare_upload("photo.txt", PNG, "text/plain") == NewAttachment("photo.txt", PNG, "image/png")
    assert files.prepare_upload("../../invoice.pdf", PDF, "").content_type == "application/pdf"
    assert files.prepare_upload("../../invoice.pdf", PDF, "").filename == "invoice.pdf"


@pytest.mark.parametrize(
    ("name", "content", "ctype", "code"),
    [
        ("page.png", HTML, "image/png", "unsupported_file"),  # HTML dressed as a photo
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", "unsupported_file"),
        ("setup.exe", b"MZ" + b"\x00" * 64, "application/octet-stream", "unsupported_file"),
        ("notes.txt", b"just text", "text/plain", "unsupported_file"),
        ("empty.png", b"", "image/png", "empty_file"),
        ("huge.png", PNG + b"\x00" * files.MAX_BYTES, "image/png", "file_too_large"),
    ],
)
def test_it_refuses_anything_but_a_photo_or_pdf_within_the_limit(name, content, ctype, code):
    with pytest.raises(ActionError) as refused:
        files.prepare_upload(name, content, ctype)
    assert refused.value.code == code


def test_it_stores_an_upload_once_as_the_visitors_chat_message(client, acme, token):
    first = post(client, token)
    again = post(client, token)  # the widget retried after a network error

    assert (first.status_code, again.status_code) == (201, 200)
    assert first["Access-Control-Allow-Origin"] == ORIGIN
    body = first.json()
    assert (body["type"], body["cid"], again.json()["id"]) == ("ack", CID, body["id"])
    message = Message.objects.select_related("conversation").get()
    assert (message.pk, message.direction, message.external_id, message.conversation.channel) == (
        body["id"],
        Message.Direction.INBOUND,
        f"livechat:{CID}",
        Channel.CHAT,
    )
    assert list(message.attachments.values_list("filename", "content_type", "size")) == [
        ("photo.png", "image/png", len(PNG))
    ]
    assert message.metadata == {"via": "livechat", "page_url": "https://shop.acme.test/p/1"}
    assert [(f["name"], f["type"], f["image"]) for f in body["message"]["files"]] == [("photo.png", "image/png", True)]


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"token": "forged"}, 403, "bad_token"),
        ({"store": "globex"}, 403, "bad_token"),  # acme's token on globex
        ({"cid": "x"}, 400, "invalid_message"),
        ({"name": "page.html", "content": HTML, "ctype": "text/html"}, 400, "unsupported_file"),
        ({"content": PNG + b"\x00" * files.MAX_BYTES}, 413, "file_too_large"),
    ],
)
def test_it_refuses_a_bad_upload_and_stores_nothing(client, acme, globex, token, kwargs, status, code):
    args = {"token": token, **kwargs}
    response = post(client, args.pop("token"), **args)

    assert (response.status_code, response.json()["error"]) == (status, code)
    assert (Message.objects.count(), Attachment.objects.count(), Conversation.objects.count()) == (0, 0, 0)


def test_it_refuses_an_upload_from_an_origin_the_store_does_not_allow(client, acme, token):
    acme.settings = {"livechat": {"allowed_origins": [ORIGIN]}}
    acme.save()

    response = post(client, token, origin="https://evil.test")

    assert response.status_code == 404
    assert "Access-Control-Allow-Origin" not in response
    assert Message.objects.count() == 0


def test_it_serves_a_file_by_its_signed_link_only(client, acme, token):
    message_id = post(client, token).json()["id"]
    attachment = Attachment.objects.get(message_id=message_id)
    link = files.file_link(acme.pk, attachment.pk)

    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert (response["Content-Type"], response["X-Content-Type-Options"], response["Content-Security-Policy"]) == (
        "image/png",
        "nosniff",
        "sandbox",
    )
    assert client.get(link.replace(link.split("/")[-2], "forged")).status_code == 404
    assert client.get(files.file_link(acme.pk + 1000, attachment.pk)).status_code == 404  # another store's id
    with time_machine.travel(timezone.now() + timedelta(seconds=files.LINK_MAX_AGE_S + 60)):
        assert client.get(link).status_code == 404


def test_it_gives_the_visitor_an_agents_attachment_as_a_download_link(acme, ana, token):
    visitor = Visitor.objects.get()
    message, _ = do_visitor_message(visitor, "cid-000000001", "Here is my order", Page())
    reply = do_reply(
        ana,
        message.conversation,
        body_text="Our returns form",
        attachments=[NewAttachment("returns.pdf", PDF, "application/pdf")],
    )

    payload = message_payload(Message.objects.get(pk=reply.pk))
    attachment = Attachment.objects.get(message=reply)
    assert payload["files"] == [
        {
            "name": "returns.pdf",
            "size": len(PDF),
            "type": "application/pdf",
            "image": False,
            "url": payload["files"][0]["url"],
        }
    ]
    assert files.read_link(payload["files"][0]["url"].split("/")[-2]) == (acme.pk, attachment.pk)


def test_it_limits_how_many_files_a_visitor_sends_in_a_while(client, acme, token, monkeypatch):
    monkeypatch.setattr(files, "MAX_UPLOADS", 2)

    statuses = [post(client, token, cid=f"cid-file-00000{n}").status_code for n in range(3)]

    assert statuses == [201, 201, 429]
    assert Attachment.objects.count() == 2
