"""JSPM (施設マイページ): `make_society(...)` builds a society with a core and an affiliated
facility, each with its shared e-mail login, the member roster and (unless told otherwise) a
renewal window open now; `jspm_world` is that society for jspm, `jspm` its client, and
`add_window` adds another window."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from portal.blueprints.renewal.models import FacilityCertification, RenewalWindow, SocietyMember
from portal.db import utcnow
from tests.factories.helpers.renewal import AFFILIATED_LOGIN, CORE_LOGIN, JIMU_LOGIN


@pytest.fixture
def add_window(add_rows):
    """add_window(tenant_id, opens, closes, label="2025年度更新") -> the window's id."""

    def add(tenant_id: int, opens: datetime, closes: datetime, label="2025年度更新") -> int:
        return add_rows(tenant_id, RenewalWindow(tenant_id=tenant_id, label=label,
                                                 opens_at=opens, closes_at=closes))[0]

    return add


@pytest.fixture
def make_society(factories, add_rows, add_window):
    """make_society(slug="jspm", name="日本緩和医療学会", window=True) -> its ids."""

    def make(slug="jspm", name="日本緩和医療学会", window=True) -> SimpleNamespace:
        tid = factories.tenant(slug, name)
        core = factories.facility(tid, "髙田緩和ケア病院")
        affiliated = factories.facility(tid, "さくら連携病院")
        other_core = factories.facility(tid, "みなと基幹病院")
        period = dict(valid_from=date(2021, 4, 1), valid_to=date(2030, 3, 31))
        add_rows(tid,
                 FacilityCertification(tenant_id=tid, facility_id=core,
                                       certification_number="K-0001", facility_type="core",
                                       **period),
                 FacilityCertification(tenant_id=tid, facility_id=affiliated,
                                       certification_number="R-0101",
                                       facility_type="affiliated", **period),
                 FacilityCertification(tenant_id=tid, facility_id=other_core,
                                       certification_number="K-0002", facility_type="core",
                                       **period),
                 SocietyMember(tenant_id=tid, member_number="100001", name="緩和 一郎",
                               certified=True),
                 SocietyMember(tenant_id=tid, member_number="100003", name="未認定 次郎",
                               certified=False))
        users = {}
        for key, login, role, fac in (("core", CORE_LOGIN, "facility_manager", core),
                                      ("affiliated", AFFILIATED_LOGIN, "facility_manager",
                                       affiliated),
                                      ("jimu", JIMU_LOGIN, "secretariat", None)):
            users[key] = factories.user(tid, login.split("@")[0] + f"-{slug}", role, email=login,
                                        full_name=f"{key} 担当", facility_id=fac)
        now = utcnow()
        window_id = add_window(tid, now - timedelta(days=1), now + timedelta(days=30)) \
            if window else None
        return SimpleNamespace(tenant_id=tid, core=core, affiliated=affiliated,
                               other_core=other_core, window=window_id,
                               **{f"{k}_user": v for k, v in users.items()})

    return make


@pytest.fixture
def jspm_world(make_society):
    return make_society()


@pytest.fixture
def jspm(client_for, jspm_world):
    return client_for("jspm.localhost")
