"""Applicants (trainees) apply and withdraw; program directors decide; the secretariat runs rounds and programs."""
from portal.blueprints.recruitment.views import director, secretariat, trainee  # noqa: F401
