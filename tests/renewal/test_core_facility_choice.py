"""Issue 14 item 1 (I-43, C-R17): the 基幹施設 a 連携施設 may name are those whose certification
covers the period applied for or that renew in the same window, not those valid today: a core
facility renewing alongside must not drop off the list when its old period ends mid-window."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import update

from portal.blueprints.renewal.models import (
    FacilityCertification,
    RenewalApplication,
    RenewalWindow,
)
from portal.blueprints.renewal.services.applications import core_facilities_for, period_start
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.renewal import AFFILIATED_LOGIN

# The case: a window in 2026/12-2027/01 applying for the period from 2027-04-01.
OPENS = datetime(2026, 11, 30, 15, tzinfo=timezone.utc)
CLOSES = datetime(2027, 1, 31, 14, 59, tzinfo=timezone.utc)  # JST 12/1 0:00 - 1/31 23:59


def _certify(world, facility_id: int, valid_to: date | None) -> None:
    db.session.execute(update(FacilityCertification).where(
        FacilityCertification.facility_id == facility_id).values(valid_to=valid_to))


def _choices(world) -> set[int]:
    window = db.session.get(RenewalWindow, world.window)
    return {c.facility_id for c in core_facilities_for(window, exclude=world.affiliated)}


def _world(app, make_society):
    world = make_society()
    with app.app_context(), tenant_scope(db.session, world.tenant_id):
        db.session.execute(update(RenewalWindow).where(RenewalWindow.id == world.window)
                           .values(opens_at=OPENS, closes_at=CLOSES))
        db.session.commit()
    return world


def test_the_period_applied_for_starts_the_april_after_the_window(app, make_society):
    world = _world(app, make_society)
    with app.app_context(), tenant_scope(db.session, world.tenant_id):
        assert period_start(db.session.get(RenewalWindow, world.window)) == date(2027, 4, 1)


def test_a_core_facility_renewing_in_the_window_is_offered(app, make_society):
    world = _world(app, make_society)
    with app.app_context(), tenant_scope(db.session, world.tenant_id):
        _certify(world, world.core, date(2027, 3, 31))        # ends before the new period: renewing
        _certify(world, world.other_core, date(2031, 3, 31))  # covers the new period
        assert _choices(world) == {world.core, world.other_core}


def test_a_core_facility_that_lapsed_before_the_window_is_not_offered(app, make_society):
    world = _world(app, make_society)
    with app.app_context(), tenant_scope(db.session, world.tenant_id):
        _certify(world, world.core, date(2026, 3, 31))
        assert _choices(world) == {world.other_core}


def test_a_lapsed_core_facility_with_an_application_in_this_window_is_offered(app, make_society):
    world = _world(app, make_society)
    with app.app_context(), tenant_scope(db.session, world.tenant_id):
        _certify(world, world.core, date(2026, 3, 31))
        db.session.add(RenewalApplication(tenant_id=world.tenant_id, facility_id=world.core,
                                          window_id=world.window, facility_type="core"))
        db.session.flush()
        assert _choices(world) == {world.core, world.other_core}


def test_the_affiliated_facility_sees_and_registers_a_renewing_core_facility(app, make_society,
                                                                             client_for):
    """End to end on form 1: the core facility whose period ended on 2026-03-31 in the demo case
    is no longer expected; one ending 2027-03-31 is listed, chosen and saved (登録済み)."""
    world = make_society()  # window open now
    with app.app_context(), tenant_scope(db.session, world.tenant_id):
        window = db.session.get(RenewalWindow, world.window)
        _certify(world, world.core, period_start(window).replace(day=31, month=3))
        _certify(world, world.other_core, date(2020, 3, 31))
        db.session.commit()
    client = client_for("jspm.localhost")
    client.login(AFFILIATED_LOGIN)
    page = client.get("/renewal/form1").get_data(as_text=True)
    assert "髙田緩和ケア病院（K-0001）" in page and "みなと基幹病院" not in page
    saved = client.post("/renewal/form1", {
        "facility_name": "さくら連携病院", "certification_number": "R-0101",
        "institution_head": "院長 太郎", "responsible_name": "緩和 一郎",
        "responsible_member_number": "100001", "core_facility_id": str(world.core),
        "physicians-0-name": "緩和 一郎", "physicians-0-member_number": "100001"},
        csrf_from="/renewal/form1")
    assert saved.status_code == 200
    assert "登録済み" in saved.get_data(as_text=True)
