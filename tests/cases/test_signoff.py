"""症例承認: the director's queue of the cases filed with them, 承認 per row over htmx (the row
comes back signed off, the waiting count out of band) or in bulk (one guarded UPDATE that only
touches the director's own entered cases), read-only views for the director and the
secretariat, the requirement facts, and a fixed number of SQL statements."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.blueprints.cases.models import Case
from tests.factories.helpers.case_log import case_rows, unlock
from tests.factories.helpers.rows import read, sql_sent

HX = {"HX-Request": "true"}


@pytest.fixture
def director(world, client_for):
    client = client_for("jsicm.localhost")
    client.login("jsicm-director")
    return client


def _status(app, world, *ids) -> list[str]:
    rows = {c.id: c for c in read(app, world.jsicm.tenant_id, select(Case))}
    return [rows[i].status for i in ids]


def test_the_queue_lists_only_my_entered_cases_and_filters_by_trainee(world, director, factories,
                                                                       add_rows):
    t = world.jsicm.tenant_id
    other = factories.user(t, "jsicm-800020", "trainee", full_name="専攻医 別人")
    mine = add_rows(t, *case_rows(world.jsicm, 2))
    [theirs] = add_rows(t, *case_rows(world.jsicm, 1, trainee_id=other))
    [done] = add_rows(t, *case_rows(world.jsicm, 1, status="signed_off"))
    [elsewhere] = add_rows(t, *case_rows(world.jsicm, 1, director_id=world.jsicm.other_director))
    page = director.text("/cases/signoff")
    shown = [int(i) for i in re.findall(r'id="case-(\d+)"', page)]
    assert shown == [*mine, theirs] and done not in shown and elsewhere not in shown
    assert '<strong id="waiting-count">3</strong>' in page
    assert f'<option value="{other}">専攻医 別人</option>' in page
    only = director.text(f"/cases/signoff?trainee={other}")
    assert [int(i) for i in re.findall(r'id="case-(\d+)"', only)] == [theirs]
    assert "症例承認" in director.text("/") and "承認待ちの経験症例" in director.text("/")


def test_sign_off_one_row_over_htmx(app, world, director, add_rows):
    ids = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 2))
    response = director.post(f"/cases/signoff/{ids[0]}", {}, csrf_from="/cases/signoff", headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<tr id="case-{ids[0]}">') and "承認済" in body
    assert 'hx-post' not in body.split("<template>")[0]  # no button left in the row
    assert '<strong id="waiting-count" hx-swap-oob="true">1</strong>' in body
    assert _status(app, world, *ids) == ["signed_off", "entered"]
    [case] = [c for c in read(app, world.jsicm.tenant_id, select(Case)) if c.id == ids[0]]
    assert case.signed_off_by_id == world.jsicm.director and case.signed_off_at is not None
    [event] = read(app, world.jsicm.tenant_id, select(AuditEvent).where(
        AuditEvent.action == "case_signed_off"))
    assert (event.entity_id, event.actor_id) == (ids[0], world.jsicm.director)
    again = director.post(f"/cases/signoff/{ids[0]}", {}, csrf_from="/cases/signoff")
    assert again.status_code == 303  # already signed off: said on the queue, nothing changes
    assert "既に承認されています" in director.text("/cases/signoff")


def test_sign_off_without_javascript_redirects_to_the_queue(app, world, director, add_rows):
    [case_id] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1))
    response = director.post(f"/cases/signoff/{case_id}", {}, csrf_from="/cases/signoff")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cases/signoff")
    assert _status(app, world, case_id) == ["signed_off"]


def test_another_director_cannot_sign_off(app, world, client_for, add_rows):
    [case_id] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1))
    other = client_for("jsicm.localhost")
    other.login("jsicm-director-b")
    assert other.post(f"/cases/signoff/{case_id}", {}, csrf_from="/cases/signoff").status_code == 404
    assert other.get(f"/cases/review/{case_id}").status_code == 404
    bulk = other.post("/cases/signoff/bulk", {"case_ids": [str(case_id)]}, csrf_from="/cases/signoff")
    assert bulk.status_code == 303
    assert _status(app, world, case_id) == ["entered"]
    trainee = client_for("jsicm.localhost")
    trainee.login("jsicm-800014")
    assert trainee.post(f"/cases/signoff/{case_id}", {}, csrf_from="/").status_code == 404


def test_bulk_sign_off_touches_only_my_entered_cases(app, world, director, add_rows):
    t = world.jsicm.tenant_id
    mine = add_rows(t, *case_rows(world.jsicm, 3))
    [elsewhere] = add_rows(t, *case_rows(world.jsicm, 1, director_id=world.jsicm.other_director))
    [jmsb_case] = add_rows(world.jmsb.tenant_id, *case_rows(world.jmsb, 1))
    response = director.post("/cases/signoff/bulk", {"case_ids": [str(mine[0]), str(mine[2]),
                                                                  str(elsewhere), str(jmsb_case), "x"]},
                             csrf_from="/cases/signoff", headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="signoff-queue"') and "選択した症例を承認しました。" in body
    assert [int(i) for i in re.findall(r'id="case-(\d+)"', body)] == [mine[1]]
    assert _status(app, world, *mine, elsewhere) == ["signed_off", "entered", "signed_off", "entered"]
    [other] = read(app, world.jmsb.tenant_id, select(Case))
    assert other.status == "entered"
    events = read(app, t, select(AuditEvent).where(AuditEvent.action == "case_signed_off"))
    assert sorted(e.entity_id for e in events) == [mine[0], mine[2]]
    nothing = director.post("/cases/signoff/bulk", {}, csrf_from="/cases/signoff")
    assert nothing.status_code == 303
    assert "承認する症例を選択してください。" in director.text("/cases/signoff")


def test_the_trainee_sees_the_status_and_cannot_edit_after_sign_off(app, world, director, jsicm,
                                                                    add_rows):
    unlock(app, world.jsicm)
    [case_id] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1))
    director.post(f"/cases/signoff/{case_id}", {}, csrf_from="/cases/signoff")
    jsicm.login("jsicm-800014")
    assert "承認済" in jsicm.text("/cases/")
    assert jsicm.get(f"/cases/{case_id}/edit").status_code == 303


def test_read_only_views_for_the_director_and_the_secretariat(world, director, client_for, add_rows):
    [case_id] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1))
    page = director.text(f"/cases/review/{case_id}")
    assert "専攻医 テスト1" in page and "呼吸器／ARDS" in page and f"/cases/{case_id}/edit" not in page
    jimu = client_for("jsicm.localhost")
    jimu.login("jsicm-jimu")
    assert "呼吸器／ARDS" in jimu.text(f"/cases/review/{case_id}")
    [jmsb_case] = add_rows(world.jmsb.tenant_id, *case_rows(world.jmsb, 1))
    assert jimu.get(f"/cases/review/{jmsb_case}").status_code == 404  # another society's
    assert jimu.post(f"/cases/signoff/{case_id}", {}, csrf_from="/").status_code == 404


def test_requirement_facts_count_signed_off_cases_per_trainee_in_one_statement(app, world, factories,
                                                                               add_rows):
    """The shared contract: fn(rules, trainee_ids, today) -> {trainee: facts} (Registry.collect)."""
    from portal.blueprints.cases import FEATURE
    from portal.extensions import db
    from portal.tenants.resolve import rules_for
    from portal.tenants.scoping import tenant_scope

    t = world.jsicm.tenant_id
    other = factories.user(t, "jsicm-800020", "trainee")
    idle = factories.user(t, "jsicm-800021", "trainee")
    add_rows(t, *case_rows(world.jsicm, 2, status="signed_off", category="resp_ards"),
             *case_rows(world.jsicm, 1, status="signed_off", category="cardio_hf"),
             *case_rows(world.jsicm, 4, status="entered"),
             *case_rows(world.jsicm, 1, trainee_id=other, status="signed_off", category="resp_copd"))
    ids = [world.jsicm.trainee, other, idle]
    with app.test_request_context("/"), tenant_scope(db.session, t):
        rules = rules_for("jsicm")
        facts = {}
        sent = sql_sent(app, lambda: facts.update(
            FEATURE.answers["requirement_facts"](rules, ids, date(2026, 1, 1))))
    assert facts == {world.jsicm.trainee: {"cases_total": 3, "cases_by_category": {
                         "resp_ards": 2, "cardio_hf": 1}, "accepted_reports": 0},
                     other: {"cases_total": 1, "cases_by_category": {"resp_copd": 1},
                             "accepted_reports": 0},
                     idle: {"cases_total": 0, "cases_by_category": {}, "accepted_reports": 0}}
    [query] = [s for s in sent if "FROM cases" in s]  # one statement for the whole cohort
    assert "GROUP BY" in query


def _statements(app, client, path: str) -> list[str]:
    sent = sql_sent(app, lambda: client.get(path).get_data())  # the body streams: read it
    return [s for s in sent if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))]


def test_the_queue_sends_the_same_few_statements_for_one_row_and_for_sixty(app, world, director,
                                                                           factories, add_rows):
    add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1))
    one = _statements(app, director, "/cases/signoff")
    for n in range(3):
        uid = factories.user(world.jsicm.tenant_id, f"jsicm-81000{n}", "trainee")
        add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 20 - (n == 0), trainee_id=uid))
    sixty = _statements(app, director, "/cases/signoff")
    assert len(one) == len(sixty) <= 10, sixty
    assert len(_statements(app, director, "/")) == len(_statements(app, director, "/"))


def test_a_waiting_case_gives_the_director_one_task_with_a_due_date_until_the_queue_is_empty(
        app, world, client_for):
    """Issue 19 for the case log: 経験症例の承認 is an item waiting on the director, due
    rules.toml [deadlines.days] signoff_cases (30) days after the first case waits."""
    from portal.worklist.models import Task
    from tests.factories.helpers.case_log import case_form

    unlock(app, world.jsicm)
    trainee = client_for("jsicm.localhost")
    trainee.login("jsicm-800014")
    for _ in range(2):
        assert trainee.post("/cases/new", case_form(), csrf_from="/cases/new").status_code == 303
    [task] = read(app, world.jsicm.tenant_id, select(Task).where(Task.kind == "signoff_cases"))
    assert task.user_id == world.jsicm.director and task.status == "open"
    assert task.due_on is not None and (task.due_on - task.created_at.date()).days in (30, 31)
    ids = [c.id for c in read(app, world.jsicm.tenant_id, select(Case).order_by(Case.id))]
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    director.post(f"/cases/signoff/{ids[0]}", {}, csrf_from="/cases/signoff")
    assert read(app, world.jsicm.tenant_id, select(Task.status))[0] == "open"  # one still waits
    director.post(f"/cases/signoff/{ids[1]}", {}, csrf_from="/cases/signoff")
    assert read(app, world.jsicm.tenant_id, select(Task.status).where(
        Task.kind == "signoff_cases")) == ["done"]


def test_a_director_of_many_trainees_filters_by_member_number(app, world, director, factories,
                                                              add_rows):
    """Past 100 trainees waiting, the filter is a 会員番号 field (full-width folded), so the
    page does not grow with the program."""
    t = world.jsicm.tenant_id
    people = [factories.user(t, f"jsicm-7{i:05d}", "trainee", member_number=f"7{i:05d}")
              for i in range(101)]
    add_rows(t, *[row for uid in people for row in case_rows(world.jsicm, 1, trainee_id=uid)])
    page = director.text("/cases/signoff")
    assert 'name="number"' in page and '<select id="trainee"' not in page
    one = director.text("/cases/signoff?number=７００００７")
    assert one.count('<tr id="case-') == 1
    assert director.text("/cases/signoff?number=999999").count('<tr id="case-') == 0
