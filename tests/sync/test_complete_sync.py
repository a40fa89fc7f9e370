"""Complete sync: places from the population database applied with provenance on the 2025
units, persons known only by the old card verified with ``query.type CMND``, alerts re-judged
in the job's own transaction, and every job's writes on record as ``system:<job>``."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

import sync.jobs  # noqa: F401 - registers the jobs
from registry.alerts.models import Alert
from registry.alerts.service import run_full
from registry.history import RecordVersion
from registry.persons.models import IdentityVerification, Person, Provenance
from registry.persons.service import create_person, decrypt_field
from schemas.persons import PersonCreate
from sync.apply import place_2025
from sync.runs import run_job
from tests.factories import nid_for
from tests.sync.conftest import Ward


def _nid(ward: Ward, person_id: uuid.UUID) -> str:
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason="test read")
        person = session.get(Person, person_id)
        assert person is not None
        nid = decrypt_field(ctx, person, "nid")
        assert nid is not None
        return nid


def _last_version(ward: Ward, person_id: uuid.UUID) -> RecordVersion:
    with ward.rt.sessions() as session:
        version = session.scalars(
            sa.select(RecordVersion)
            .where(RecordVersion.table_name == "persons", RecordVersion.row_id == person_id)
            .order_by(RecordVersion.seq.desc())
            .limit(1)
        ).one()
        session.expunge(version)
        return version


def test_a_legacy_province_becomes_its_2025_province_and_a_commune_keeps_its_list() -> None:
    # Hà Giang (02 before 2025) is part of Tuyên Quang (08) since 1 July 2025.
    assert place_2025("02", "2004", "Hà Giang") == {
        "unit_code": "08",
        "code_list": "2025",
        "text": "Hà Giang",
    }
    assert place_2025("31", "2004", "Hải Phòng")["unit_code"] == "31"
    # A pre-2025 commune has no mapping here: it stays on its own list, never read as 2025.
    assert place_2025("12345", "2004", "Xã cũ") == {
        "unit_code": "12345",
        "code_list": "2004",
        "text": "Xã cũ",
    }
    assert place_2025("11311", "2025", "Phường") == {
        "unit_code": "11311",
        "code_list": "2025",
        "text": "Phường",
    }


def test_places_are_applied_on_the_2025_units_with_provenance(ward: Ward) -> None:
    person = ward.others[0]
    record = ward.pop.people[_nid(ward, person.id)]
    record["place_of_origin"] = {"unit_code": "02", "code_list": "2004", "text": "Hà Giang"}
    residence = {"unit_code": "11311", "code_list": "2025", "text": "Số 5, phường Hồng Bàng"}
    record["permanent_residence"] = residence

    run = run_job(ward.rt, "population-verify")
    assert run is not None and run.status == "ok", run.errors if run else None
    assert run.counts["places_applied"] >= 2

    with ward.rt.sessions() as session:
        stored = session.get(Person, person.id)
        assert stored is not None
        assert stored.origin_place == {"unit_code": "08", "code_list": "2025", "text": "Hà Giang"}
        assert stored.permanent_residence == residence
        sources: dict[str, str] = {
            r.field_group: r.source
            for r in session.execute(
                sa.select(Provenance.field_group, Provenance.source).where(
                    Provenance.person_id == person.id
                )
            )
        }
        assert sources["identity"] == "population"
    version = _last_version(ward, person.id)
    assert (version.actor, version.actor_role) == ("system:population-verify", "service")
    assert version.data["origin_place"]["unit_code"] == "08"

    again = run_job(ward.rt, "population-verify")
    assert again is not None and again.status == "ok"
    assert not again.counts.get("places_applied")  # the same places are not written twice
    assert _last_version(ward, person.id).seq == version.seq

    # An answer on the old list does not replace a 2025 commune: it carries less.
    record["permanent_residence"] = {"unit_code": "31", "code_list": "2004", "text": "Hải Phòng"}
    third = run_job(ward.rt, "population-verify")
    assert third is not None and third.status == "ok"
    with ward.rt.sessions() as session:
        stored = session.get(Person, person.id)
        assert stored is not None and stored.permanent_residence == residence


def test_a_person_known_only_by_the_old_card_is_verified_by_cmnd(ward: Ward) -> None:
    nid, cmnd = nid_for(1968, "F", 777), "031456789"
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason="test: an old file")
        office = ward.officials[0].org_unit_id
        person = create_person(
            session,
            ctx,
            PersonCreate(
                org_unit_id=office,
                cmnd=cmnd,
                family_name="Phạm",
                middle_name="Thị",
                given_name="Hoà",
                birth_date="1968-04-02",
                sex="F",
                ethnicity_code="01",
                religion_code="00",
            ),
        )
        session.commit()
        person_id = person.id
    ward.pop.add_person(
        ward.pop.new_record(
            nid=nid,
            cmnd=cmnd,
            full_name={"family": "Phạm", "middle": "Thị", "given": "Hoà"},
            birth_date="1968-04-02",
            sex="2",
        )
    )

    run = run_job(ward.rt, "population-verify")
    assert run is not None and run.status == "ok", run.errors if run else None
    assert run.counts["nid_filled"] == 1

    with ward.rt.sessions() as session:
        row = session.get(IdentityVerification, person_id)
        assert row is not None and row.status == "verified"
    assert _nid(ward, person_id) == nid  # the file now carries the current number
    assert ward.pop.core.hits["POST /registry/sync/search"] >= 2  # one batch per query type


def test_a_death_from_the_feed_rejudges_alerts_in_the_same_run(ward: Ward) -> None:
    with ward.rt.sessions() as session:
        ward.rt.system_ctx(session, reason="test: the nightly baseline")
        run_full(session)
        session.commit()
    dead = ward.officials[0]

    def open_alerts() -> int:
        with ward.rt.sessions() as session:
            return (
                session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Alert)
                    .where(Alert.person_id == dead.id, Alert.status == "open")
                )
                or 0
            )

    assert open_alerts() > 0, "the test ward's officials fall short of their post's standard"
    ward.pop.record_death(_nid(ward, dead.id), dt.date(2026, 10, 2))

    run = run_job(ward.rt, "population-events")
    assert run is not None and run.status == "ok", run.errors if run else None
    assert run.counts["deaths"] == 1
    assert run.counts["alerts_resolved"] >= 1
    assert open_alerts() == 0  # resolved now, not at the next nightly run
    version = _last_version(ward, dead.id)
    assert (version.actor, version.actor_role) == ("system:population-events", "service")


def test_a_pull_is_on_record_as_the_job(ward: Ward) -> None:
    official = ward.officials[1]
    ward.cs.store.touch(_nid(ward, official.id), rank_code="01.002", salary_step=6)

    run = run_job(ward.rt, "civil-service-pull")
    assert run is not None and run.status == "ok", run.errors if run else None

    with ward.rt.sessions() as session:
        stored = session.get(Person, official.id)
        assert stored is not None and stored.rank_code == "01.002"
    version = _last_version(ward, official.id)
    assert (version.actor, version.actor_role) == ("system:civil-service-pull", "service")
    assert version.reason == "civil-service-pull"
