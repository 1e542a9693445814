import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_chart_cache():
    """Chart series are cached per user id; ids repeat between tests."""
    cache.clear()
    yield
    cache.clear()
