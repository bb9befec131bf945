from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TenantScoped
from portal.directory.models import Facility
from portal.i18n import N_


class Role(str, enum.Enum):
    trainee = "trainee"
    program_director = "program_director"
    facility_manager = "facility_manager"
    secretariat = "secretariat"


ROLE_LABELS = {
    Role.trainee: N_("専攻医"),
    Role.program_director: N_("統括責任者"),
    Role.facility_manager: N_("施設責任者"),
    Role.secretariat: N_("事務局"),
}

BASIC_PROGRAM_STATUS = {
    "specialist_certified": N_("専門医取得済 (内科のみ認定医も可能)"),
    "program_completed": N_("プログラム修了"),
    "program_completion_expected": N_("プログラム修了見込み"),
}

BASIC_SPECIALTIES = {
    "internal_medicine": N_("内科"), "pediatrics": N_("小児科"), "dermatology": N_("皮膚科"),
    "psychiatry": N_("精神科"), "surgery": N_("外科"), "orthopedic_surgery": N_("整形外科"),
    "obstetrics_gynecology": N_("産婦人科"), "ophthalmology": N_("眼科"),
    "otorhinolaryngology": N_("耳鼻咽喉科"), "urology": N_("泌尿器科"), "neurosurgery": N_("脳神経外科"),
    "radiology": N_("放射線科"), "anesthesiology": N_("麻酔科"), "pathology": N_("病理"),
    "laboratory_medicine": N_("臨床検査"), "emergency_medicine": N_("救急科"),
    "plastic_surgery": N_("形成外科"), "rehabilitation_medicine": N_("リハビリテーション科"),
    "general_medicine": N_("総合診療"),
}


class User(UserMixin, TenantScoped, Base):
    """An account in one society. The e-mail is the society's notification address."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        UniqueConstraint("tenant_id", "login_id"),
        # I-01: one account per 医籍登録番号 in a society (NULLs allowed for staff accounts).
        UniqueConstraint("tenant_id", "medical_registration_number"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    login_id: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320))
    member_system_email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(30))
    full_name: Mapped[str] = mapped_column(String(100))
    full_name_kana: Mapped[str | None] = mapped_column(String(100))
    member_number: Mapped[str | None] = mapped_column(String(30))
    medical_registration_number: Mapped[str | None] = mapped_column(String(30))
    jmsb_basic_specialty: Mapped[str | None] = mapped_column(String(40))
    basic_program_status: Mapped[str | None] = mapped_column(String(40))
    # Self-registration (B-W01, B-S03, B-S07): 生年月日 for identity checks; contact details
    # the user keeps up to date through 登録情報管理.
    birth_date: Mapped[date | None]
    postal_code: Mapped[str | None] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(30))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout, password change or deactivation: every older cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    # 「リマインダーメールを受け取る」 (issue 19); required notices are sent whatever it says
    reminder_mail: Mapped[bool] = mapped_column(default=True, server_default=true())
    last_login_at: Mapped[datetime | None]

    facility: Mapped[Facility | None] = relationship(lazy="joined")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    @property
    def display_name(self) -> str:
        return f"{self.full_name} ({self.full_name_kana})" if self.full_name_kana else self.full_name

    @property
    def basic_specialty_label(self) -> str:
        return BASIC_SPECIALTIES.get(self.jmsb_basic_specialty or "", "")

    @property
    def program_status_label(self) -> str:
        return BASIC_PROGRAM_STATUS.get(self.basic_program_status or "", "")


class AccountToken(TenantScoped, Base):
    """Single-use, expiring link token. Only the SHA-256 of the token is stored."""

    __tablename__ = "account_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(30))  # password_reset | email_change | account_setup
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    new_email: Mapped[str | None] = mapped_column(String(320))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
