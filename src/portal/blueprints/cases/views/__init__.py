"""The case log: the trainee's own cases and reports; the director's sign-off, report review
and read-only views."""
from portal.blueprints.cases.views import director, trainee  # noqa: F401
