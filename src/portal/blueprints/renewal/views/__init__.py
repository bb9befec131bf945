"""The facility applies; the secretariat reviews, manages facilities and windows, and exports;
the new address of a facility account confirms the secretariat's change (public)."""
from portal.blueprints.renewal.views import facility, public, secretariat  # noqa: F401
