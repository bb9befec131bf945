"""Issue 19 item 1, the manual's help texts (seed 003): C-R03 the subject and four items of an
e-mail request to the secretariat; C-R07 what to do when the facility-type button misbehaves
and where the collapsed menu is; C-R18 the public roster and the 更新要項 links, from
rules.toml [renewal] roster_url and guidelines (a society without them shows no link)."""
from __future__ import annotations

from urllib.parse import quote

from tests.factories.helpers.renewal import AFFILIATED_LOGIN, CORE_LOGIN

ROSTER = "https://www.jspm.ne.jp/specialistCertification/list/index.html"
SUBJECT = "施設マイページ：メールアドレスについて"
ITEMS = ("認定施設名（可能なら認定番号）", "施設責任者氏名", "施設責任者会員番号または生年月日（本人確認用）",
         "対応希望内容", "①メールアドレスの確認希望連絡 または ②新しいメールアドレス登録希望連絡 など")


def test_my_page_top_says_how_to_recover_the_facility_type_button(jspm):
    jspm.login(CORE_LOGIN)
    top = jspm.text("/")
    assert "ボタンが表示されない/クリックできない場合" in top
    assert "【Ctrl】+【F5キー】を同時に押し、リロードをお試しください" in top
    assert "ブラウザのキャッシュの削除をお試しください。" in top
    assert "メニューが折りたたまれることがあります" in top


def test_the_facility_page_gives_the_email_request_subject_and_its_four_items(jspm):
    jspm.login(CORE_LOGIN)
    page = jspm.text("/renewal/")
    assert SUBJECT in page and all(item in page for item in ITEMS)
    assert f'href="mailto:jspm@a-youme.jp?subject={quote(SUBJECT)}"' in page
    assert "パスワードは事務局にお問い合わせいただいても回答できません" in page
    profile = jspm.text("/profile")  # 登録情報の確認・変更 (via_secretariat) says the same
    assert SUBJECT in profile and ITEMS[2] in profile


def test_core_facility_sees_the_core_guidelines_and_the_roster(jspm):
    jspm.login(CORE_LOGIN)
    page = jspm.text("/renewal/")
    assert "基幹施設の申請条件は学会HP「基幹施設 更新要項」をご確認ください。" in page
    assert 'href="https://www.jspm.ne.jp/specialistCertification/"' in page
    assert f'href="{ROSTER}"' in page and "「基幹施設・連携施設・認定研修施設名簿」" in page
    assert "連携施設 更新要項" not in page


def test_affiliated_facility_sees_its_guidelines_and_the_roster_beside_the_core_choice(jspm):
    jspm.login(AFFILIATED_LOGIN)
    page = jspm.text("/renewal/")
    assert "連携施設の申請条件は学会HP「連携施設 更新要項」をご確認ください。" in page
    assert "基幹施設への連携申請のご連絡は合格判定後、認定開始日にシステム内から連絡が届きます。" in page
    assert f'href="{ROSTER}"' in jspm.text("/renewal/form1")


def test_a_society_without_the_links_shows_none(make_society, client_for):
    make_society(slug="jsgt", name="日本総合研修医学会")
    client = client_for("jsgt.localhost")
    client.login(CORE_LOGIN)
    page = client.text("/renewal/")
    assert "更新要項" in page and ROSTER not in page and "名簿」をご参照ください" not in page
