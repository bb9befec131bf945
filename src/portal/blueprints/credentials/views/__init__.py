"""The trainee uploads; the program director and the secretariat review; a file goes to whoever may see it."""
from portal.blueprints.credentials.views import reviewer, trainee, user  # noqa: F401
