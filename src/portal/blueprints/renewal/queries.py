"""What the secretariat's dashboard reads of renewal (issue 19 item 3)."""
from __future__ import annotations

from datetime import date

from portal.blueprints.renewal.models import STATUS_LABELS, RenewalApplication
from portal.blueprints.renewal.services.applications import waiting_since
from portal.queues import counts_by_age

# Waiting on the secretariat (申請済み) or on the facility (修正依頼中).
WAITING = {k: STATUS_LABELS[k] for k in ("submitted", "correction_requested")}


def queue_counts(today: date) -> dict[str, list[int]]:
    return counts_by_age(RenewalApplication.status, waiting_since(), today,
                         RenewalApplication.status.in_(tuple(WAITING)))
