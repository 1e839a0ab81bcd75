"""/healthz: the load balancer's and the operator's view of a web process."""

from __future__ import annotations

from storedesk.core import health


def test_it_reports_every_check_ok(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert sorted(body["checks"]) == ["channel_layer", "database", "queue"]
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "channel_layer": True,
        "database": True,
        "queue": True,
    }


def test_it_needs_no_login(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_answers_503_naming_the_failed_check(client, db, monkeypatch):
    def broken() -> None:
        raise RuntimeError("queue unreachable")

    monkeypatch.setitem(health.CHECKS, "queue", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["queue"]["ok"] is False
    assert body["checks"]["queue"]["error"] == "RuntimeError: queue unreachable"
    assert body["checks"]["database"]["ok"] is True
