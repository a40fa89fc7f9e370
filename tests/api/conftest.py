from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from registry.config import Settings
from registry.crypto import StaticKeyProvider
from tests.factories import World, build_world


@pytest.fixture
def world(session: Session, settings: Settings, keys: StaticKeyProvider) -> World:
    return build_world(session, settings, keys)
