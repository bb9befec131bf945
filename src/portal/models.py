"""Every model, imported in one place so Alembic and tests see the whole schema."""
from portal.accounts.licences import MedicalLicense
from portal.accounts.models import AccountToken, User
from portal.audit import AuditEvent
from portal.blueprints.cases.models import Case, CaseReport, CaseReportVersion
from portal.blueprints.credentials.models import (
    Credential,
    Enrollment,
    PeriodChange,
    TrainingStartApplication,
)
from portal.blueprints.imports.models import ImportBatch, ImportRow
from portal.blueprints.recruitment.models import (
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
)
from portal.blueprints.registration.models import ArchivedRegistration
from portal.blueprints.renewal.models import (
    FacilityCertification,
    RenewalApplication,
    RenewalCorrection,
    RenewalForm,
    RenewalPhysician,
    RenewalWindow,
    SocietyMember,
)
from portal.blueprints.renewal.services.affiliation import FacilityAffiliation
from portal.blueprints.training_record.models import (
    CeilingExemption,
    TrackChange,
    TraineeEnrollment,
    TrainingRecord,
)
from portal.directory.models import Facility
from portal.mail import OutboxMail
from portal.storage import StoredFile
from portal.tenants.models import Tenant, TenantDomain
from portal.worklist.models import Notice, ReminderLog, Task

__all__ = [
    "AccountToken", "ArchivedRegistration", "AuditEvent", "CeilingExemption", "Case", "CaseReport",
    "CaseReportVersion", "Credential", "Enrollment", "Facility", "FacilityAffiliation", "PeriodChange",
    "FacilityCertification", "ImportBatch", "ImportRow", "MedicalLicense",
    "Notice", "OutboxMail", "ReminderLog", "RenewalApplication", "RenewalCorrection", "RenewalForm",
    "RecruitmentApplication", "RecruitmentProgram", "RecruitmentRound",
    "RenewalPhysician", "RenewalWindow", "SocietyMember", "StoredFile", "Task", "Tenant",
    "TenantDomain", "TraineeEnrollment", "TrackChange", "TrainingRecord",
    "TrainingStartApplication", "User",
]
