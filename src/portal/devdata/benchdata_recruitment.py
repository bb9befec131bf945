"""The jmsb part of `flask bench-data` (portal.devdata.benchdata): one open recruitment round, one
program per facility (the first one hot) and applicants, each with a licence and one open
application 応募済; and what bench/ needs to know of it."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.devdata.benchdata import Plan, Society

RECRUITING = "jmsb"  # the small society that also gets recruitment data
JMSB_LOGINS = {"applicant": f"bench-applicant@{RECRUITING}.bench.example",
               "director": f"director-1@{RECRUITING}.bench.example",
               "secretariat": f"jimu@{RECRUITING}.bench.example"}

def _open_round_times(now: datetime) -> tuple[int, datetime, datetime, datetime]:
    """A round that opened 30 days before today (UTC midnight) and takes applications for 60
    more, selection 30 days after that; the start year as the secretariat's form requires
    (after the fiscal year it opens in, 選考結果登録締切 before 1 April of that year)."""
    from portal.blueprints.recruitment.services.secretariat import fiscal_year, training_starts

    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    opens, closes = today - timedelta(days=30), today + timedelta(days=60)
    decisions = closes + timedelta(days=30)
    year = fiscal_year(opens) + 1
    while decisions >= training_starts(year):
        year += 1
    return year, opens, closes, decisions


def recruitment(s: Society, plan: Plan, facility_ids: list[int], directors: list[int]) -> None:
    """One open round, one program per facility (the first one hot) and the applicants: each
    with a committed licence file, its medical_licenses row and one open application 応募済
    (the partial unique index: one open application per person and year)."""
    from portal.accounts.models import BASIC_SPECIALTIES

    rng, rows, tid = s.rng, s.rows, s.tenant_id
    year, opens, closes, decisions = _open_round_times(datetime.now(UTC))
    round_id = rows.add("recruitment_rounds", tid, year, 1, "一次募集", opens, closes, decisions,
                        *s.stamp(opens - timedelta(days=30)))
    specialties = list(BASIC_SPECIALTIES)
    programs = []
    for i in range(plan.programs):
        specialty = specialties[i % len(specialties)]
        program = rows.add("recruitment_programs", tid,
                           f"研修施設{i + 1:04d} {BASIC_SPECIALTIES[specialty]}専門研修プログラム",
                           specialty, facility_ids[i], directors[i], rng.randrange(2, 21), year,
                           True, *s.stamp(opens - timedelta(days=60)))
        programs.append((program, specialty))
    count = plan.applicants
    spacing = (timedelta(days=30) - timedelta(hours=1)) / max(count, 1)
    grounds = ("life_event_leave", "study_leave", "mandatory_service_or_regional")
    hot = []
    for i in range(count):
        known = i == 0
        at = 0 if known or rng.random() < plan.hot_program_share else rng.randrange(len(programs))
        program, specialty = programs[at]
        login = JMSB_LOGINS["applicant"] if known else (
            f"applicant-{i + 1:06d}@{s.slug}.bench.example")
        applicant = s.user(login, "trainee", None, None, registration=str(300000 + i),
                           specialty=specialty)
        uploaded = opens - timedelta(days=10) + spacing * i
        file_id = rows.add("stored_files", tid, str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                           applicant, "medical_license", "医師免許証.pdf", "application/pdf",
                           rng.randrange(200_000, 4_000_000), f"{rng.getrandbits(256):064x}",
                           "committed", *s.stamp(uploaded))
        rows.add("medical_licenses", tid, applicant, file_id, False, "submitted", uploaded,
                 *s.stamp(uploaded))
        applied = opens + spacing * i
        track = "curriculum" if rng.random() < 0.05 else "program"
        application = rows.add(
            "recruitment_applications", tid, applicant, program, round_id, year, "applied",
            track, rng.choice(grounds) if track == "curriculum" else None, applied,
            *s.stamp(applied))
        rows.add("audit_events", tid, applicant, "trainee", "recruitment_applied",
                 "recruitment_applications", application, "not_applied", "applied", None,
                 *s.stamp(applied))
        if at == 0:
            hot.append(application)
    s.summary["applications"] = count
    s.summary["hot_applications"] = hot


def summary(s: Society, plan: Plan) -> dict:
    """What bench/ needs for the jmsb pages. Application ids are handed out in order, so the
    secretariat's list (id order, keyset pages) ends at the last one."""
    total, hot = s.summary["applications"], s.summary["hot_applications"]
    first = s.rows.next_id["recruitment_applications"] - total
    return {
        "tenant": s.slug, "tenant_id": s.tenant_id, "logins": JMSB_LOGINS, "programs": plan.programs,
        "applications_total": total, "applications_hot_program": len(hot),
        "row_id": hot[0] if hot else None,
        # ?after=<id> for a deep page of the secretariat's 応募一覧: 25 rows before its end
        "deep_after": first + total - 26 if total > 26 else first - 1,
    }
