"""A national database's NFD name, or one with stray spaces, is the name the registry holds:
no write and no conflict (sync's own normalisation, besides the adapters')."""

from __future__ import annotations

import unicodedata

from sqlalchemy.orm import Session

from registry.config import Settings
from registry.crypto import StaticKeyProvider
from sync.apply import apply_asserted, normalised
from sync.models import Conflict
from tests.factories import World, admin_ctx


def test_an_nfd_name_with_stray_spaces_is_no_change_and_no_conflict(
    session: Session, settings: Settings, keys: StaticKeyProvider, world: World
) -> None:
    ctx = admin_ctx(session, settings, keys)
    person = world.persons["a"]
    version = person.version
    values = {
        "family_name": unicodedata.normalize("NFD", "  Nguyễn "),
        "middle_name": unicodedata.normalize("NFD", "Thị   Thu"),
        "given_name": unicodedata.normalize("NFD", "Hà"),
    }
    applied, conflicts = apply_asserted(session, ctx, person, system="population", values=values)
    session.flush()
    assert (applied, conflicts) == ([], 0)
    assert person.version == version
    assert session.query(Conflict).count() == 0
    # A different name is still seen as different (and, edited locally, a conflict).
    changed = {"given_name": unicodedata.normalize("NFD", "Hoà")}
    _, opened = apply_asserted(session, ctx, person, system="population", values=changed)
    assert opened == 1
    assert normalised(changed) == {"given_name": "Hoà"}
