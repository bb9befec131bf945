"""Typed rules of a training record kept by the national board (在籍, 研修実績, delayed start, tracks): which
trainees enter their records themselves (B-R21), and the limits of a delayed start
(B-R25 to B-R27). Values live in tenants/<slug>/rules.toml [training_record]; a society
that leaves the section out gets entry for everybody and the national defaults below.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The 19 basic specialties (DOMAIN.md 1.10); a rules file naming another one stops start-up.
SPECIALTIES = (
    "internal_medicine", "pediatrics", "dermatology", "psychiatry", "surgery",
    "orthopedic_surgery", "obstetrics_gynecology", "ophthalmology", "otorhinolaryngology",
    "urology", "neurosurgery", "radiology", "anesthesiology", "pathology",
    "laboratory_medicine", "emergency_medicine", "plastic_surgery", "rehabilitation_medicine",
    "general_medicine",
)
# Who may take the curriculum track (B-W06 1) to 6)).
CURRICULUM_GROUNDS = (
    "mandatory_service_or_regional", "life_event_leave", "study_leave",
    "after_other_basic_specialty", "clinician_scientist_course", "other_approved",
)
# Qualifying reasons (特定の理由, B-R26, DOMAIN.md 5.2 qualifying_reason); "other" needs a text.
QUALIFYING_REASONS = (
    "study_or_work_abroad", "pregnancy_childbirth_childcare", "illness_treatment", "caregiving",
    "management_position", "disaster_victim", "other",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TrainingRecordRules(_Frozen):
    """B-R21: `entry_required` lists the specialties whose trainees enter records (None: all);
    `cohort_exceptions` the cohorts (start fiscal years) of other specialties who enter them
    too. Everybody else is linked (データ連携): read-only, and 連携待ち until the import."""

    entry_required: tuple[str, ...] | None = None
    cohort_exceptions: dict[str, tuple[int, ...]] = {}
    # B-R26: a start this many months or more after 1 April needs re-application ...
    delay_limit_months: int = Field(default=6, ge=1, le=12)
    # ... unless a qualifying reason applies, for cohorts from this fiscal year on.
    qualifying_reason_from_fy: int = 2024
    # B-R27, I-34: from this cohort on, training starts on the actual start date.
    actual_start_from_fy: int = 2022
    # That many characters of その他詳細 (B-R23) and of a reason.
    details_max_length: int = Field(default=500, ge=50)
    # B-R28/B-R30: 「対象となる医師の条件は領域によって若干異なります」: a specialty listed here
    # accepts only these grounds for the curriculum track; the others accept all six.
    curriculum_grounds: dict[str, tuple[str, ...]] = {}

    @model_validator(mode="after")
    def _known_specialties(self) -> TrainingRecordRules:
        grounds = {g for listed in self.curriculum_grounds.values() for g in listed}
        if odd := sorted(grounds - set(CURRICULUM_GROUNDS)):
            raise ValueError(f"unknown curriculum grounds: {odd}")
        named = (set(self.entry_required or ()) | set(self.cohort_exceptions)
                 | set(self.curriculum_grounds))
        unknown = sorted(named - set(SPECIALTIES))
        if unknown:
            raise ValueError(f"unknown specialties in [training_record]: {unknown}")
        return self

    def entry_required_for(self, specialty: str | None, cohort: int | None) -> bool:
        """B-R21 / I-33: does this specialty × cohort enter its own records?"""
        if self.entry_required is None:
            return True
        if specialty in self.entry_required:
            return True
        return cohort is not None and cohort in self.cohort_exceptions.get(specialty or "", ())

    def curriculum_ground_allowed(self, specialty: str, ground: str | None) -> bool:
        """B-R28/B-R30: is `ground` one the specialty accepts for the curriculum track?"""
        return ground in self.curriculum_grounds.get(specialty, CURRICULUM_GROUNDS)
