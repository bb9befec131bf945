"""The secretariat's pages of the audit viewer."""
from portal.blueprints.audit.views import secretariat  # noqa: F401
