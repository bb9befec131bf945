"""JSICM credential (証票) upload by the trainee and review by the program director."""
from flask import Blueprint

bp = Blueprint("credentials", __name__)

from portal.blueprints.credentials import views  # noqa: E402,F401
