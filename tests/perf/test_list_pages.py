"""Every list page shows at most 50 rows, links to the next page with its filters kept, and
stays at or below 40 KB of raw HTML at 50 rows (DESIGN.md "Performance habits", issue 18).

Data: `flask bench-data`'s generator with 60 of everything it makes (pending credentials,
trainees, JMSB applications, all at the known director's facility and program), plus 60
training start applications, 60 休止 requests and 60 在籍 for that director, and 60 more
お知らせ. Each
list is read with a filter in its URL where it has filters; the 次へ link must keep the filter
and lead to the remaining rows.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal import create_app
from portal.accounts.models import Role, User
from portal.blueprints.credentials.models import Enrollment, PeriodChange, TrainingStartApplication
from portal.devdata.benchdata import LOGINS, PASSWORD, Plan, generate
from portal.devdata.benchdata_recruitment import JMSB_LOGINS
from portal.directory.filters import SELECT_MAX
from portal.directory.models import Facility
from portal.extensions import db
from portal.tenants.scoping import system_scope
from portal.worklist.models import Notice
from tests.factories.helpers.clients import TenantClient

pytestmark = pytest.mark.committed  # the owner's app writes rows the app's requests read

HOST, JMSB = "jsicm.localhost", "jmsb.localhost"
ROWS, SHOWN, MAX_BYTES = 60, 50, 40 * 1024

# name, host, who, path (with its filters; {facility} is the known director's), a pattern
# found once per row, the filters 次へ must keep
PAGES = [
    ("director's credential queue", HOST, "director", "/review/credentials",
     '<tr id="credential-', {}),
    ("secretariat's credential queue", HOST, "secretariat", "/review/credentials",
     '<tr id="credential-', {}),
    ("training start queue", HOST, "director", "/review/training-starts",
     '<tr id="training-start-', {}),
    ("period change queue", HOST, "director", "/review/training-periods",
     '<tr id="period-change-', {}),
    ("JMSB director's applicants", JMSB, "director", "/recruitment/director?status=applied",
     '<tr id="application-', {"status": ["applied"]}),
    ("JMSB secretariat's 応募一覧", JMSB, "secretariat",
     "/recruitment/admin/applications?status=applied", '<tr id="application-',
     {"status": ["applied"]}),
    ("accounts (people)", HOST, "secretariat", "/admin/people?role=trainee",
     r'href="/admin/people/\d+"', {"role": ["trainee"]}),
    ("JMSB registrants", JMSB, "secretariat", "/admin/registrants?q=bench.example",
     r'href="/admin/registrants/\d+"', {"q": ["bench.example"]}),
    ("trainees (credentials admin)", HOST, "secretariat", "/admin/trainees?q=bench.example",
     r'href="/admin/trainees/\d+"', {"q": ["bench.example"]}),
    ("progress cohort", HOST, "secretariat", "/progress/cohort?facility={facility}",
     '<tr id="trainee-', {"facility": ["{facility}"]}),
    ("director's trainees (progress)", HOST, "director", "/progress/trainees",
     '<tr id="trainee-', {}),
    ("お知らせ管理", HOST, "secretariat", "/admin/notices", 'data-label="件名"', {}),
    ("audit trail", HOST, "secretariat", "/admin/audit?subject=credentials",
     'data-label="日時"', {"subject": ["credentials"]}),
]


@pytest.fixture(scope="module")
def owner_app(app, app_config, db_urls):
    """bench-data runs as the table owner (it sets the id sequences)."""
    return create_app({**app_config, "SQLALCHEMY_DATABASE_URI": db_urls["owner"]})


def _waiting_for_the_director(summary: dict) -> None:
    """60 training start applications and 60 facility changes for the known director."""
    tenant_id = summary["tenant_id"]
    with system_scope(db.session):
        director = db.session.scalar(select(User).where(
            User.tenant_id == tenant_id, User.login_id == LOGINS["director"]))
        trainees = list(db.session.scalars(select(User).where(
            User.tenant_id == tenant_id, User.role == Role.trainee.value,
            User.facility_id == director.facility_id).order_by(User.id).limit(ROWS)))
        now = datetime.now(UTC)
        for trainee in trainees:
            db.session.add(TrainingStartApplication(
                tenant_id=tenant_id, trainee_id=trainee.id, facility_id=director.facility_id,
                program_director_id=director.id, training_start_date=date(2026, 4, 1),
                status="pending_review"))
            enrollment = Enrollment(tenant_id=tenant_id, trainee_id=trainee.id,
                                    facility_id=director.facility_id,
                                    program_director_id=director.id, from_date=date(2025, 4, 1))
            db.session.add(enrollment)
            db.session.flush()
            db.session.add(PeriodChange(
                tenant_id=tenant_id, trainee_id=trainee.id, kind="suspension",
                facility_id=director.facility_id, approver_id=director.id,
                enrollment_id=enrollment.id, start_date=date(2026, 5, 1),
                end_date=date(2026, 5, 31), reason_detail="産前産後休暇", submitted_at=now))
        for n in range(ROWS):  # bench-data writes 12
            db.session.add(Notice(tenant_id=tenant_id, title=f"お知らせ {n}: 研修記録の提出について",
                                  body="詳細は学会ホームページをご覧ください。",
                                  published_at=now - timedelta(days=n)))
        db.session.commit()
        summary["facility"] = director.facility_id


@pytest.fixture
def lists(app, owner_app):
    """Built for each test: tests marked `committed` empty every table afterwards."""
    with owner_app.app_context():
        summary = generate(Plan(trainees=ROWS, facilities=1, seed=7, pending_share=1.0,
                                hot_share=1.0, small_trainees=1, files=0,
                                recruitment_applicants=ROWS))
        _waiting_for_the_director(summary)
        db.session.remove()
    yield summary


def _client(app, host: str, who: str) -> TenantClient:
    client = TenantClient(app, host)
    client.login((JMSB_LOGINS if host == JMSB else LOGINS)[who], PASSWORD)
    return client


@pytest.mark.parametrize("name, host, who, path, marker, kept", PAGES,
                         ids=[page[0] for page in PAGES])
def test_list_page_shows_50_rows_in_40_kb_and_a_next_link_with_its_filters(
        app, lists, name, host, who, path, marker, kept):
    client = _client(app, host, who)
    path = path.format(facility=lists["facility"])
    kept = {k: [v.format(facility=lists["facility"]) for v in vs] for k, vs in kept.items()}
    first = client.get(path)
    assert first.status_code == 200, name
    body = first.get_data()
    text = body.decode()
    assert len(re.findall(marker, text)) == SHOWN, (name, len(re.findall(marker, text)))
    assert len(body) <= MAX_BYTES, (name, len(body))
    link = re.search(r'<a [^>]*id="next-page"[^>]*href="([^"]+)"', text)
    assert link, name
    url = unescape(link.group(1))
    query = parse_qs(urlsplit(url).query)
    assert {k: query.get(k) for k in kept} == kept, (name, url)
    second = client.get(url).get_data(as_text=True)
    assert 0 < len(re.findall(marker, second)) < SHOWN, name  # the rest
    assert 'id="next-page"' not in second, name  # the last page links to no empty one
    print(f"{name}: {len(body):,} bytes at {SHOWN} rows")


@pytest.mark.parametrize("path, field", [("/admin/people", 'id="facility-filter"'),
                                         ("/progress/cohort", 'id="facility"')])
def test_a_society_with_many_facilities_filters_by_part_of_the_name(app, lists, owner_app,
                                                                    path, field):
    """A select of 2,000 facilities alone would be 90 KB of every page of the list."""
    with owner_app.app_context(), system_scope(db.session):
        db.session.add_all(Facility(tenant_id=lists["tenant_id"], name=f"追加病院{n:03}")
                           for n in range(SELECT_MAX))
        hot = db.session.get(Facility, lists["facility"]).name
        db.session.commit()
    client = _client(app, HOST, "secretariat")
    page = client.text(path)
    assert f"<select {field}" not in page and 'name="facility_q"' in page
    found = client.text(f"{path}?facility_q={hot}")
    assert len(re.findall(r'<tr id="trainee-|href="/admin/people/\d+"', found)) == SHOWN
    assert re.search(r'id="next-page"[^>]*href="[^"]*facility_q=', found)
    assert len(re.findall(r'<tr id="trainee-|href="/admin/people/\d+"',
                          client.text(f"{path}?facility_q=追加病院"))) == 0
