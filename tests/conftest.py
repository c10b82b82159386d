import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache. Parts kept per content generation
    (newsroom.page_cache) show rows the test made; a TestCase's rollback takes the rows
    away without moving the generation, as no commit happened, so a later test would be
    served the earlier one's parts."""
    cache.clear()
