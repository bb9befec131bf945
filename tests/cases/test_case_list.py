"""症例一覧: the trainee's own cases, newest first, 50 per page by keyset (?after=), filters in
the URL, a 次へ link without a count, the filtered list as an Excel CSV (all rows, streamed),
and a fixed number of SQL statements whatever the number of rows."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from tests.factories.helpers.case_log import case_rows, unlock
from tests.factories.helpers.rows import sql_sent


@pytest.fixture
def trainee(app, world, jsicm):
    unlock(app, world.jsicm)
    jsicm.login("jsicm-800014")
    return jsicm


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/cases/(\d+)"', page)]


def _csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_newest_first_fifty_per_page_with_a_next_link(world, trainee, add_rows):
    ids = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 60))
    first = trainee.text("/cases/")
    assert _ids(first) == sorted(ids, reverse=True)[:50]
    link = re.search(r'href="/cases/\?after=(\d+)"[^>]*>次へ', first)
    assert link and int(link.group(1)) == sorted(ids, reverse=True)[49]
    second = trainee.text(f"/cases/?after={link.group(1)}")
    assert _ids(second) == sorted(ids, reverse=True)[50:]
    assert "次へ" not in second and "最初へ" in second
    assert "件中" not in first  # no count


def test_only_the_trainees_own_cases(world, trainee, factories, add_rows):
    other = factories.user(world.jsicm.tenant_id, "jsicm-800020", "trainee")
    [theirs] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1, trainee_id=other))
    [mine] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1))
    [jmsb_case] = add_rows(world.jmsb.tenant_id, *case_rows(world.jmsb, 1))
    assert _ids(trainee.text("/cases/")) == [mine]
    rows = _csv(trainee.get("/cases/export.csv"))
    assert [r[0] for r in rows[1:]] == [str(mine)] and str(theirs) not in {r[0] for r in rows}


def test_filters_by_category_branch_or_leaf_status_dates_and_organ_support(world, trainee, add_rows):
    t = world.jsicm.tenant_id
    [ards] = add_rows(t, *case_rows(world.jsicm, 1, category="resp_ards", supports=("imv",),
                                    start=date(2025, 1, 10)))
    [copd] = add_rows(t, *case_rows(world.jsicm, 1, category="resp_copd", supports=("niv",),
                                    status="signed_off", start=date(2025, 2, 10)))
    [hf] = add_rows(t, *case_rows(world.jsicm, 1, category="cardio_hf", supports=("ecmo", "mcs"),
                                  start=date(2025, 3, 10)))
    assert _ids(trainee.text("/cases/?category=resp")) == [copd, ards]
    assert _ids(trainee.text("/cases/?category=resp_ards")) == [ards]
    assert _ids(trainee.text("/cases/?status=signed_off")) == [copd]
    assert _ids(trainee.text("/cases/?status=entered")) == [hf, ards]
    assert _ids(trainee.text("/cases/?from=2025-02-01&to=2025-02-28")) == [copd]
    assert _ids(trainee.text("/cases/?organ_support=ecmo")) == [hf]
    assert _ids(trainee.text("/cases/?organ_support=ecmo&category=resp")) == []
    assert _ids(trainee.text("/cases/?category=nonsense")) == [hf, copd, ards]  # a stale link
    bad = trainee.get("/cases/?from=2025-13-01")
    assert bad.status_code == 400 and "日付は 2025-04-01 の形で入力してください。" in bad.get_data(as_text=True)
    page = trainee.text("/cases/?category=resp&organ_support=niv")
    assert 'href="/cases/export.csv?category=resp&amp;organ_support=niv"' in page


def test_the_csv_has_every_filtered_row_with_labels(world, trainee, add_rows):
    t = world.jsicm.tenant_id
    add_rows(t, *case_rows(world.jsicm, 55, category="resp_ards"))
    [hf] = add_rows(t, *case_rows(world.jsicm, 1, category="cardio_hf", supports=("ecmo",)))
    response = trainee.get("/cases/export.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    rows = _csv(response)
    assert rows[0][:4] == ["症例番号", "登録日", "ICU入室日", "ICU退室日"]
    assert len(rows) == 1 + 56  # all rows, not a page
    assert rows[1] == [str(hf), "2025/01/02", "2025/01/01", "2025/01/02", "65〜79歳", "男性",
                       "循環器／急性心不全・心原性ショック", "ECMO", "気管挿管（術者）", "生存退室", "施設A",
                       "統括 太郎", "承認待ち", "", "第3病日に抜管"]
    only = _csv(trainee.get("/cases/export.csv?category=cardio"))
    assert [r[0] for r in only[1:]] == [str(hf)]


def test_a_formula_in_the_summary_is_plain_text_in_the_csv(world, trainee, add_rows):
    [row] = case_rows(world.jsicm, 1)
    row.summary = "=1+1"
    add_rows(world.jsicm.tenant_id, row)
    assert _csv(trainee.get("/cases/export.csv"))[1][-1] == "'=1+1"


def _statements(app, client, path: str) -> list[str]:
    sent = sql_sent(app, lambda: client.get(path).get_data())  # the body streams: read it
    return [s for s in sent if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))]


@pytest.mark.parametrize("path", ["/cases/", "/cases/?category=resp&organ_support=imv",
                                  "/cases/export.csv"])
def test_the_same_few_statements_for_one_row_and_for_sixty(app, world, trainee, add_rows, path):
    add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1))
    one = _statements(app, trainee, path)
    add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 59))
    sixty = _statements(app, trainee, path)
    assert len(one) == len(sixty) <= 10, sixty


def test_the_export_reads_in_keyset_batches_without_losing_or_repeating_a_row(app, world, add_rows):
    from portal.blueprints.cases.queries import cases as queries
    from portal.tenants.resolve import rules_for
    from tests.factories.helpers.rows import user

    ids = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 20))
    with app.test_request_context("/"):
        from portal.extensions import db
        from portal.tenants.scoping import tenant_scope
        with tenant_scope(db.session, world.jsicm.tenant_id):
            trainee = user(world.jsicm.trainee)
        got = [c.id for c in queries.trainee_export(trainee, queries.CaseFilters(),
                                                     rules_for("jsicm"), batch=7)]
    assert got == sorted(ids, reverse=True)
