"""The case log: the trainee's own cases; the director's sign-off and read-only view."""
from portal.blueprints.cases.views import director, trainee  # noqa: F401
