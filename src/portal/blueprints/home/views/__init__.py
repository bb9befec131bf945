"""The top page for a signed-in user; the language switch and branding for anyone."""
from portal.blueprints.home.views import public, user  # noqa: F401
