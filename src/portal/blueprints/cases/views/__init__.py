"""The case log: the trainee's own pages, and the director's review."""
from portal.blueprints.cases.views import director, trainee  # noqa: F401
