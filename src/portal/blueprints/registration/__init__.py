"""Self-registration (新規ユーザー登録, B-W01), the login-URL mail and the 医師免許証."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu, Panel
from portal.web import require_module

bp = Blueprint("registration", __name__)
require_module(bp, "recruitment")

from portal.blueprints.registration import cli, panels, views  # noqa: E402

FEATURE = Feature(
    "registration", bp, module="recruitment",
    menus=(Menu(N_("医師免許証"), "registration.license", frozenset({"trainee"}), order=25),
           Menu(N_("登録者一覧"), "registration.admin_registrants", frozenset({"secretariat"}),
                order=21)),
    panels=(Panel(frozenset({"trainee"}), order=25, render=panels.licence_panel),),
    commands=(cli.registration_archive,),
)
__all__ = ["FEATURE", "bp", "views"]
