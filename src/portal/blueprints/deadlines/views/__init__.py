"""The secretariat's pages of the deadlines feature."""
from portal.blueprints.deadlines.views import secretariat  # noqa: F401
