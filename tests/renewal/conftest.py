"""JSPM (施設マイページ) fixtures: a society with a core and an affiliated facility, each with
its shared e-mail login, the member roster and a renewal window open now."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from portal.blueprints.renewal.models import FacilityCertification, RenewalWindow, SocietyMember
from portal.db import utcnow
from portal.extensions import db
from portal.tenants.scoping import tenant_scope

CORE_LOGIN, AFFILIATED_LOGIN, JIMU_LOGIN = "core@jspm.example.jp", "renkei@jspm.example.jp", "jimu@jspm.example.jp"


def _add(app, tenant_id: int, *rows) -> list[int]:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        db.session.add_all(rows)
        db.session.commit()
        return [r.id for r in rows]


def add_window(app, tenant_id: int, opens: datetime, closes: datetime, label="2025年度更新") -> int:
    return _add(app, tenant_id, RenewalWindow(tenant_id=tenant_id, label=label, opens_at=opens,
                                              closes_at=closes))[0]


def make_society(app, factories, slug="jspm", name="日本緩和医療学会", window=True) -> SimpleNamespace:
    tid = factories.tenant(slug, name)
    core = factories.facility(tid, "髙田緩和ケア病院")
    affiliated = factories.facility(tid, "さくら連携病院")
    other_core = factories.facility(tid, "みなと基幹病院")
    period = dict(valid_from=date(2021, 4, 1), valid_to=date(2030, 3, 31))
    _add(app, tid,
         FacilityCertification(tenant_id=tid, facility_id=core, certification_number="K-0001",
                               facility_type="core", **period),
         FacilityCertification(tenant_id=tid, facility_id=affiliated, certification_number="R-0101",
                               facility_type="affiliated", **period),
         FacilityCertification(tenant_id=tid, facility_id=other_core, certification_number="K-0002",
                               facility_type="core", **period),
         SocietyMember(tenant_id=tid, member_number="100001", name="緩和 一郎", certified=True),
         SocietyMember(tenant_id=tid, member_number="100003", name="未認定 次郎", certified=False))
    users = {}
    for key, login, role, fac in (("core", CORE_LOGIN, "facility_manager", core),
                                  ("affiliated", AFFILIATED_LOGIN, "facility_manager", affiliated),
                                  ("jimu", JIMU_LOGIN, "secretariat", None)):
        users[key] = factories.user(tid, login.split("@")[0] + f"-{slug}", role, email=login,
                                    full_name=f"{key} 担当", facility_id=fac)
    now = utcnow()
    window_id = add_window(app, tid, now - timedelta(days=1), now + timedelta(days=30)) if window else None
    return SimpleNamespace(tenant_id=tid, core=core, affiliated=affiliated, other_core=other_core,
                           window=window_id, **{f"{k}_user": v for k, v in users.items()})


@pytest.fixture
def jspm_world(app, factories):
    return make_society(app, factories)


@pytest.fixture
def jspm(client_for, jspm_world):
    return client_for("jspm.localhost")


def form1_data(**over) -> dict:
    data = {"facility_name": "髙田緩和ケア病院", "certification_number": "K-0001",
            "institution_head": "院長 太郎", "responsible_name": "緩和 一郎",
            "responsible_member_number": "100001", "core_facility_id": ""}
    data.update(over)
    return data


def physicians(full_time=True) -> list[dict]:
    return [{"name": "髙橋 指導医", "member_number": "200001", "full_time": full_time}]


def form2_data(**over) -> dict:
    data = {"beds": "350", "has_pcu": "yes", "team_cases": "120",
            "training_content": "緩和ケアチームでの回診と症例検討会"}
    data.update(over)
    return data


def post_form1(client, data: dict, rows: list[dict], **kw):
    payload = dict(data)
    for i, row in enumerate(rows):
        payload[f"physicians-{i}-name"] = row["name"]
        payload[f"physicians-{i}-member_number"] = row["member_number"]
        if row["full_time"]:
            payload[f"physicians-{i}-full_time"] = "y"
    return client.post("/renewal/form1", payload, csrf_from="/renewal/apply", **kw)


def upload_scan(client, data: bytes, name="申請書_公印.pdf"):
    token = client.csrf("/renewal/apply")
    return client.client.post("/renewal/scan", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                              content_type="multipart/form-data")


UTC = timezone.utc
