"""登録情報の確認・変更 (A-W05, B-W03): the fields a user may change, per the society's
[profile] rules (the notification e-mail only, or e-mail, address and phone)."""
from flask import Blueprint

from portal.accounts.models import Role
from portal.i18n import N_
from portal.registry import Feature, Menu

bp = Blueprint("profile", __name__, url_prefix="/profile")

from portal.blueprints.profile import views  # noqa: E402

FEATURE = Feature("profile", bp, menus=(
    Menu(N_("登録情報の確認・変更"), "profile.show", frozenset(r.value for r in Role), order=50,
         label_key="menu.profile"),))
__all__ = ["FEATURE", "bp", "views"]
