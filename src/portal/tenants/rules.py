"""Typed, frozen society rules loaded from tenants/<slug>/rules.toml.

All defaults live here. A bad file stops start-up with an error naming the file and the key.
"""
from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from flask_babel import gettext
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from portal.tenants.rules_records import TrainingRecordRules
from portal.tenants.rules_training import (
    CaseLogRules,
    Requirement,
    TrainingRules,
    check_requirements,
)

MiB = 1024 * 1024


class RulesError(RuntimeError):
    pass


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Branding(_Frozen):
    society_name: str
    system_name: str
    # {year} is the current year (Japan time), never a pinned one: a footer stuck at the
    # year a site was built tells people it is no longer looked after (issue 14).
    footer_template: str = "{year} - {society_name} {system_name}"
    primary_color: str = Field(default="#1d4e89", pattern=r"^#[0-9a-fA-F]{6}$")
    accent_color: str = Field(default="#e8f0fa", pattern=r"^#[0-9a-fA-F]{6}$")
    logo: str | None = None
    favicon: str | None = None  # a file in tenants/<slug>/static/; None: the portal's own

    def footer(self, year: int) -> str:
        return self.footer_template.format(
            year=year, society_name=self.society_name, system_name=self.system_name
        )


class Support(_Frozen):
    email: str | None = None
    inquiry_url: str | None = None  # お問い合わせフォーム
    id_inquiry_url: str | None = None  # ID問合せ専用フォーム (B-R16)


class Auth(_Frozen):
    login_identifier: Literal["login_id", "email"] = "email"
    login_label: str = "メールアドレス"
    password_min_length: int = Field(default=10, ge=8)


class UploadSlot(_Frozen):
    label: str
    max_bytes: int = Field(gt=0)
    max_inclusive: bool = True
    extensions: tuple[str, ...] = ("pdf", "png", "jpg", "jpeg")
    allow_provisional: bool = False

    @field_validator("extensions")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(value) - {"pdf", "png", "jpg", "jpeg"}
        if unknown:
            raise ValueError(f"unsupported extensions: {sorted(unknown)}")
        return value

    def accepts_size(self, size: int) -> bool:
        return size <= self.max_bytes if self.max_inclusive else size < self.max_bytes

    @property
    def limit_text(self) -> str:
        mb = self.max_bytes / MiB
        amount = f"{mb:g}MB"
        if self.max_inclusive:
            return gettext("%(amount)s以下", amount=amount)
        return gettext("%(amount)s未満", amount=amount)

    @property
    def accept_attr(self) -> str:
        return ",".join(f".{ext}" for ext in self.extensions)


class MailTemplate(_Frozen):
    subject: str


class Mail(_Frozen):
    subject_prefix: str = ""
    templates: dict[str, MailTemplate] = {}


class Profile(_Frozen):
    email_change_mode: Literal["self_with_confirm", "self_review_update", "via_secretariat"] = (
        "self_with_confirm"
    )
    block_paste: bool = True
    notify_old_address: bool = True
    # B-R18: what the user edits on 登録情報管理; anything else goes through the secretariat.
    self_editable_fields: tuple[Literal["email", "address", "phone"], ...] = ("email",)


class Registration(_Frozen):
    """Self-registration (B-W01): a login URL is mailed; the account works once a password
    is set through it."""

    enabled: bool = False
    login_url_ttl_hours: int = Field(default=72, ge=1, le=24 * 14)
    # B-R05 / Q26: archive, at the end of a recruitment year, accounts that never applied.
    archive_never_applied: bool = False


class Recruitment(_Frozen):
    """専攻医募集 (B-W02). Rounds and programs are data the secretariat keeps; these are rules."""

    licence_required_to_apply: bool = True
    withdrawal_reason_max_length: int = Field(default=1000, ge=50)
    # シーリング (B-R24, B-W07): the most 採用 per basic specialty and start year; people the
    # secretariat made ceiling-exempt are not counted. The portal has no prefectures, so a
    # society keeps one figure per specialty. Empty: no ceiling.
    ceilings: dict[str, int] = {}

    @field_validator("ceilings")
    @classmethod
    def _known_specialties(cls, value: dict[str, int]) -> dict[str, int]:
        from portal.tenants.rules_records import SPECIALTIES

        unknown = sorted(set(value) - set(SPECIALTIES))
        if unknown or any(limit < 0 for limit in value.values()):
            raise ValueError(f"unknown specialties or negative ceilings: {unknown or value}")
        return value


class Cohort(_Frozen):
    """Trainees whose training start was registered on these dates start at credential upload."""

    training_start_dates: tuple[date, ...]
    training_start_approved: bool = True
    initial_tasks: tuple[str, ...] = ("upload_credential",)


class Links(_Frozen):
    manual_url: str | None = None


class Renewal(_Frozen):
    """施設認定更新 (C-W02): what the printed 申請書・在籍証明書 carries. Read through
    TenantRules.document_number() and .renewal_addressee, which supply the defaults."""

    # 文書番号 <prefix>-<id>-r<revision>; default: the slug in capitals
    document_prefix: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9]{0,15}$")
    # 宛名 at the top of the form; default: "<society_name> 理事長 殿"
    addressee: str | None = None
    # Q21: a passed facility is 認定 from its 認定開始日 for this many years (validity extended)
    certification_years: int = Field(default=5, ge=1, le=10)
    # C-R18: the public roster of certified facilities, and the 更新要項 per facility type
    roster_url: str | None = None
    guidelines: dict[Literal["core", "affiliated"], str] = {}


class Deadlines(_Frozen):
    """Due dates of what waits on someone (issue 19): `days` per task kind after the task
    opens (a kind not listed has none unless its feature gives one, e.g. a round's
    選考結果登録締切), and the reminder days before the due date (0: on it)."""

    days: dict[str, int] = {}
    remind_before: tuple[int, ...] = (3, 0)

    @field_validator("days")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        bad = sorted(k for k, v in value.items() if not 0 <= v <= 365)
        if bad:
            raise ValueError(f"days must be 0..365: {bad}")
        return value

    @field_validator("remind_before")
    @classmethod
    def _not_negative(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 <= v <= 60 for v in value):
            raise ValueError("remind_before days must be 0..60")
        return value


class Storage(_Frozen):
    """How long the bytes of a superseded upload (an earlier licence, scan or certificate
    replaced by a newer one) are kept before the daily purge removes them."""

    superseded_retention_days: int = Field(default=90, ge=1, le=3650)


# What a row of a people import may carry (blueprints/imports). Each society names its
# columns per field in [imports.columns]; a column named in no list is reported, not fatal.
IMPORT_FIELDS = ("member_number", "full_name", "full_name_kana", "email", "role", "facility_code",
                 "facility_name", "basic_specialty", "program_status", "training_start",
                 "director_number", "facility_type")
IMPORT_COLUMNS = {
    "member_number": ("会員番号",), "full_name": ("氏名",), "full_name_kana": ("氏名カナ",),
    "email": ("メールアドレス",), "role": ("役割",), "facility_code": ("施設コード",),
    "facility_name": ("施設名",), "basic_specialty": ("基本領域",),
    "program_status": ("プログラム状況",), "training_start": ("研修開始日",),
    "director_number": ("統括責任者会員番号",),
}
ImportRole = Literal["trainee", "program_director", "facility_manager"]
ROSTER_FIELDS = ("member_number", "name", "qualification", "valid_from", "valid_to")
ROSTER_COLUMNS = {"member_number": ("会員番号",), "name": ("氏名",), "qualification": ("資格",),
                  "valid_from": ("有効期間開始", "有効開始日"), "valid_to": ("有効期間終了", "有効終了日")}


class Imports(_Frozen):
    """The secretariat's import of people and facilities (issue 15 item 1). `key` finds the
    existing account of a row; `roles` are those a file may create; `role_labels` read the
    役割 column (a label, or the role's own name)."""

    enabled: bool = False
    key: Literal["member_number", "email"] = "member_number"
    roles: tuple[ImportRole, ...] = ("trainee", "program_director", "facility_manager")
    required: tuple[str, ...] = ("member_number", "full_name", "email", "role")
    columns: dict[str, tuple[str, ...]] = IMPORT_COLUMNS
    role_labels: dict[str, ImportRole] = {
        "専攻医": "trainee", "統括責任者": "program_director", "施設担当者": "facility_manager",
        "施設責任者": "facility_manager"}
    # The certified-member roster (会員番号, 氏名, 資格, validity), kept by the renewal module.
    roster: bool = False
    roster_columns: dict[str, tuple[str, ...]] = ROSTER_COLUMNS

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown = set(value) - set(IMPORT_FIELDS)
        if unknown:
            raise ValueError(f"unknown import fields: {sorted(unknown)}")
        return value

    @field_validator("required")
    @classmethod
    def _known_required(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(value) - set(IMPORT_FIELDS)
        if unknown:
            raise ValueError(f"unknown import fields: {sorted(unknown)}")
        return value


class TenantRules(_Frozen):
    slug: str
    locale_default: Literal["ja", "en"] = "ja"
    modules: tuple[Literal["credentials", "case_log", "renewal", "recruitment",
                          "training_record"], ...] = ()
    branding: Branding
    support: Support = Support()
    auth: Auth = Auth()
    uploads: dict[str, UploadSlot] = {}
    mail: Mail = Mail()
    profile: Profile = Profile()
    registration: Registration = Registration()
    recruitment: Recruitment = Recruitment()
    cohorts: tuple[Cohort, ...] = ()
    links: Links = Links()
    renewal: Renewal = Renewal()
    deadlines: Deadlines = Deadlines()
    storage: Storage = Storage()
    imports: Imports = Imports()
    case_log: CaseLogRules = CaseLogRules()
    training: TrainingRules = TrainingRules()
    requirements: tuple[Requirement, ...] = ()
    training_record: TrainingRecordRules = TrainingRecordRules()
    # The society's own wording for a shared label: "key" or "key.<role>" (see term()).
    terminology: dict[str, str] = {}

    @model_validator(mode="after")
    def _requirements_known(self) -> TenantRules:
        check_requirements(self.requirements, self.case_log, self.training)
        return self

    def has_module(self, name: str) -> bool:
        return name in self.modules

    def upload(self, slot: str) -> UploadSlot:
        try:
            return self.uploads[slot]
        except KeyError:
            raise RulesError(f"{self.slug}: uploads.{slot} is not configured") from None

    def mail_subject(self, template: str, default: str) -> str:
        configured = self.mail.templates.get(template)
        return configured.subject if configured else f"{self.mail.subject_prefix}{default}"

    def term(self, key: str, default: str, role: str | None = None) -> str:
        """The society's wording for `key`: for this role, else for everybody, else `default`."""
        if role is not None and f"{key}.{role}" in self.terminology:
            return self.terminology[f"{key}.{role}"]
        return self.terminology.get(key, default)

    @property
    def document_prefix(self) -> str:
        return self.renewal.document_prefix or self.slug.upper()

    def document_number(self, application_id: int, revision: int) -> str:
        """The printed form's 文書番号, e.g. ABC-12-r2 (the QR code carries the same)."""
        return f"{self.document_prefix}-{application_id}-r{revision}"

    @property
    def renewal_addressee(self) -> str:
        return self.renewal.addressee or f"{self.branding.society_name} 理事長 殿"

    def cohort_for(self, start: date | None) -> Cohort | None:
        return next((c for c in self.cohorts if start in c.training_start_dates), None)


def load_rules_file(path: Path) -> TenantRules:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: cannot read rules: {exc}") from exc
    raw.setdefault("slug", path.parent.name)
    try:
        return TenantRules.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"key '{'.'.join(str(p) for p in err['loc'])}': {err['msg']}" for err in exc.errors()
        )
        raise RulesError(f"{path}: {problems}") from exc


@cache
def _load_all(tenants_dir: Path) -> dict[str, TenantRules]:
    return {p.parent.name: load_rules_file(p) for p in sorted(tenants_dir.glob("*/rules.toml"))}


def load_all_rules(tenants_dir: Path) -> dict[str, TenantRules]:
    """Validate every society's file; called at start-up so a bad file stops the app."""
    return _load_all(tenants_dir)


def default_rules(slug: str, name: str) -> TenantRules:
    """Rules for a tenant created from the CLI with no folder of its own yet."""
    return TenantRules(slug=slug, branding=Branding(society_name=name, system_name="研修管理システム"))


def extract_messages(fileobj, keywords, comment_tags, options):
    """Babel extractor for rules.toml: the wording a society shows its users through
    gettext ([terminology] values, the login label, upload labels, requirement labels). Line numbers are 0:
    the file is data, and the msgid says what it is."""
    raw = tomllib.loads(fileobj.read().decode("utf-8"))
    found = list(raw.get("terminology", {}).values())
    found.append(raw.get("auth", {}).get("login_label"))
    found += [slot.get("label") for slot in raw.get("uploads", {}).values()]
    found += [req.get("label") for req in raw.get("requirements", [])]  # 研修終了要件チェック
    for message in dict.fromkeys(m for m in found if m):
        yield 0, "gettext", message, []
