"""Services of the training record: enrolment (在籍), the records and their checks, the
secretariat's settings (delay, ceiling exemption, track). Services flush, never commit."""
from __future__ import annotations

from portal.errors import Refusal


class RecordError(Refusal):
    """A refusal shown next to `field` (or above the form); nothing is changed."""

    def __init__(self, message: str, status: int = 422, field: str | None = None):
        super().__init__(message, status, field)
