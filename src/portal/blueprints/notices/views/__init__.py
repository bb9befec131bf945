"""The secretariat's pages of お知らせ."""
from portal.blueprints.notices.views import secretariat  # noqa: F401
