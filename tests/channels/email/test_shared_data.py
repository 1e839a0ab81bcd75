"""Every email in ../shared/data/emails goes through the whole pipeline: nothing raises,
nothing is lost, and where upstream gives the expected reply text, we display exactly that."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from storedesk.channels.email import content
from storedesk.channels.email.models import InboundEmail
from tests.channels.email.conftest import ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def emails_dir(shared_dir) -> Path:
    return shared_dir / "data" / "emails"


def all_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_it_ingests_every_shared_email_without_losing_one(acme, emails_dir):
    files = all_files(emails_dir)
    assert len(files) == 87  # 22 reply-parser, 48 talon, 17 mail-parser files (SOURCES.md)

    rows = [ingest(acme, path.read_bytes()) for path in files]

    for path, row in zip(files, rows, strict=True):
        assert row.status in {"processed", "ignored", "failed", "duplicate"}, path
        assert bytes(row.raw) == path.read_bytes(), path  # the original bytes, kept whole
        if row.status == "failed":
            assert row.error, path
        if row.status == "processed":
            assert row.message is not None and row.conversation is not None, path
    assert InboundEmail.objects.filter(store=acme, status="received").count() == 0


def test_it_shows_the_reply_talon_expects_for_standard_client_replies(acme, emails_dir):
    folder = emails_dir / "talon" / "standard_replies"
    for path in sorted(folder.glob("*.eml")):
        expected_file = folder / (path.stem + "_reply_text")
        expected = expected_file.read_text().strip() if expected_file.exists() else "Hello"

        row = ingest(acme, path.read_bytes())

        assert row.status == "processed", (path.name, row.error)
        assert row.message.body_text == expected, path.name


def test_it_keeps_the_hidden_quotation_for_the_show_full_toggle(acme, emails_dir):
    row = ingest(acme, (emails_dir / "talon" / "standard_replies" / "gmail.eml").read_bytes())

    metadata = row.message.metadata
    assert row.message.body_text == "Hello"
    assert metadata["quoted_text"] == "On Mon, Apr 2, 2012 at 6:26 PM, Megan One <xxx@gmail.com> wrote:\n\n> Hi"
    assert metadata["full_text"].startswith("Hello\n\nOn Mon, Apr 2, 2012")


@pytest.mark.parametrize(
    "name",
    [
        "gmail.html",
        "hotmail.html",
        "mail_ru.html",
        "ms_outlook_2003.html",
        "ms_outlook_2007.html",
        "ms_outlook_2010.html",
        "thunderbird.html",
        "windows_mail.html",
        "yandex_ru.html",
    ],
)
def test_it_cuts_the_quotation_from_html_replies_of_every_client(emails_dir, name):
    html = (emails_dir / "talon" / "html_replies" / name).read_text(encoding="utf-8", errors="replace")

    split = content.split_html(html)

    assert " ".join(split.reply_text.split()) == "Hi. I am fine. Thanks, Alex"
    reply_html_text = " ".join(content.split_html(split.reply_html).full_text.split())
    assert reply_html_text == "Hi. I am fine. Thanks, Alex"
    assert "Hello! How are you?" in split.quoted_text


def test_it_cuts_html_replies_separated_by_a_rule_or_an_outlook_section(emails_dir):
    talon = emails_dir / "talon"

    assert " ".join(content.split_html((talon / "reply-separated-by-hr.html").read_text()).reply_text.split()) == (
        "Hi there Bob"
    )
    assert content.split_html((talon / "OLK_SRC_BODY_SECTION.html").read_text()).reply_text == "Reply"


def test_it_finds_the_reply_when_quotation_shares_a_block(acme, emails_dir):
    row = ingest(acme, (emails_dir / "talon" / "reply-quotations-share-block.eml").read_bytes())

    assert row.message.body_text.startswith("Hi Katharine.")
    assert row.message.body_text.endswith("Joe XXX")
    assert "New Booking Inquiry" in row.message.metadata["quoted_text"]


@pytest.mark.parametrize("name", ["camel_case", "jeff", "johndoeexamplecom", "long", "short_url", "sparse"])
def test_it_finds_the_signature_talon_expects(emails_dir, name):
    folder = emails_dir / "talon" / "signature" / "emails" / "stripped"
    body = (folder / f"{name}_body").read_text()
    sender = (folder / f"{name}_sender").read_text().strip()
    signature_file = folder / f"{name}_signature"
    expected = signature_file.read_text().strip() if signature_file.exists() else ""

    text, signature = content.split_signature(body, sender)

    assert signature == expected
    assert text == (body[: body.rindex(expected)].strip() if expected else body.strip())


def test_it_decodes_gb2312_headers_and_body(acme, emails_dir):
    row = ingest(acme, (emails_dir / "mail-parser" / "mail_test_12.eml").read_bytes())

    assert row.status == "processed"
    assert row.conversation.subject == "代开各地增值税发票"
    assert row.conversation.customer.name == "张先生"


def test_it_marks_the_outbound_message_a_dsn_returns_as_bounced(acme, emails_dir, carla):
    from tests.factories import ConversationFactory, MessageFactory

    conv = ConversationFactory(store=acme, customer=carla)
    sent = MessageFactory(
        conversation=conv,
        direction="outbound",
        author_kind="agent",
        author_customer=None,
        external_id="004801d1fc84$01c934ac$b247f0b7$@infospacemail.com",
        delivery_status="sent",
    )

    row = ingest(acme, (emails_dir / "mail-parser" / "mail_malformed_2.eml").read_bytes())

    sent.refresh_from_db()
    assert (row.status, row.noise, row.message_id) == ("ignored", "bounce", sent.pk)
    assert sent.delivery_status == "bounced"
    assert sent.delivery_error == "4.2.2"


def test_it_reads_the_reply_parser_fixtures_as_plain_bodies(emails_dir):
    folder = emails_dir / "email_reply_parser"
    expected = {
        "email_1_4.txt": "Awesome! I haven't had another problem with it.",
        "email_1_7.txt": ":+1:",
        "email_2_1.txt": "Outlook with a reply",
        "email_2_2.txt": "Outlook with a reply directly above line",
        "email_2_3.txt": "Outlook with a reply directly above line",
    }
    for name, reply in expected.items():
        assert content.split_quotation((folder / name).read_text()).reply == reply, name


def test_it_parses_every_talon_eml_body_as_the_client_sent_it(emails_dir):
    for path in sorted((emails_dir / "talon").rglob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert message.get_body(("plain", "html")) is not None, path.name
