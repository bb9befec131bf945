"""The trainee uploads; the program director and the secretariat review; the secretariat
administers trainees (A-S12); a file goes to whoever may see it."""
from portal.blueprints.credentials.views import reviewer, secretariat, trainee, user  # noqa: F401
