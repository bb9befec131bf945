"""Every page sends a fixed number of SQL statements whatever the data behind it, partials
are small, pages are compressed (DESIGN.md "Performance habits"; bench/ has the timings).

Data comes from `flask bench-data`'s generator (bulk inserts): 1 pending credential, then
1,000, all at the known director's facility so every queue has that many rows behind it;
the same for jmsb's recruitment: 1 application, then 1,000, all at the known director's
program.
"""
from __future__ import annotations

import pytest

from portal import create_app
from portal.devdata.benchdata import LOGINS, PASSWORD, Plan, generate
from portal.devdata.benchdata_recruitment import JMSB_LOGINS
from portal.extensions import db
from tests.factories.helpers.clients import TenantClient

# counted_app and owner_app have engines and pools of their own: they read committed rows.
pytestmark = pytest.mark.committed

HOST = "jsicm.localhost"
JMSB = "jmsb.localhost"
MAX_STATEMENTS = 10


@pytest.fixture(scope="module")
def counted_app(app, app_config):
    """The same database, with the X-SQL-Count header on (portal.devdata.sqlcount)."""
    return create_app({**app_config, "SQL_COUNT_HEADER": True})


@pytest.fixture(scope="module")
def owner_app(app, app_config, db_urls):
    """bench-data runs as the table owner (it sets the id sequences)."""
    return create_app({**app_config, "SQLALCHEMY_DATABASE_URI": db_urls["owner"]})


def build(owner_app, pending: int) -> dict:
    with owner_app.app_context():
        summary = generate(Plan(trainees=pending, facilities=1, seed=5, pending_share=1.0,
                                hot_share=1.0, small_trainees=1, files=0,
                                recruitment_applicants=pending, cases=pending,
                                known_cases=pending, case_pending_share=1.0))
        db.session.remove()
    return summary


def logged_in(counted_app, who: str | None, host: str = HOST) -> TenantClient:
    client = TenantClient(counted_app, host)
    if who:
        client.login((JMSB_LOGINS if host == JMSB else LOGINS)[who], PASSWORD)
    return client


def pages(summary: dict) -> list[tuple[str, str, str | None, str, dict]]:
    jmsb = summary["jmsb"]
    return [
        ("trainee top page", HOST, "trainee", "/", {}),
        ("director top page", HOST, "director", "/", {}),
        ("director review queue", HOST, "director", "/review/credentials", {}),
        ("secretariat list", HOST, "secretariat", "/review/credentials", {}),
        ("secretariat deep page", HOST, "secretariat",
         f"/review/credentials?after={summary['deep_after']}", {}),
        ("htmx row partial", HOST, "director", f"/review/credentials/{summary['row_id']}/row",
         {"HX-Request": "true"}),
        ("login page", HOST, None, "/login", {}),
        # the case log (issue 16 item 7): the known enrolled trainee's 1 or 1,000 cases, all
        # waiting in the hot director's 症例承認
        ("trainee case list", HOST, "caselog", "/cases/", {}),
        ("trainee requirement check", HOST, "caselog", "/progress/", {}),
        ("director sign-off queue", HOST, "director", "/cases/signoff", {}),
        ("JMSB applicant top page", JMSB, "applicant", "/", {}),
        ("JMSB director top page", JMSB, "director", "/", {}),
        ("JMSB secretariat top page", JMSB, "secretariat", "/", {}),
        ("JMSB director's applicants", JMSB, "director", "/recruitment/director", {}),
        ("JMSB secretariat's 応募一覧", JMSB, "secretariat", "/recruitment/admin/applications", {}),
        ("JMSB secretariat's 応募一覧, deep page", JMSB, "secretariat",
         f"/recruitment/admin/applications?after={jmsb['deep_after']}", {}),
        ("JMSB secretariat's 応募一覧, htmx results", JMSB, "secretariat",
         "/recruitment/admin/applications", {"HX-Request": "true"}),
    ]


def statement_counts(counted_app, summary: dict) -> dict[str, int]:
    counts = {}
    for name, host, who, path, headers in pages(summary):
        client = logged_in(counted_app, who, host)
        client.get(path, headers=headers)  # the first view may put the CSRF secret in the session
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = int(response.headers["X-SQL-Count"])
    return counts


def test_statement_counts_are_the_same_for_1_and_1000_rows_and_at_most_10(
        app, counted_app, owner_app, wipe_tables):
    one = statement_counts(counted_app, build(owner_app, 1))
    wipe_tables()
    summary = build(owner_app, 1000)
    assert summary["pending_hot_facility"] == summary["pending_total"] == 1000
    assert summary["rows"]["cases"] == summary["cases_pending_hot_director"] == 1000
    assert summary["jmsb"]["applications_hot_program"] == 1000
    assert summary["jmsb"]["applications_total"] == 1000
    thousand = statement_counts(counted_app, summary)
    assert one == thousand
    assert max(thousand.values()) <= MAX_STATEMENTS, thousand


def test_jmsb_pages_show_what_bench_measures(app, counted_app, owner_app):
    """bench-data's recruitment: a round open now, the known applicant 応募済 with a licence,
    full pages (50 rows) for the director and the secretariat, and a deep page of 25 rows."""
    summary = build(owner_app, 130)["jmsb"]
    assert summary["applications_total"] == summary["applications_hot_program"] == 130
    top = logged_in(counted_app, "applicant", JMSB).text("/")
    assert 'class="badge status-applied"' in top and "受付中" in top
    director = logged_in(counted_app, "director", JMSB).text("/recruitment/director")
    assert director.count('<tr id="application-') == 50 and 'id="next-page"' in director
    secretariat = logged_in(counted_app, "secretariat", JMSB)
    first = secretariat.text("/recruitment/admin/applications")
    assert first.count('<tr id="application-') == 50 and "該当 130件" in first
    deep = secretariat.text(f"/recruitment/admin/applications?after={summary['deep_after']}")
    assert deep.count('<tr id="application-') == 25


def test_htmx_row_partial_is_at_most_5_percent_of_its_queue_page(app, counted_app, owner_app):
    summary = build(owner_app, 60)
    director = logged_in(counted_app, "director")
    page = director.get("/review/credentials").get_data()
    row = director.get(f"/review/credentials/{summary['row_id']}/row",
                       headers={"HX-Request": "true"})
    body = row.get_data()
    assert page.count(b'id="credential-') == 50
    assert body.lstrip().startswith(b"<tr") and b"<html" not in body
    assert len(body) <= 0.05 * len(page), (len(body), len(page))
    assert "HX-Request" in row.headers["Vary"]


def test_row_url_without_htmx_is_the_queue_showing_that_row(app, counted_app, owner_app):
    summary = build(owner_app, 3)
    text = logged_in(counted_app, "director").text(f"/review/credentials/{summary['row_id']}/row")
    assert "<html" in text and "証票審査" in text
    assert text.count('id="credential-') == 1


def test_row_partial_is_only_for_reviewers_of_that_credential(app, counted_app, owner_app):
    summary = build(owner_app, 3)
    path = f"/review/credentials/{summary['row_id']}/row"
    assert logged_in(counted_app, "trainee").get(path).status_code == 404
    assert logged_in(counted_app, "secretariat").get(path).status_code == 200
    anonymous = logged_in(counted_app, None).get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    other = TenantClient(counted_app, "jmsb.localhost")
    other.login("jimu@jmsb.bench.example", PASSWORD)
    assert other.get(path).status_code == 404  # another society's credential


@pytest.mark.parametrize("accept, encoding", [("br, gzip", "br"), ("gzip", "gzip"), ("", None)])
def test_pages_are_compressed_as_the_browser_accepts(app, counted_app, owner_app, accept,
                                                      encoding):
    build(owner_app, 60)
    response = logged_in(counted_app, "director").get(
        "/review/credentials", headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]


def test_cross_site_requests_get_no_compressed_page(app, counted_app, owner_app):
    """BREACH needs the victim's browser to fetch compressed pages for another site."""
    build(owner_app, 60)
    response = logged_in(counted_app, "director").get(
        "/review/credentials",
        headers={"Accept-Encoding": "br, gzip", "Sec-Fetch-Site": "cross-site"})
    assert "Content-Encoding" not in response.headers


def test_health_needs_no_tenant_no_session_and_no_sql(app, counted_app):
    response = counted_app.test_client().get("/_health", base_url="http://lb.internal")
    assert response.status_code == 200 and response.get_data() == b"ok\n"
    assert response.headers["X-SQL-Count"] == "0"
    assert "Set-Cookie" not in response.headers
