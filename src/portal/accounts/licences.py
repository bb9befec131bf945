"""A doctor's 医師免許証 (read by registration, recruitment and the secretariat) (B-R04): the licence image, or for now an image that proves the
qualification (provisional) until the licence arrives and the image is replaced."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, TenantScoped
from portal.extensions import db
from portal.i18n import N_
from portal.storage import StoredFile

LICENSE_STATUS_LABELS = {
    "submitted": N_("提出済"),
    "provisional": N_("仮登録（資格確認画像）"),
    "replacement_requested": N_("差し替え依頼中"),
    "verified": N_("確認済"),
}


class MedicalLicense(TenantScoped, Base):
    """One upload; the newest row of a user is the current one, older rows are kept."""

    __tablename__ = "medical_licenses"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    is_provisional: Mapped[bool] = mapped_column(default=False)
    # submitted | provisional | replacement_requested | verified
    status: Mapped[str] = mapped_column(String(30))
    uploaded_at: Mapped[datetime]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("medical_licenses.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    file: Mapped[StoredFile] = relationship()

    @property
    def status_label(self) -> str:
        return LICENSE_STATUS_LABELS[self.status]


def current_license(user: User) -> MedicalLicense | None:
    """The newest upload is the current one; older rows stay as the history."""
    return db.session.scalar(
        select(MedicalLicense).where(MedicalLicense.user_id == user.id)
        .options(joinedload(MedicalLicense.file)).order_by(MedicalLicense.id.desc()).limit(1))


def has_license(user: User) -> bool:
    """A licence image is on file (a provisional one counts: B-R04 accepts it for now)."""
    return db.session.scalar(select(MedicalLicense.id).where(
        MedicalLicense.user_id == user.id).limit(1)) is not None


def license_history(user: User) -> list[MedicalLicense]:
    return list(db.session.scalars(
        select(MedicalLicense).where(MedicalLicense.user_id == user.id)
        .options(joinedload(MedicalLicense.file)).order_by(MedicalLicense.id.desc())))
