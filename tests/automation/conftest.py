import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache():
    """Expected-wait estimates are cached per store id; ids repeat across rolled-back tests."""
    cache.clear()
    yield
    cache.clear()
