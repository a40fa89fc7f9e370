from __future__ import annotations

import pytest

from registry.config import Settings


@pytest.fixture
def settings_(settings: Settings) -> Settings:
    """``settings`` under a name that does not clash with hypothesis' ``settings``."""
    return settings
