"""The program director's side of the case log: sign-off and report review (the secretariat
reads)."""
from portal.blueprints.cases.views.director import cases, reports  # noqa: F401
