"""The case log is the trainee's own."""
from portal.blueprints.cases.views import trainee  # noqa: F401
