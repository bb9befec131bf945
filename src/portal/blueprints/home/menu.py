"""Side menus per role. An item that cannot be used yet says why instead of linking."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from portal.blueprints.auth.models import Role
from portal.i18n import N_

NOT_BUILT = N_("この機能は現在準備中です。")
NEEDS_APPROVAL = N_("証票が統括責任者に承認されると利用できます。")


@dataclass(frozen=True)
class MenuItem:
    label: str
    endpoint: str | None
    reason: str | None = None  # why it is disabled
    href: str | None = None  # an outside page (the society's manual)

    @property
    def enabled(self) -> bool:
        return self.reason is None and (self.endpoint is not None or self.href is not None)

    @property
    def url(self) -> str | None:
        if not self.enabled:
            return None
        return self.href or url_for(self.endpoint)


def trainee_menu(rules, unlocked: bool) -> list[MenuItem]:
    gate = None if unlocked else NEEDS_APPROVAL
    manual = rules.links.manual_url
    return [
        MenuItem(N_("トップページ"), "home.index"),
        MenuItem(N_("研修開始申請"), "credentials.training_start"),
        MenuItem(N_("証票アップロード"), "credentials.upload"),
        MenuItem(N_("登録情報の確認・変更"), "profile.show"),
        MenuItem(N_("所属研修施設変更・休止登録"), None, NOT_BUILT),
        MenuItem(N_("経験症例新規登録"), "cases.new_case", gate),
        MenuItem(N_("症例レポート新規登録"), "cases.new_report", gate),
        MenuItem(N_("症例一覧"), "cases.index", gate),
        MenuItem(N_("研修終了要件チェック"), None, NOT_BUILT),
        MenuItem(N_("マニュアル"), None, None if manual else NOT_BUILT, href=manual),
    ]


def reviewer_menu() -> list[MenuItem]:
    return [
        MenuItem(N_("トップページ"), "home.index"),
        MenuItem(N_("証票審査"), "credentials.queue"),
        MenuItem(N_("登録情報の確認・変更"), "profile.show"),
    ]


def basic_menu() -> list[MenuItem]:
    return [
        MenuItem(N_("トップページ"), "home.index"),
        MenuItem(N_("登録情報の確認・変更"), "profile.show"),
    ]


def renewal_menu(role: Role) -> list[MenuItem] | None:
    """JSPM 施設マイページ: the facility's pages, and the secretariat's application list."""
    if role is Role.facility_manager:
        return [MenuItem(N_("マイページTOP"), "home.index"),
                MenuItem(N_("認定マイページ"), "renewal.facility"),
                MenuItem(N_("登録情報の確認・変更"), "profile.show")]
    if role is Role.secretariat:
        return [MenuItem(N_("トップページ"), "home.index"),
                MenuItem(N_("更新申請一覧"), "renewal.review_list"),
                MenuItem(N_("施設アカウント管理"), "renewal.facilities"),
                MenuItem(N_("申請期間の管理"), "renewal.manage_windows"),
                MenuItem(N_("文書番号の確認"), "renewal.verify"),
                MenuItem(N_("登録情報の確認・変更"), "profile.show")]
    return None




def recruitment_menu(role: Role) -> list[MenuItem] | None:
    """JMSB Online System+: applicants, program directors and the secretariat (B-S04..B-S13)."""
    if role is Role.trainee:
        return [MenuItem(N_("トップページ"), "home.index"),
                MenuItem(N_("応募"), "recruitment.programs"),
                MenuItem(N_("採否結果"), "recruitment.index"),
                MenuItem(N_("医師免許証"), "registration.license"),
                MenuItem(N_("登録情報管理"), "profile.show"),
                MenuItem(N_("専攻医の研修実績"), None, NOT_BUILT)]
    if role is Role.program_director:
        return [MenuItem(N_("トップページ"), "home.index"),
                MenuItem(N_("応募者一覧・採否登録"), "recruitment.director_applicants"),
                MenuItem(N_("登録情報管理"), "profile.show")]
    if role is Role.secretariat:
        return [MenuItem(N_("トップページ"), "home.index"),
                MenuItem(N_("応募一覧"), "recruitment.admin_applications"),
                MenuItem(N_("登録者一覧"), "registration.admin_registrants"),
                MenuItem(N_("プログラム管理"), "recruitment.admin_programs"),
                MenuItem(N_("募集期間の管理"), "recruitment.admin_rounds"),
                MenuItem(N_("登録情報管理"), "profile.show")]
    return None


def menu_for(user, rules, unlocked: bool = False) -> list[MenuItem]:
    """Menus follow the society's modules: a society without credentials has no such items."""
    role = Role(user.role)
    if rules.has_module("recruitment"):
        return recruitment_menu(role) or basic_menu()
    if rules.has_module("renewal") and not rules.has_module("credentials"):
        return renewal_menu(role) or basic_menu()
    if not rules.has_module("credentials"):
        return basic_menu()
    if role is Role.trainee:
        return trainee_menu(rules, unlocked)
    if role in (Role.program_director, Role.secretariat):
        return reviewer_menu()
    return basic_menu()
