"""The secretariat's pages of アカウント管理."""
from portal.blueprints.people.views import secretariat  # noqa: F401
