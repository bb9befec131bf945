"""The reviewers' side of the case log (the program director decides; the secretariat reads)."""
from portal.blueprints.cases.views.director import reports  # noqa: F401
