"""登録情報の確認・変更: the notification e-mail is the one field a JSICM trainee may change."""
from flask import Blueprint

bp = Blueprint("profile", __name__, url_prefix="/profile")

from portal.blueprints.profile import views  # noqa: E402,F401
