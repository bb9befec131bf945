"""The confirm: the stored plan is planned again against the database (it must come out the
same, else nothing is applied), then its create and update rows are applied in one
transaction. Only created accounts are mailed (a password-setting link); an import applied
twice finds every row unchanged, so it changes nothing and sends nothing."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

from flask import g
from sqlalchemy import func, select

from portal import audit
from portal.accounts.models import Role, User
from portal.accounts.services import issue_token
from portal.blueprints.imports.models import ImportBatch, ImportRow
from portal.blueprints.imports.services.planning import (
    USER_FIELDS,
    Planned,
    Planner,
    as_date,
    chunks,
)
from portal.blueprints.imports.services.rows import Row
from portal.db import utcnow
from portal.directory.models import Facility
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.registry import registry
from portal.urls import external_url

Progress = Callable[[int, int], None]
CHANGED = N_("プレビューの後に登録内容が変わりました。もう一度ファイルをアップロードしてプレビューしてください。")


class PlanChanged(Refusal):
    status = 409


def stored_rows(batch_id: int, actions: tuple[str, ...] | None = None) -> Iterator[ImportRow]:
    """The batch's rows in file order, read by keyset in chunks (bounded memory)."""
    after = 0
    while True:
        query = select(ImportRow).where(ImportRow.batch_id == batch_id, ImportRow.line > after)
        if actions:
            query = query.where(ImportRow.action.in_(actions))
        rows = list(db.session.scalars(query.order_by(ImportRow.line).limit(1000)))
        if not rows:
            return
        yield from rows
        after = rows[-1].line


def verify(batch: ImportBatch) -> None:
    """Plan the stored values again; any row that would now be planned otherwise refuses."""
    planner = Planner(g.rules)
    for chunk in chunks(stored_rows(batch.id)):
        again = planner.plan([Row(r.line, dict(r.values)) for r in chunk])
        for stored, fresh in zip(chunk, again, strict=True):
            shown = Planned(stored.line, stored.action, stored.key, stored.values, stored.changes,
                            stored.reasons)
            if not fresh.same_plan(shown):
                raise PlanChanged(CHANGED)


class Applier:
    def __init__(self, actor: User, batch: ImportBatch) -> None:
        self.actor, self.batch, self.rules = actor, batch, g.rules
        self.facilities = {f.code: f for f in db.session.scalars(
            select(Facility).where(Facility.code.is_not(None)))}
        self.created = 0
        self.updated = 0

    def apply(self, rows: list[ImportRow]) -> None:
        users = self._users([r.key for r in rows])
        for row in rows:
            values = row.values
            facility = self._facility(values)
            if row.action == "create":
                user = self._create(values, facility)
            else:
                user = users[row.key]
                self._update(user, values, facility, row.changes)
            wanted = "training_start" in row.changes if row.action == "update" else values.get(
                "training_start")
            if wanted:
                self._training_start(user, facility, values)

    def _users(self, keys: list[str]) -> dict[str, User]:
        if self.rules.imports.key == "email":
            return {u.email.lower(): u for u in db.session.scalars(
                select(User).where(func.lower(User.email).in_(keys)))}
        found = {}
        for user in db.session.scalars(select(User).where(
                (User.member_number.in_(keys)) | (User.login_id.in_(keys)))):
            for key in (user.login_id, user.member_number):
                if key in keys and (key not in found or user.member_number == key):
                    found[key] = user
        return found

    def _facility(self, values: dict) -> Facility | None:
        code = values.get("facility_code")
        if not code:
            return None
        if code not in self.facilities:
            facility = db.session.scalar(select(Facility).where(
                Facility.name == values["facility_name"], Facility.code.is_(None)))
            if facility is None:
                facility = Facility(tenant_id=self.batch.tenant_id, name=values["facility_name"])
                db.session.add(facility)
            facility.code = code
            db.session.flush()
            audit.record("facility_imported", facility, actor=self.actor, to_state="active",
                         reason=self.batch.filename)
            self.facilities[code] = facility
        return self.facilities[code]

    def _create(self, values: dict, facility: Facility | None) -> User:
        fields = {attr: values[name] for name, attr in USER_FIELDS.items() if values.get(name)}
        login_id = (values.get("member_number") if self.rules.auth.login_identifier == "login_id"
                    else None) or values["email"]
        user = User(tenant_id=self.batch.tenant_id, login_id=login_id, password_hash=None,
                    facility_id=facility.id if facility else None, **fields)
        db.session.add(user)
        db.session.flush()
        audit.record("user_imported", user, actor=self.actor, to_state="active",
                     reason=self.batch.filename)
        self._mail(user)
        self.created += 1
        return user

    def _mail(self, user: User) -> None:
        """The password-setting link (the same token as a reset, valid as long as the
        society's login URL): the secretariat never sets or sees a password."""
        hours = self.rules.registration.login_url_ttl_hours
        raw = issue_token(user, "password_reset", ttl=timedelta(hours=hours))
        queue_mail("import_account_created", user.email, user=user, hours=hours,
                   login_id=user.login_id, link=external_url("auth.reset_password", token=raw))

    def _update(self, user: User, values: dict, facility: Facility | None, changes: list[str]) -> None:
        before = {name: getattr(user, USER_FIELDS[name]) for name in changes if name in USER_FIELDS}
        for name in before:
            setattr(user, USER_FIELDS[name], values[name])
        if "facility_code" in changes:
            user.facility_id = facility.id
        audit.record("user_import_updated", user, actor=self.actor,
                     from_state=",".join(f"{k}={v}" for k, v in before.items())[:200] or None,
                     to_state=",".join(changes)[:200], reason=self.batch.filename)
        self.updated += 1

    def _training_start(self, user: User, facility: Facility | None, values: dict) -> None:
        director = db.session.scalar(select(User).where(
            User.member_number == values["director_number"],
            User.role == Role.program_director.value))
        registry().answer("import_set_training_start", self.rules, self.actor, user, facility.id,
                          director, as_date(values["training_start"]))


def apply_batch(actor: User, batch: ImportBatch, progress: Progress | None = None) -> None:
    if batch.status != "previewed" and batch.status != "applying":
        raise Refusal(N_("この取込は確定できません。"), 409)
    verify(batch)
    applier = Applier(actor, batch)
    done, todo = 0, batch.counts.get("create", 0) + batch.counts.get("update", 0)
    for chunk in chunks(stored_rows(batch.id, ("create", "update"))):
        applier.apply(chunk)
        done += len(chunk)
        if progress:
            progress(done, todo)
    batch.status, batch.applied_at = "applied", utcnow()
    audit.record("import_applied", batch, actor=actor, from_state="previewed", to_state="applied",
                 reason=f"create={applier.created} update={applier.updated}")
    db.session.flush()
