"""The program director's side of the case log (and the secretariat's read-only view)."""
from portal.blueprints.cases.views.director import cases  # noqa: F401
