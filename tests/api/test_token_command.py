"""`storedesk token create|list|revoke`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from storedesk.core.actions import authenticate_token, do_create_api_token, hash_token
from storedesk.core.models import ApiToken

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_creates_a_token_and_prints_only_the_token(ana):
    out, _ = run("create", "ana@acme.test", "--name", "zapier")

    raw = out.strip()
    assert out == raw + "\n"
    assert raw.startswith("sd_")
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix, token.key_hash) == (ana, "zapier", raw[:10], hash_token(raw))
    assert authenticate_token(raw) == ana


def test_it_names_a_token_default_when_no_name_is_given(ana):
    run("create", "ANA@acme.test")

    assert ApiToken.objects.get().name == "default"


def test_it_refuses_an_unknown_email_and_creates_nothing(ana):
    with pytest.raises(CommandError, match="No user with email nobody@acme.test"):
        run("create", "nobody@acme.test")

    assert not ApiToken.objects.exists()


def test_it_refuses_a_token_for_a_deactivated_agent(ana):
    ana.is_active = False
    ana.save(update_fields=["is_active"])

    with pytest.raises(CommandError, match="deactivated"):
        run("create", "ana@acme.test")

    assert not ApiToken.objects.exists()


def test_it_lists_a_users_tokens_without_their_secrets(ana, ben):
    active, raw = do_create_api_token(ana, "ci")
    revoked, _ = do_create_api_token(ana, "old laptop")
    revoked.revoked_at = timezone.now()
    revoked.save(update_fields=["revoked_at"])
    do_create_api_token(ben, "bens")

    out, _ = run("list", "ana@acme.test")

    lines = out.splitlines()
    assert lines[0].split() == ["PREFIX", "NAME", "CREATED", "LAST", "USED", "STATUS"]
    assert len(lines) == 3
    assert lines[1].startswith(active.prefix) and lines[1].endswith("active") and " ci " in lines[1]
    assert lines[2].startswith(revoked.prefix) and "revoked" in lines[2] and "old laptop" in lines[2]
    assert raw not in out
    assert "bens" not in out


def test_it_says_when_a_user_has_no_tokens(ana):
    out, err = run("list", "ana@acme.test")

    assert out == ""
    assert err.strip() == "ana@acme.test has no tokens."


def test_it_revokes_a_token_by_prefix(ana):
    token, raw = do_create_api_token(ana, "ci")

    out, _ = run("revoke", token.prefix)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert authenticate_token(raw) is None
    assert out.strip() == f"Revoked {token.prefix} (ci) of ana@acme.test."


def test_it_refuses_to_revoke_an_unknown_prefix(ana):
    token, _ = do_create_api_token(ana, "ci")

    with pytest.raises(CommandError, match="No active token with prefix sd_nope"):
        run("revoke", "sd_nope")

    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_refuses_to_guess_between_tokens_sharing_a_prefix(ana, ben):
    first, _ = do_create_api_token(ana, "a")
    second, _ = do_create_api_token(ben, "b")
    ApiToken.objects.filter(pk=second.pk).update(prefix=first.prefix)

    with pytest.raises(CommandError, match="More than one active token"):
        run("revoke", first.prefix)

    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_it_revokes_by_the_whole_token_when_prefixes_collide(ana, ben):
    first, raw = do_create_api_token(ana, "a")
    second, _ = do_create_api_token(ben, "b")
    ApiToken.objects.filter(pk=second.pk).update(prefix=first.prefix)

    run("revoke", raw)

    assert list(ApiToken.objects.filter(revoked_at__isnull=False)) == [first]


def test_it_needs_a_subcommand():
    with pytest.raises(CommandError):
        call_command("token")
