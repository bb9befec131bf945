"""Registration is public until the login URL is used; then the registrant (a trainee) and the secretariat."""
from portal.blueprints.registration.views import public, secretariat, trainee  # noqa: F401
