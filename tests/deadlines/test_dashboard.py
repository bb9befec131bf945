"""Issue 19 item 3: the secretariat's dashboard counts each queue of the society's modules by
state and by age (0-3, 4-7, 8-14, over 14 days, Japan time, fixed clock), each count a link
to the queue's list filtered the same way, which then shows those rows only."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.blueprints.recruitment.models import RecruitmentApplication
from portal.blueprints.renewal.models import RenewalApplication
from portal.clock import JST
from portal.extensions import db
from portal.queues import age_clause
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.recruitment import JIMU as JMSB_JIMU
from tests.factories.helpers.recruitment import START_FY
from tests.factories.helpers.renewal import JIMU_LOGIN

TODAY = date(2026, 6, 20)
NOW = datetime(2026, 6, 20, 3, 0, tzinfo=timezone.utc)  # 12:00 in Japan


def jst(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST).astimezone(timezone.utc)


@pytest.fixture
def fixed(app, monkeypatch):
    monkeypatch.setitem(app.config, "FIXED_NOW", NOW)


@pytest.fixture
def queue(jspm_world, add_rows, add_window, make_society):
    """jspm: 申請済み 1, 5, 10 and 20 days ago, 修正依頼中 2 days ago; jspm2: one more."""
    w = jspm_world
    second = add_window(w.tenant_id, NOW - timedelta(days=400), NOW - timedelta(days=370), "前年度")
    rows = [(w.core, w.window, "submitted", 1), (w.affiliated, w.window, "submitted", 5),
            (w.other_core, w.window, "submitted", 10), (w.core, second, "submitted", 20),
            (w.affiliated, second, "correction_requested", 2)]
    ids = add_rows(w.tenant_id, *[RenewalApplication(
        tenant_id=w.tenant_id, facility_id=f, window_id=win, status=status, revision=1,
        facility_type="core", submitted_at=jst(TODAY - timedelta(days=age))) for f, win, status, age in rows])
    other = make_society(slug="jspm2", name="別学会")
    add_rows(other.tenant_id, RenewalApplication(
        tenant_id=other.tenant_id, facility_id=other.core, window_id=other.window, status="submitted",
        revision=1, facility_type="core", submitted_at=jst(TODAY - timedelta(days=1))))
    return ids


def cells(page: str, queue: str, state: str) -> list[str]:
    row = re.search(rf'<tr data-queue="{queue}" data-state="{state}">(.*?)</tr>', page, re.S).group(1)
    return re.findall(r"<td>(.*?)</td>", row, re.S)


def test_counts_by_state_and_age_link_to_the_filtered_list(app, jspm, queue, fixed):
    jspm.login(JIMU_LOGIN)
    page = jspm.text("/admin/dashboard")
    submitted = cells(page, "renewal.review_list", "submitted")
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in submitted[1:]] == ["4", "1", "1", "1", "1"]
    corrections = cells(page, "renewal.review_list", "correction_requested")
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in corrections[1:]] == ["1", "1", "0", "0", "0"]
    link = re.search(r'href="([^"]+)"', submitted[3]).group(1).replace("&amp;", "&")
    assert link == "/renewal/review?status=submitted&age=4-7"
    listed = jspm.text(link)
    assert listed.count('href="/renewal/review/') == 1 and "さくら連携病院" in listed
    everything = jspm.text(re.search(r'href="([^"]+)"', submitted[1]).group(1).replace("&amp;", "&"))
    assert everything.count('href="/renewal/review/') == 4


@pytest.mark.parametrize(("moment", "bucket"), [
    (jst(TODAY - timedelta(days=3), 0, 0), "0-3"), (jst(TODAY - timedelta(days=4), 23, 59), "4-7"),
    (jst(TODAY - timedelta(days=7), 0, 0), "4-7"), (jst(TODAY - timedelta(days=8), 23, 59), "8-14"),
    (jst(TODAY - timedelta(days=14), 0, 0), "8-14"), (jst(TODAY - timedelta(days=15), 23, 59), "15-"),
    (jst(TODAY, 0, 0), "0-3")])
def test_age_buckets_count_japanese_days(app, jspm_world, add_rows, moment, bucket):
    [app_id] = add_rows(jspm_world.tenant_id, RenewalApplication(
        tenant_id=jspm_world.tenant_id, facility_id=jspm_world.core, window_id=jspm_world.window,
        status="submitted", revision=1, facility_type="core", submitted_at=moment))
    with app.app_context(), tenant_scope(db.session, jspm_world.tenant_id):
        found = {b for b in ("0-3", "4-7", "8-14", "15-") if db.session.scalar(
            select(RenewalApplication.id).where(age_clause(RenewalApplication.submitted_at, b, TODAY)))}
    assert found == {bucket}


def test_each_society_sees_the_queues_of_its_modules(app, client_for, world, fixed, jsicm):
    jsicm.login("jsicm-jimu")
    page = jsicm.text("/admin/dashboard")
    assert 'data-queue="credentials.training_start_queue"' in page and 'data-queue="credentials.queue"' in page
    assert "renewal.review_list" not in page and "recruitment.admin_applications" not in page
    jmsb = client_for("jmsb.localhost")
    jmsb.login(JMSB_JIMU)
    page = jmsb.text("/admin/dashboard")
    assert cells(page, "recruitment.admin_applications", "withdrawal_requested")
    assert "credentials.queue" not in page


def test_only_the_secretariat_opens_the_dashboard(app, world, jsicm):
    jsicm.login("jsicm-director")
    assert jsicm.get("/admin/dashboard").status_code in (403, 404)
    assert jsicm.get("/admin/overdue").status_code in (403, 404)


def test_jmsb_counts_applicants_and_withdrawals_and_filters_the_applications_list(
        app, rec, applicants, add_rows, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "FIXED_NOW", rec.now)
    people = applicants(rec.tenant_id, 3)

    def applied(person, days, **fields):
        return RecruitmentApplication(
            tenant_id=rec.tenant_id, applicant_id=person, program_id=rec.program,
            round_id=rec.round1, start_fiscal_year=START_FY, applied_at=rec.now - timedelta(days=days),
            **{"status": "applied", **fields})

    add_rows(rec.tenant_id, applied(people[0], 5), applied(people[1], 0),
             applied(people[2], 30, status="withdrawal_requested", withdrawal_reason="家庭の事情",
                     withdrawal_requested_at=rec.now - timedelta(days=9)))
    jmsb = client_for("jmsb.localhost")
    jmsb.login(JMSB_JIMU)
    page = jmsb.text("/admin/dashboard")
    text = lambda cells_: [re.sub(r"<[^>]+>", "", c).strip() for c in cells_[1:]]  # noqa: E731
    assert text(cells(page, "recruitment.admin_applications", "applied")) == ["2", "1", "1", "0", "0"]
    assert text(cells(page, "recruitment.admin_applications", "withdrawal_requested")) == [
        "1", "0", "0", "1", "0"]  # counted from the request, not the application
    listed = jmsb.text("/recruitment/admin/applications?status=applied&age=4-7")
    assert "応募者 001" in listed and "応募者 002" not in listed


def test_jsicm_counts_period_changes_and_case_reports_and_filters_their_lists(
        app, world, fixed, jsicm, add_rows):
    """The queues issue 16 added: 施設変更・休止審査 and 症例レポート審査, by age, each count
    linking to its list filtered to those rows."""
    from portal.blueprints.cases.models import Case, CaseReport, CaseReportVersion
    from portal.blueprints.credentials.models import Enrollment, PeriodChange

    s = world.jsicm
    [period] = add_rows(s.tenant_id, Enrollment(
        tenant_id=s.tenant_id, trainee_id=s.trainee, facility_id=s.facility,
        program_director_id=s.director, from_date=date(2024, 4, 1)))
    [case] = add_rows(s.tenant_id, Case(
        tenant_id=s.tenant_id, trainee_id=s.trainee, director_id=s.director, facility_id=s.facility,
        entry_date=TODAY, icu_admission_date=TODAY, age_band="40-64", sex="male",
        primary_category="resp_ards", outcome="alive_discharge", status="signed_off"))
    submitted = jst(TODAY - timedelta(days=9))
    [report] = add_rows(s.tenant_id, CaseReport(
        tenant_id=s.tenant_id, trainee_id=s.trainee, director_id=s.director, case_id=case,
        status="submitted", submitted_at=submitted))
    add_rows(s.tenant_id,
             CaseReportVersion(tenant_id=s.tenant_id, report_id=report, number=1, title="ARDSの一例",
                               body="【経過】第2病日に腹臥位療法を開始した。", submitted_at=submitted),
             PeriodChange(tenant_id=s.tenant_id, trainee_id=s.trainee, kind="suspension", facility_id=s.facility,
                          enrollment_id=period,
                          approver_id=s.director, start_date=TODAY, end_date=TODAY + timedelta(days=30),
                          reason_code="illness", status="pending_review",
                          submitted_at=jst(TODAY - timedelta(days=2))))
    jsicm.login("jsicm-jimu")
    page = jsicm.text("/admin/dashboard")
    reports = [re.sub(r"<[^>]+>", "", c).strip() for c in cells(page, "cases.report_queue", "submitted")]
    assert reports[1:] == ["1", "0", "0", "1", "0"]
    periods = [re.sub(r"<[^>]+>", "", c).strip()
               for c in cells(page, "credentials.period_queue", "pending_review")]
    assert periods[1:] == ["1", "1", "0", "0", "0"]
    link = re.search(r'href="([^"]+)"', cells(page, "cases.report_queue", "submitted")[4]).group(1)
    assert "age=8-14" in link.replace("&amp;", "&")
    assert "専攻医 テスト1" in jsicm.text(link.replace("&amp;", "&"))
    assert "専攻医 テスト1" not in jsicm.text("/cases/review/reports?age=0-3")
    assert "専攻医 テスト1" in jsicm.text("/review/training-periods?age=0-3")
    assert "専攻医 テスト1" not in jsicm.text("/review/training-periods?age=15-")
