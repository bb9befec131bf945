"""The facility applies; the secretariat reviews, manages facilities and windows, and exports."""
from portal.blueprints.renewal.views import facility, secretariat  # noqa: F401
