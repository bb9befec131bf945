"""The trainee's own check; the director's trainees; the secretariat's cohort; and one
trainee's check as a director or the secretariat sees it (reviewer)."""
from portal.blueprints.progress.views import director, reviewer, secretariat, trainee  # noqa: F401
