"""事務局: the applications CSV for Japanese Excel (UTF-8 with BOM, CRLF, Japanese header),
with the list's filters, a Japanese file name and no formula a spreadsheet would run."""
from __future__ import annotations

import csv
import io
from urllib.parse import quote

from portal.accounts.models import User
from portal.extensions import db
from portal.tenants.scoping import tenant_scope

CSV = "/recruitment/admin/applications.csv"
HEADER = ["応募ID", "氏名", "フリガナ", "医籍登録番号", "生年月日", "メールアドレス", "研修開始年度", "募集回",
          "プログラム", "基本領域", "基幹施設", "統括責任者", "研修制度", "カリキュラム制の理由", "状態", "応募日時",
          "採否登録日時", "辞退理由", "辞退申請日時", "辞退承認・不承認日時"]


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


def rename(app, tenant_id: int, user_id: int, name: str) -> None:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        db.session.get(User, user_id).full_name = name
        db.session.commit()


def test_csv_is_utf8_with_bom_crlf_and_a_japanese_header(jimu, rec, app, applications):
    applications(rec, [rec.applicant], status="accepted")
    response = jimu.get(CSV)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    rows = rows_of(response)
    assert rows[0] == HEADER
    assert rows[1][1:5] == ["応募 花子", "オウボ ハナコ", "654321", ""]
    assert rows[1][8:10] == ["髙田大学病院 小児科専門研修プログラム", "小児科"]
    assert rows[1][14] == "採用"


def test_csv_is_a_no_store_attachment_with_a_japanese_name(jimu, rec):
    response = jimu.get(CSV)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="recruitment_applications.csv"' in disposition
    assert f"filename*=UTF-8''{quote('専攻医応募一覧.csv')}" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_csv_cells_cannot_run_as_formulas(jimu, rec, app, applications):
    rename(app, rec.tenant_id, rec.applicant, '=HYPERLINK("http://evil.example","x")')
    applications(rec, [rec.applicant], status="withdrawal_requested",
                 withdrawal_reason="+81 90 1234 5678 に連絡ください")
    [row] = rows_of(jimu.get(CSV))[1:]
    assert row[1] == '\'=HYPERLINK("http://evil.example","x")'
    assert row[17] == "'+81 90 1234 5678 に連絡ください"


def test_csv_follows_the_lists_filters(jimu, rec, app, applicants, applications):
    people = applicants(rec.tenant_id, 3)
    accepted = applications(rec, people[:2], status="accepted")
    applications(rec, people[2:], program=rec.other_program)
    rows = rows_of(jimu.get(CSV, query_string={"status": "accepted"}))
    assert [int(r[0]) for r in rows[1:]] == accepted
    rows = rows_of(jimu.get(CSV, query_string={"program": rec.other_program}))
    assert [r[8] for r in rows[1:]] == ["みなと総合病院 小児科専門研修プログラム"]
    assert rows_of(jimu.get(CSV, query_string={"q": "該当なし"})) == [HEADER]


def test_the_list_links_to_the_csv_with_its_filters(jimu, rec):
    page = jimu.get("/recruitment/admin/applications",
                    query_string={"status": "accepted"}).get_data(as_text=True)
    assert f"{CSV}?status=accepted" in page
