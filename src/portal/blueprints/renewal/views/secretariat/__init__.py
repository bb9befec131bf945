"""The secretariat's renewal pages, by task."""
from portal.blueprints.renewal.views.secretariat import exports, facilities, review, windows  # noqa: F401
