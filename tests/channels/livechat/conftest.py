from __future__ import annotations

import pytest

from storedesk.automation.models import AgentProfile, AgentStatus


@pytest.fixture
def ana_online(acme, ana):
    """Ana has the console open: the store is staffed."""
    return AgentProfile.objects.create(store=acme, user=ana, status=AgentStatus.ONLINE)
