"""Issue 14 item 7: the secretariat's 履歴 of an application names events and states in
Japanese, never by their codes (renewal_started → draft)."""
from __future__ import annotations

import re
from pathlib import Path

from portal.blueprints.renewal.models import EVENT_LABELS, FORM_CODES, STATUS_LABELS

RENEWAL = Path(__file__).resolve().parents[2] / "src" / "portal" / "blueprints" / "renewal"


def _recorded_on_applications() -> set[str]:
    """The codes the renewal records on an application (`audit.record("...", app, ...)`)."""
    source = "\n".join(p.read_text() for p in RENEWAL.rglob("*.py"))
    codes = set(re.findall(r'audit\.record\("(\w+)", app\b', source))
    if "audit.record(f\"{code}_{'registered' if form.registered else 'unregistered'}\", app" in source:
        codes |= {f"{code}_{state}" for code in FORM_CODES for state in ("registered", "unregistered")}
    return codes


def test_every_event_recorded_on_an_application_has_a_label():
    codes = _recorded_on_applications()
    assert len(codes) >= 9  # the scan found the calls
    assert codes - EVENT_LABELS.keys() == set()


def test_the_review_page_history_is_in_japanese(app, jspm, client_for):
    from tests.factories.helpers.files import pdf_bytes
    from tests.factories.helpers.renewal import (
        CORE_LOGIN,
        JIMU_LOGIN,
        form1_data,
        form2_data,
        physicians,
        post_form1,
        upload_scan,
    )

    jspm.login(CORE_LOGIN)
    post_form1(jspm, form1_data(institution_head=""), physicians())
    post_form1(jspm, form1_data(), physicians())
    jspm.post("/renewal/form2", form2_data(), csrf_from="/renewal/apply")
    upload_scan(jspm, pdf_bytes())
    assert jspm.post("/renewal/submit", {}, csrf_from="/renewal/apply").status_code == 303
    jimu = client_for("jspm.localhost")
    jimu.login(JIMU_LOGIN)
    app_id = int(re.search(r'href="/renewal/review/(\d+)"', jimu.text("/renewal/review")).group(1))
    page = jimu.text(f"/renewal/review/{app_id}")
    history = page[page.index("履歴"):]
    for label in ("申請を開始", "「1.申請書」を保存（未登録）", "「1.申請書」を保存（登録済み）",
                  "「2.概要書」を保存（登録済み）", "公印付きの申請書・在籍証明書をアップロード",
                  "未申請 → 申請済み"):
        assert label in history, label
    for code in [*EVENT_LABELS, *STATUS_LABELS]:
        assert f">{code}" not in history and f"{code} →" not in history and f"→ {code}" not in history, code
