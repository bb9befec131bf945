"""Only the secretariat imports."""
from portal.blueprints.imports.views import secretariat  # noqa: F401
