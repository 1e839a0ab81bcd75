"""The store-signed shopper identity and the visitor token, without a socket."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from storedesk.channels.livechat.identity import (
    ForgedIdentity,
    Shopper,
    issue_token,
    read_token,
    sign_identity,
    verify_identity,
)

SECRET = "s3cret-of-the-store"


def test_it_signs_user_id_and_email_as_documented():
    expected = hmac.new(SECRET.encode(), b"shop-42\ncarla@mail.test", hashlib.sha256).hexdigest()
    assert sign_identity(SECRET, "shop-42", "Carla@Mail.test ") == expected


def test_it_verifies_a_good_signature():
    data = {
        "user_id": "shop-42",
        "email": "carla@mail.test",
        "name": "Carla",
        "signature": sign_identity(SECRET, "shop-42", "carla@mail.test"),
    }
    assert verify_identity(SECRET, data) == Shopper(user_id="shop-42", email="carla@mail.test", name="Carla")


def test_it_verifies_an_email_only_identity():
    data = {"email": "carla@mail.test", "signature": sign_identity(SECRET, "", "carla@mail.test")}
    assert verify_identity(SECRET, data) == Shopper(user_id="", email="carla@mail.test", name="")


def test_it_returns_none_without_an_identity():
    assert verify_identity(SECRET, None) is None
    assert verify_identity(SECRET, {}) is None


@pytest.mark.parametrize(
    "data",
    [
        {"user_id": "shop-42", "signature": sign_identity("another-secret", "shop-42")},
        {"user_id": "shop-43", "signature": sign_identity(SECRET, "shop-42")},  # someone else's id
        {"user_id": "shop-42", "email": "victim@mail.test", "signature": sign_identity(SECRET, "shop-42")},
        {"user_id": "shop-42"},
        {"user_id": "shop-42", "signature": ""},
        {"signature": sign_identity(SECRET, "", "")},
        "shop-42",
    ],
)
def test_it_rejects_a_forged_identity(data):
    with pytest.raises(ForgedIdentity):
        verify_identity(SECRET, data)


def test_it_reads_back_only_tokens_it_issued_for_that_store():
    token = issue_token(7, 1)
    assert read_token(token, 1) == 7
    assert read_token(token, 2) is None
    assert read_token(token[:-1] + ("A" if token[-1] != "A" else "B"), 1) is None
    assert read_token(None, 1) is None
    assert read_token("x" * 600, 1) is None
