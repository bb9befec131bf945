"""監査ログ (issue 15 item 6): the secretariat reads the society's audit trail, filtered by
actor, subject, event and date, and exports it as a CSV for Excel. Every society; read-only."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

from portal.blueprints.audit import views  # noqa: E402

FEATURE = Feature("audit", bp, menus=(
    Menu(N_("監査ログ"), "audit.admin_list", frozenset({"secretariat"}), order=88),))
__all__ = ["FEATURE", "bp", "views"]
