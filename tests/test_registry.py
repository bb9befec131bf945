"""Features register, home renders the union (portal.registry). The three first societies keep
exactly the menus they had when home picked one menu per society; a society with every module
gets the union, in one order; a question nobody owns gets its default."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import g

from portal.registry import NOT_BUILT, Feature, Menu, Registry, TaskKind
from portal.tenants.resolve import rules_for

NEEDS_APPROVAL = "証票が統括責任者に承認されると利用できます。"


def _menu(app, slug: str, role: str, answers: dict | None = None) -> list[tuple[str, bool]]:
    user = SimpleNamespace(role=role, id=0, tenant_id=0)
    with app.test_request_context("/"):
        g.rules = rules_for(slug)
        # A trainee whose credential is not approved yet (credentials' answer, kept per request)
        g.credentials_case_entry_unlocked = False
        g.credentials_enrolled = False  # nor enrolled yet
        items = app.extensions["portal.registry"].menu(user, g.rules)
        return [(str(item.label), item.enabled) for item in items]


JSICM_TRAINEE = [("トップページ", True), ("研修開始申請", True), ("証票アップロード", True),
                 ("登録情報の確認・変更", True), ("所属研修施設変更・休止登録", False),
                 ("経験症例新規登録", False), ("症例レポート新規登録", False), ("症例一覧", False),
                 ("研修終了要件チェック", True), ("マニュアル", False)]

# Every society's secretariat console (issue 15), after the feature pages.
CONSOLE = [("アカウント管理", True), ("一括取込", True), ("お知らせ管理", True), ("監査ログ", True)]
# Every society's secretariat first sees its dashboard and overdue list (issue 19).
DEADLINES = [("事務局ダッシュボード", True), ("期限超過一覧", True)]


@pytest.mark.parametrize(("slug", "role", "expected"), [
    ("jsicm", "trainee", JSICM_TRAINEE),
    ("jsicm", "program_director", [("トップページ", True), ("研修開始審査", True), ("証票審査", True),
                                   ("施設変更・休止審査", True), ("症例承認", True), ("専攻医の進捗", True),
                                   ("症例レポート審査", True), ("登録情報の確認・変更", True)]),
    ("jsicm", "facility_manager", [("トップページ", True), ("登録情報の確認・変更", True)]),
    # A-S12 (issue 15): the secretariat's trainee administration
    ("jsicm", "secretariat", [("トップページ", True), *DEADLINES, ("研修開始審査", True), ("証票審査", True),
                              ("施設変更・休止審査", True), ("専攻医管理", True), ("研修進捗一覧", True),
                              ("症例レポート審査", True), ("登録情報の確認・変更", True), *CONSOLE]),
    ("jmsb", "trainee", [("トップページ", True), ("応募", True), ("採否結果", True),
                         ("医師免許証", True), ("登録情報管理", True), ("専攻医の研修実績", True)]),
    # issue 17: the training record (在籍, 研修実績) is live for JMSB
    ("jmsb", "program_director", [("トップページ", True), ("応募者一覧・採否登録", True),
                                  ("専攻医の研修実績", True), ("登録情報管理", True)]),
    ("jmsb", "secretariat", [("トップページ", True), *DEADLINES, ("応募一覧", True), ("登録者一覧", True),
                             ("プログラム管理", True), ("募集期間の管理", True), ("在籍専攻医一覧", True),
                             ("シーリング対象外の登録", True),
                             ("登録情報管理", True)] + CONSOLE),
    ("jspm", "facility_manager", [("マイページTOP", True), ("認定マイページ", True),
                                  ("登録情報の確認・変更", True)]),
    ("jspm", "secretariat", [("トップページ", True), *DEADLINES, ("更新申請一覧", True),
                             ("施設アカウント管理", True), ("申請期間の管理", True),
                             ("文書番号の確認", True), ("登録情報の確認・変更", True)] + CONSOLE),
])
def test_the_first_societies_keep_their_menus(app, slug, role, expected):
    assert _menu(app, slug, role) == expected


def test_every_module_on_gives_the_union_in_one_order(app):
    labels = [label for label, _ in _menu(app, "jsgt", "secretariat")]
    assert labels == ["トップページ", "事務局ダッシュボード", "期限超過一覧", "研修開始審査", "証票審査", "施設変更・休止審査", "専攻医管理", "研修進捗一覧",
                      "症例レポート審査", "応募一覧", "登録者一覧", "プログラム管理",
                      "募集期間の管理", "在籍専攻医一覧", "シーリング対象外の登録", "更新申請一覧",
                      "施設アカウント管理", "申請期間の管理", "文書番号の確認",
                      "登録情報の確認・変更"] + [label for label, _ in CONSOLE]
    trainee = [label for label, _ in _menu(app, "jsgt", "trainee")]
    assert trainee[:7] == ["トップページ", "研修開始申請", "証票アップロード", "応募", "採否結果",
                           "医師免許証", "登録情報の確認・変更"]
    assert {"経験症例新規登録", "症例一覧", "専攻医の研修実績"} <= set(trainee)


def _registry(*features: Feature) -> Registry:
    registry = Registry()
    for feature in features:
        registry.add(feature)
    return registry


def test_a_module_that_is_off_adds_nothing_and_its_question_gets_the_default(app):
    from flask import Blueprint

    gate = Feature("gate", Blueprint("gate", __name__), module="credentials",
                   menus=(Menu("A", "x.a", frozenset({"trainee"}), order=1),),
                   tasks={"t": TaskKind("title", arg="id")},
                   answers={"case_entry_block": lambda user: NEEDS_APPROVAL})
    registry = _registry(gate)
    with app.app_context():
        off, on = rules_for("jmsb"), rules_for("jsicm")
    user = SimpleNamespace(role="trainee")
    assert registry.menu(user, off) == []
    assert registry.answer("case_entry_block", off, user) is None
    assert registry.answer("case_entry_block", on, user) == NEEDS_APPROVAL
    assert registry.task_kind("t") == TaskKind("title", "id") and registry.task_kind("u") is None


def test_an_entry_without_a_page_says_why_and_a_feature_registers_once(app):
    from flask import Blueprint

    bp = Blueprint("soon", __name__)
    feature = Feature("soon", bp, menus=(Menu("B", None, frozenset({"trainee"}), order=1),))
    registry = _registry(feature)
    with app.app_context():
        [item] = registry.menu(SimpleNamespace(role="trainee"), rules_for("jsicm"))
    assert not item.enabled and item.reason == NOT_BUILT and item.url is None
    with pytest.raises(RuntimeError):
        registry.add(feature)
