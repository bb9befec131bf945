"""Issue 14 item 4: after 申請 the facility sees what it submitted, its forms say why they can no
longer be changed (not 「現在は申請期間外です。」 while the window is open), and a save with
errors does not read as if it had succeeded."""
from __future__ import annotations

from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.renewal import (
    CORE_LOGIN,
    form1_data,
    form2_data,
    physicians,
    post_form1,
    upload_scan,
)

OUT_OF_WINDOW = "現在は申請期間外です。"


def _apply(client):
    client.login(CORE_LOGIN)
    assert post_form1(client, form1_data(), physicians()).status_code == 200
    assert client.post("/renewal/form2", form2_data(beds="412"),
                       csrf_from="/renewal/apply").status_code == 200
    assert upload_scan(client, pdf_bytes()).status_code == 303
    assert client.post("/renewal/submit", {}, csrf_from="/renewal/apply").status_code == 303


def test_the_facility_sees_what_it_submitted(jspm):
    _apply(jspm)
    page = jspm.text("/renewal/apply")
    assert "申請した内容" in page
    for entered in ("院長 太郎", "緩和 一郎", "100001", "髙橋 指導医", "412", "緩和ケアチームでの回診と症例検討会"):
        assert entered in page, entered
    assert "申請済みのため押せません" in page  # the disabled button says why


def test_forms_after_submission_say_submitted_not_out_of_window(jspm):
    _apply(jspm)
    for path in ("/renewal/form1", "/renewal/form2"):
        page = jspm.text(path)
        assert OUT_OF_WINDOW not in page, path
        assert "申請済みです。事務局から修正依頼があるまで変更できません。" in page, path
        assert 'href="/renewal/apply#submitted"' in page, path


def test_a_save_with_errors_says_what_is_missing_not_just_saved(jspm):
    jspm.login(CORE_LOGIN)
    page = post_form1(jspm, form1_data(institution_head=""), physicians()).get_data(as_text=True)
    assert "未登録" in page and "施設としての責任者を入力してください。" in page
    assert "入力内容は保存しましたが、次の項目を直すまで「未登録」です。" in page
    assert "一時保存しました。" not in page
    page = post_form1(jspm, form1_data(), physicians()).get_data(as_text=True)
    assert "一時保存しました。" in page and "次の項目を直すまで" not in page


def test_renewal_mail_subjects_carry_the_societys_prefix(app, jspm):
    from tests.factories.helpers.rows import outbox

    _apply(jspm)
    [mail] = outbox(app, template="renewal_submitted")
    assert mail.subject.startswith("【日本緩和医療学会】"), mail.subject
