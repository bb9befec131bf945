"""Log in, log out and password reset happen before a role is known: every view is public."""
from portal.blueprints.auth.views import public  # noqa: F401
