"""Issue 15 item 1: the secretariat's people import: formats, rules, two steps, mail, CLI."""
from __future__ import annotations

import io
import re

from openpyxl import Workbook
from sqlalchemy import select

from portal.accounts.models import User
from portal.blueprints.credentials.models import TrainingStartApplication
from portal.directory.models import Facility
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.rows import outbox

HEADER = "会員番号,氏名,氏名カナ,メールアドレス,役割,施設コード,施設名,基本領域,プログラム状況,研修開始日,統括責任者会員番号,備考"
GOOD = [
    "910001,統括 一郎,トウカツ イチロウ,d1@example.jp,統括責任者,F001,施設A,,,,,",
    "810001,専攻 花子,センコウ ハナコ,t1@example.jp,専攻医,F001,施設A,内科,プログラム修了見込み,2024-04-01,910001,",
]


def _csv(lines, encoding="utf-8-sig") -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode(encoding)


def _upload(client, data: bytes, name: str = "people.csv"):
    return client.post("/admin/imports", {"file": (io.BytesIO(data), name)},
                       csrf_from="/admin/imports", content_type="multipart/form-data")


def _batch_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return int(re.search(r"/admin/imports/(\d+)", response.headers["Location"]).group(1))


def _confirm(client, batch_id: int):
    return client.post(f"/admin/imports/{batch_id}/confirm", csrf_from=f"/admin/imports/{batch_id}")


def _login(jsicm):
    jsicm.login("jsicm-jimu")
    return jsicm


def _user(app, world, member_number):
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        user = db.session.scalar(select(User).where(User.member_number == member_number))
        db.session.expunge_all()
        return user


def test_preview_then_confirm_creates_people_facility_and_training_start(app, world, jsicm):
    client = _login(jsicm)
    batch = _batch_id(_upload(client, _csv(GOOD)))
    page = client.text(f"/admin/imports/{batch}")
    assert "新規 2" in page and "取り込まない列があります: 備考" in page
    assert _user(app, world, "810001") is None  # the preview changes nothing
    assert _confirm(client, batch).status_code == 303
    trainee = _user(app, world, "810001")
    assert trainee.login_id == "810001" and trainee.jmsb_basic_specialty == "internal_medicine"
    assert trainee.password_hash is None and trainee.basic_program_status == "program_completion_expected"
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        facility = db.session.scalar(select(Facility).where(Facility.code == "F001"))
        assert facility.id == world.jsicm.facility  # 施設A had no code: adopted by name
        start = db.session.scalar(select(TrainingStartApplication).where(
            TrainingStartApplication.trainee_id == trainee.id))
        assert start.training_start_date.isoformat() == "2024-04-01"
    mails = outbox(app, template="import_account_created")
    assert sorted(m.to_addr for m in mails) == ["d1@example.jp", "t1@example.jp"]
    assert "/password/reset/" in mails[0].body


def test_same_file_twice_changes_nothing_and_sends_nothing(app, world, jsicm):
    client = _login(jsicm)
    assert _confirm(client, _batch_id(_upload(client, _csv(GOOD)))).status_code == 303
    sent = len(outbox(app))
    again = _batch_id(_upload(client, _csv(GOOD)))
    assert "変更なし 2" in client.text(f"/admin/imports/{again}")
    assert _confirm(client, again).status_code == 303
    assert len(outbox(app)) == sent


def test_update_of_an_existing_trainee_sends_no_mail(app, world, jsicm):
    client = _login(jsicm)
    row = "800014,専攻医 テスト1,センコウイ テストイチ,trainee@jsicm.example.jp,専攻医,,,外科,,,,"
    batch = _batch_id(_upload(client, _csv([row])))
    page = client.text(f"/admin/imports/{batch}")
    assert "更新 1" in page and "基本領域" in page
    _confirm(client, batch)
    assert _user(app, world, "800014").jmsb_basic_specialty == "surgery"
    assert outbox(app, template="import_account_created") == []


def test_cp932_full_width_and_spaces_are_normalised_and_shown(app, world, jsicm):
    client = _login(jsicm)
    row = "８１０００２, 専攻 次郎 ,ｾﾝｺｳ ｼﾞﾛｳ,ｔ２@example.jp,専攻医,,,,,,,"
    batch = _batch_id(_upload(client, _csv([row], "cp932")))
    page = client.text(f"/admin/imports/{batch}")
    assert "新規 1" in page and "「８１０００２」を「810002」に整えました" in page
    _confirm(client, batch)
    user = _user(app, world, "810002")
    assert (user.email, user.full_name, user.full_name_kana) == ("t2@example.jp", "専攻 次郎", "センコウ ジロウ")


def test_xlsx_is_read(app, world, jsicm):
    book = Workbook()
    sheet = book.active
    sheet.append(["氏名", "役割", "会員番号", "メールアドレス"])  # any order
    sheet.append(["統括 三郎", "統括責任者", 910003, "d3@example.jp"])
    out = io.BytesIO()
    book.save(out)
    client = _login(jsicm)
    batch = _batch_id(_upload(client, out.getvalue(), "people.xlsx"))
    assert "新規 1" in client.text(f"/admin/imports/{batch}")


def test_every_error_reason_is_shown_and_nothing_is_applied_for_them(app, world, jsicm):
    client = _login(jsicm)
    rows = [
        "820001,誤り 一,,not-an-email,専攻医,,,,,,,",
        "820002,誤り 二,,e2@example.jp,事務局,,,,,,,",
        "820003,誤り 三,,e3@example.jp,専攻医,ZZZ,,,,,,",
        "820004,誤り 四,,e4@example.jp,専攻医,F9,施設Z,,,2024-13-45,910001,",
        "820005,誤り 五,,e5@example.jp,専攻医,,,歯科,,,,",
        "820006,正し 六,,e6@example.jp,専攻医,,,,,,,",
        "820006,重複 六,,e7@example.jp,専攻医,,,,,,,",
        "820008,重複 メール,,trainee@jsicm.example.jp,専攻医,,,,,,,",
        ",名前 だけ,,e9@example.jp,専攻医,,,,,,,",
    ]
    batch = _batch_id(_upload(client, _csv(rows)))
    page = client.text(f"/admin/imports/{batch}?action=error")
    for reason in ("メールアドレス「not-an-email」の形式が正しくありません。", "役割「事務局」は取り込めません",
                   "施設コード「ZZZ」は登録されていません", "研修開始日「2024-13-45」は日付ではありません",
                   "統括責任者「910001」が見つかりません", "基本領域「歯科」は一覧にありません。",
                   "会員番号がファイル内で重複しています（7行目と同じ）。",
                   "メールアドレス「trainee@jsicm.example.jp」は別のアカウントで使われています。",
                   "会員番号が入力されていません。"):
        assert reason in page, reason
    assert "新規 1" in client.text(f"/admin/imports/{batch}")
    csv = client.get(f"/admin/imports/{batch}/errors.csv")
    assert csv.data.startswith("\ufeff".encode()) and "attachment" in csv.headers["Content-Disposition"]
    _confirm(client, batch)
    assert _user(app, world, "820006").full_name == "正し 六"
    assert _user(app, world, "820001") is None


def test_formula_cells_are_not_run_in_the_error_csv(app, world, jsicm):
    client = _login(jsicm)
    batch = _batch_id(_upload(client, _csv(["=HYPERLINK(1),x,,bad,専攻医,,,,,,,"])))
    body = client.get(f"/admin/imports/{batch}/errors.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_missing_required_column_and_unreadable_file_are_clear_errors(app, world, jsicm):
    client = _login(jsicm)
    response = _upload(client, "氏名,役割\r\nA,専攻医\r\n".encode())
    assert response.status_code == 400
    assert "必須の列がありません: 会員番号、メールアドレス" in response.get_data(as_text=True)
    response = _upload(client, b"\x81\xff\xfe\x00garbage", "people.csv")
    assert response.status_code == 400 and "文字コードを判別できません" in response.get_data(as_text=True)
    response = _upload(client, b"%PDF-1.4", "people.pdf")
    assert response.status_code == 400


def test_confirm_refused_when_data_changed_after_preview(app, world, jsicm):
    client = _login(jsicm)
    batch = _batch_id(_upload(client, _csv(GOOD)))
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        db.session.add(User(tenant_id=world.jsicm.tenant_id, login_id="x", email="d1@example.jp",
                            role="trainee", full_name="横取り"))
        db.session.commit()
    response = _confirm(client, batch)
    assert response.status_code == 409
    assert "プレビューの後に登録内容が変わりました" in response.get_data(as_text=True)
    assert _user(app, world, "810001") is None


def test_other_roles_and_other_societies_get_404(app, world, jsicm, jmsb):
    client = _login(jsicm)
    batch = _batch_id(_upload(client, _csv(GOOD)))
    jmsb.login("jmsb-jimu@example.jp")
    assert jmsb.get(f"/admin/imports/{batch}").status_code == 404
    assert jmsb.get(f"/admin/imports/{batch}/errors.csv").status_code == 404
    trainee = jsicm.__class__(app, "jsicm.localhost")
    trainee.login("jsicm-800014")
    assert trainee.get(f"/admin/imports/{batch}").status_code == 404
    assert trainee.get("/admin/imports").status_code == 403


def test_cli_reports_rows_and_exits_non_zero_on_error(app, world, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(_csv([*GOOD, "830001,誤り,,bad,専攻医,,,,,,,"]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-people", "--tenant", "jsicm", str(path), "--dry-run"])
    assert result.exit_code == 1, result.output
    assert "4\terror\t830001\tメールアドレス「bad」の形式が正しくありません。" in result.output
    assert "create=2" in result.output and _user(app, world, "810001") is None
    ok = tmp_path / "ok.csv"
    ok.write_bytes(_csv(GOOD))
    result = runner.invoke(args=["import-people", "--tenant", "jsicm", str(ok)])
    assert result.exit_code == 0, result.output
    assert _user(app, world, "810001") is not None


def test_htmx_upload_answers_the_preview_in_place(app, world, jsicm):
    client = _login(jsicm)
    token = client.csrf("/admin/imports")
    response = client.client.post("/admin/imports", data={"file": (io.BytesIO(_csv(GOOD)), "p.csv"),
                                                          "csrf_token": token},
                                  headers={"HX-Request": "true", "X-CSRFToken": token},
                                  content_type="multipart/form-data")
    assert response.status_code == 200
    assert re.fullmatch(r"/admin/imports/\d+", response.headers["HX-Push-Url"])
    body = response.get_data(as_text=True)
    assert 'id="import-preview"' in body and "新規 2" in body and "<html" not in body
    refused = client.client.post("/admin/imports", data={"file": (io.BytesIO(b"x"), "p.txt"),
                                                         "csrf_token": token},
                                 headers={"HX-Request": "true", "X-CSRFToken": token},
                                 content_type="multipart/form-data")
    assert refused.status_code == 400 and refused.headers["HX-Retarget"]
    assert "CSV（.csv）または Excel（.xlsx）のファイルを選んでください。" in refused.get_data(as_text=True)


def test_jspm_roster_import_with_qualification_and_validity(app, factories, client_for):
    from portal.blueprints.renewal.models import SocietyMember

    tid = factories.tenant("jspm", "日本緩和医療学会")
    factories.user(tid, "jimu@jspm.example", "secretariat", email="jimu@jspm.example")
    client = client_for("jspm.localhost")
    client.login("jimu@jspm.example")
    roster = ("会員番号,氏名,資格,有効期間開始,有効期間終了\r\n"
              "１００００１,緩和 一郎,指導医,2024/04/01,2029-03-31\r\n"
              "100002,緩和 二郎,看護師,2024-04-01,\r\n"
              "100003,緩和 三郎,認定医,2025-04-01,2024-03-31\r\n")
    response = client.post("/admin/imports", {"kind": "roster", "file": (
        io.BytesIO(roster.encode("cp932")), "roster.csv")}, csrf_from="/admin/imports",
        content_type="multipart/form-data")
    batch = _batch_id(response)
    page = client.text(f"/admin/imports/{batch}")
    assert "新規 1" in page and "エラー 2" in page
    assert "資格「看護師」は認定医・専門医・指導医のいずれかにしてください。" in page
    assert "有効期間の終了が開始より前です。" in page
    assert _confirm(client, batch).status_code == 303
    with app.app_context(), tenant_scope(db.session, tid):
        member = db.session.scalar(select(SocietyMember).where(SocietyMember.member_number == "100001"))
        assert (member.qualification, member.valid_to.isoformat()) == ("supervisor", "2029-03-31")
    again = _batch_id(client.post("/admin/imports", {"kind": "roster", "file": (
        io.BytesIO(roster.encode("cp932")), "roster.csv")}, csrf_from="/admin/imports",
        content_type="multipart/form-data"))
    assert "変更なし 1" in client.text(f"/admin/imports/{again}")
    assert outbox(app) == []  # the roster mails nobody


def test_roster_refused_where_the_society_keeps_none(app, world, jsicm):
    client = _login(jsicm)
    response = client.post("/admin/imports", {"kind": "roster", "file": (
        io.BytesIO(b"a,b\r\n1,2\r\n"), "r.csv")}, csrf_from="/admin/imports",
        content_type="multipart/form-data")
    assert response.status_code == 400


def test_jspm_facilities_with_certification_number_and_type(app, factories, client_for):
    from portal.blueprints.renewal.models import FacilityCertification

    tid = factories.tenant("jspm", "日本緩和医療学会")
    factories.user(tid, "jimu@jspm.example", "secretariat", email="jimu@jspm.example")
    client = client_for("jspm.localhost")
    client.login("jimu@jspm.example")

    def upload(kind_label: str) -> int:
        body = ("担当者名,メールアドレス,役割,認定番号,施設名,種別\r\n"
                f"緩和 次郎,east@jspm.example,施設責任者,ＰＣ-0101,東緩和ケア病院,{kind_label}\r\n")
        return _batch_id(client.post("/admin/imports", {"file": (io.BytesIO(body.encode()), "f.csv")},
                                     csrf_from="/admin/imports", content_type="multipart/form-data"))

    first = upload("基幹施設")
    assert "新規 1" in client.text(f"/admin/imports/{first}")
    _confirm(client, first)
    assert "変更なし 1" in client.text(f"/admin/imports/{upload('基幹')}")
    changed = upload("連携施設")
    assert "更新 1" in client.text(f"/admin/imports/{changed}")
    _confirm(client, changed)
    with app.app_context(), tenant_scope(db.session, tid):
        cert = db.session.scalar(select(FacilityCertification))
        assert (cert.certification_number, cert.facility_type) == ("PC-0101", "affiliated")
    bad = upload("大学")
    assert "種別「大学」は基幹施設または連携施設にしてください。" in client.text(f"/admin/imports/{bad}")
