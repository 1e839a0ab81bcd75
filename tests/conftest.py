"""The fixed cast: two stores and their people. Every test uses these names.

- store `acme` with owner Olivia (admin), lead Leo, agents Ana and Ben
- store `globex` with its own agent Gus, who must never see Acme's data
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storedesk.core.models import Role
from tests.factories import CustomerFactory, IdentityFactory, StoreFactory, agent_of

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def pytest_collection_modifyitems(config, items):
    """Under CI=true nothing may be skipped for want of a service, browser or ../shared."""
    if os.environ.get("CI") == "true":
        os.environ.setdefault("STOREDESK_REQUIRE_ALL", "1")


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """Each test starts with an empty in-memory cache (cached inbox counts are keyed on ids,
    which SQLite hands out again after a test's rollback). A Redis cache is left alone: its
    keys carry the run's own prefix (config/test_settings.py) and ids are not reused there."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED} is missing under CI=true")
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture
def acme(db):
    return StoreFactory(slug="acme", name="Acme Outfitters")


@pytest.fixture
def globex(db):
    return StoreFactory(slug="globex", name="Globex Goods")


@pytest.fixture
def olivia(acme):
    return agent_of(acme, Role.ADMIN, email="olivia@acme.test", display_name="Olivia Owner", first_name="Olivia")


@pytest.fixture
def leo(acme):
    return agent_of(acme, Role.LEAD, email="leo@acme.test", display_name="Leo Lead", first_name="Leo")


@pytest.fixture
def ana(acme):
    return agent_of(acme, Role.AGENT, email="ana@acme.test", display_name="Ana Agent", first_name="Ana")


@pytest.fixture
def ben(acme):
    return agent_of(acme, Role.AGENT, email="ben@acme.test", display_name="Ben Agent", first_name="Ben")


@pytest.fixture
def gus(globex):
    return agent_of(globex, Role.AGENT, email="gus@globex.test", display_name="Gus Globex", first_name="Gus")


@pytest.fixture
def carla(acme):
    """Acme's customer Carla Customer, carla@mail.test."""
    customer = CustomerFactory(store=acme, name="Carla Customer")
    IdentityFactory(customer=customer, store=acme, value="carla@mail.test")
    return customer


def require_service(name: str, reason: str) -> None:
    """Skip when a service is missing, except under CI=true where it fails the run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} unavailable under CI=true: {reason}")
    pytest.skip(f"{name} unavailable: {reason}")
