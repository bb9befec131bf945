"""Every signed-in user manages their own registration details."""
from portal.blueprints.profile.views import user  # noqa: F401
