"""Issue 16's scale rule: one trainee's requirement check is at most 10 SQL statements, and the
same number with 1 trainee's data as with 60 trainees' (credentials, 在籍, signed-off cases,
accepted reports: every feature's facts are read for many trainees in a statement or two);
the director's and the secretariat's pages too, per page of 50."""
from __future__ import annotations

from datetime import date

import pytest

from portal import create_app
from portal.accounts.models import User
from portal.blueprints.cases.models import Case, CaseReport
from portal.blueprints.credentials.models import TrainingStartApplication
from tests.factories.helpers.clients import TenantClient
from tests.factories.helpers.progress import approved_credential, enrollment

pytestmark = pytest.mark.committed  # counted_app has its own engine and pool
MAX_STATEMENTS = 10


@pytest.fixture(scope="module")
def counted_app(app, app_config):
    """The same database, with the X-SQL-Count header on (portal.devdata.sqlcount)."""
    return create_app({**app_config, "SQL_COUNT_HEADER": True})


def statements(counted_app, login: str, path: str) -> int:
    client = TenantClient(counted_app, "jsicm.localhost")
    client.login(login)
    client.get(path)  # the first view may put the CSRF secret in the session
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return int(response.headers["X-SQL-Count"])


def pages(counted_app, s) -> dict[str, int]:
    return {
        "trainee check": statements(counted_app, "jsicm-800014", "/progress/"),
        "director's trainees": statements(counted_app, "jsicm-director", "/progress/trainees"),
        "director's view of a trainee": statements(counted_app, "jsicm-director",
                                                   f"/progress/trainees/{s.trainee}"),
        "cohort": statements(counted_app, "jsicm-jimu", "/progress/cohort"),
        "cohort, filtered": statements(counted_app, "jsicm-jimu",
                                       f"/progress/cohort?year=2024&facility={s.facility}"),
    }


def _record(s, trainee_id: int, application_id: int, cases: int) -> list:
    made = [approved_credential(s, trainee_id, application_id), enrollment(s, trainee_id, s.director)]
    for n in range(cases):
        case = Case(tenant_id=s.tenant_id, trainee_id=trainee_id, director_id=s.director,
                    facility_id=s.facility, entry_date=date(2025, 5, 1),
                    icu_admission_date=date(2025, 5, 1), age_band="40-64", sex="female",
                    primary_category="resp_ards" if n % 2 else "cardio_acs", outcome="alive_discharge",
                    status="signed_off")
        made.append(case)
        if n == 0:
            made.append(CaseReport(tenant_id=s.tenant_id, trainee_id=trainee_id,
                                   director_id=s.director, case=case, status="accepted"))
    return made


def _more_trainees(add_rows, s, count: int) -> None:
    users = [User(tenant_id=s.tenant_id, login_id=f"bulk-{n}", role="trainee", email=f"b{n}@example.jp",
                  full_name=f"専攻医 {n:03d}", facility_id=s.facility) for n in range(count)]
    add_rows(s.tenant_id, *users)
    starts = [TrainingStartApplication(tenant_id=s.tenant_id, trainee_id=u.id, facility_id=s.facility,
                                       program_director_id=s.director,
                                       training_start_date=date(2024, 4, 1), status="approved")
              for u in users]
    add_rows(s.tenant_id, *starts)
    add_rows(s.tenant_id, *[row for u, a in zip(users, starts, strict=True)
                            for row in _record(s, u.id, a.id, cases=5)])


def test_the_check_and_progress_pages_send_as_many_statements_for_none_1_and_60_trainees(
        app, counted_app, world, add_rows):
    s = world.jsicm
    empty = statements(counted_app, "jsicm-800014", "/progress/")
    add_rows(s.tenant_id, *_record(s, s.trainee, s.application, cases=1))
    one = pages(counted_app, s)
    assert empty == one["trainee check"], (empty, one)
    _more_trainees(add_rows, s, 59)
    add_rows(s.tenant_id, *[c for c in _record(s, s.trainee, s.application, cases=20)
                            if isinstance(c, Case)])
    sixty = pages(counted_app, s)
    assert one == sixty, (one, sixty)
    assert max(sixty.values()) <= MAX_STATEMENTS, sixty
    jimu = TenantClient(counted_app, "jsicm.localhost")
    jimu.login("jsicm-jimu")
    page = jimu.get("/progress/cohort", headers={"Accept-Encoding": ""}).get_data()
    assert page.count(b'<tr id="trainee-') == 50 and b'id="next-page"' in page
    assert len(page) < 40_000, len(page)  # DESIGN.md: a page stays under 40 KB of raw HTML

