"""`storedesk ingest-email PATH… [--store SLUG] [--json]`."""

from __future__ import annotations

import io
import json
import mailbox
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from storedesk.__main__ import main
from storedesk.channels.email.models import InboundEmail
from storedesk.conversations.models import Message
from tests.channels.email.conftest import fixture_bytes, simple_email

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict[str, int]:
    out = io.StringIO()
    call_command("ingest_email", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a.eml").write_bytes(simple_email(message_id="<a@mail.test>"))
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "b.eml").write_bytes(simple_email(message_id="<b@mail.test>", subject="Returns"))
    (tmp_path / "nested" / "broken.eml").write_bytes(b"\x00\x01 not an email at all")
    (tmp_path / "nested" / "news.eml").write_bytes(fixture_bytes("newsletter.eml", n="1"))
    box = mailbox.mbox(str(tmp_path / "archive.mbox"))
    box.add(simple_email(message_id="<c@mail.test>", subject="Exchange"))
    box.add(simple_email(message_id="<a@mail.test>"))  # also in a.eml
    box.close()
    return tmp_path


def test_it_ingests_files_directories_and_mbox_archives(acme, folder):
    summary = run(str(folder), "--store", "acme")

    assert summary == {"received": 6, "created": 3, "duplicates": 1, "failed": 1, "ignored": 1}
    assert Message.objects.filter(store=acme).count() == 3
    assert InboundEmail.objects.filter(store=acme, status="failed").count() == 1


def test_it_counts_everything_as_duplicate_the_second_time(acme, folder):
    run(str(folder), "--store", "acme")

    assert run(str(folder), "--store", "acme") == {
        "received": 6,
        "created": 0,
        "duplicates": 6,
        "failed": 0,
        "ignored": 0,
    }
    assert Message.objects.count() == 3


def test_it_picks_the_only_store_without_store_option(acme, tmp_path):
    (tmp_path / "one.eml").write_bytes(simple_email())

    assert run(str(tmp_path / "one.eml"))["created"] == 1


def test_it_needs_a_store_when_there_are_several(acme, globex, tmp_path):
    (tmp_path / "one.eml").write_bytes(simple_email())

    with pytest.raises(CommandError, match="--store SLUG"):
        call_command("ingest_email", str(tmp_path / "one.eml"))
    with pytest.raises(CommandError, match="No store with slug 'nope'"):
        call_command("ingest_email", str(tmp_path / "one.eml"), "--store", "nope")
    assert InboundEmail.objects.count() == 0


def test_it_refuses_missing_paths(acme, tmp_path):
    with pytest.raises(CommandError, match="Not found"):
        call_command("ingest_email", str(tmp_path / "missing.eml"), "--store", "acme")


def test_it_prints_a_human_summary_without_json(acme, folder):
    out, err = io.StringIO(), io.StringIO()

    call_command("ingest_email", str(folder), "--store", "acme", stdout=out, stderr=err)

    assert out.getvalue().strip() == (
        "6 emails read into acme: 3 new, 1 duplicates, 1 ignored (noise), 1 could not be processed (kept for retry)."
    )
    assert "could not process" in err.getvalue()


def test_it_answers_to_the_dashed_name():
    with mock.patch("django.core.management.execute_from_command_line") as execute:
        main(["ingest-email", "mail.eml", "--json"])

    execute.assert_called_once_with(["storedesk", "ingest_email", "mail.eml", "--json"])


def test_it_commits_in_batches_and_a_bad_email_still_fails_alone(acme, folder):
    summary = run(str(folder), "--store", "acme", "--batch", "2")

    assert summary == {"received": 6, "created": 3, "duplicates": 1, "failed": 1, "ignored": 1}
    assert sorted(InboundEmail.objects.filter(store=acme).values_list("status", flat=True)) == [
        "failed",
        "ignored",
        "processed",
        "processed",
        "processed",
    ]


def test_it_imports_again_what_a_crashed_batch_left_out(acme, folder):
    """A crash in the second batch rolls that batch back; the rerun imports it exactly once."""
    from storedesk.channels.email import parse

    real = parse.parse_email
    calls = {"n": 0}

    def crash_on_third(raw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the process dies: not an error the command handles
        return real(raw)

    with mock.patch.object(parse, "parse_email", crash_on_third), pytest.raises(KeyboardInterrupt):
        run(str(folder), "--store", "acme", "--batch", "2")
    kept = InboundEmail.objects.filter(store=acme).count()

    summary = run(str(folder), "--store", "acme", "--batch", "2")

    assert kept == 2  # the first batch only
    assert summary["received"] == 6
    assert summary["duplicates"] == 3  # the first batch's two, and the mbox's copy of a.eml
    assert InboundEmail.objects.filter(store=acme).count() == 5
    assert Message.objects.filter(store=acme).count() == 3
    assert Message.objects.filter(store=acme).values("external_id").distinct().count() == 3


def test_it_gives_the_same_summary_one_by_one(acme, globex, folder):
    batched = run(str(folder), "--store", "acme")
    single = run(str(folder), "--store", "globex", "--one-by-one")

    assert single == batched == {"received": 6, "created": 3, "duplicates": 1, "failed": 1, "ignored": 1}
    assert Message.objects.filter(store=globex).count() == Message.objects.filter(store=acme).count() == 3
