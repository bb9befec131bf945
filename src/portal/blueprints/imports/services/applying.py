"""The confirm: the stored plan is planned again against the database (it must come out the
same, else nothing is applied), then its create and update rows are applied in one
transaction. Only created accounts are mailed (a password-setting link); an import applied
twice finds every row unchanged, so it changes nothing and sends nothing."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from types import SimpleNamespace

from flask import g
from sqlalchemy import func, insert, select

from portal import audit
from portal.accounts.models import Role, User
from portal.accounts.services import issue_tokens
from portal.audit import AuditEvent
from portal.blueprints.imports.models import ImportBatch, ImportRow
from portal.blueprints.imports.services import roster
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
from portal.mail import queue_many
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
        for row in rows:  # read once: the session need not keep them
            db.session.expunge(row)


PLANNED = ("create", "update", "unchanged")


def verify(batch: ImportBatch) -> None:
    """Plan the rows that were not errors again; any that would now be planned otherwise
    refuses. Error rows are never applied, and they left no trace in the planner's memory
    of the file (keys, addresses, directors), so skipping them plans the rest the same.
    The stored values passed the row's own checks already: only file and database count."""
    planner = roster.RosterPlanner(g.rules) if batch.kind == "roster" else Planner(g.rules)
    for chunk in chunks(stored_rows(batch.id, PLANNED)):
        again = planner.plan([Row(r.line, dict(r.values)) for r in chunk], checked=True)
        for stored, fresh in zip(chunk, again, strict=True):
            shown = Planned(stored.line, stored.action, stored.key, stored.values, stored.changes,
                            stored.reasons)
            if not fresh.same_plan(shown):
                raise PlanChanged(CHANGED)


class Applier:
    """Applies stored rows chunk by chunk. New accounts, their tokens, mails and audit events
    are written with one INSERT each per chunk (a per-row flush made 100,000 rows take hours);
    updates go through the ORM. Facility ids come from this tenant's own query."""

    def __init__(self, actor: User | None, batch: ImportBatch) -> None:
        self.actor, self.batch, self.rules = actor, batch, g.rules
        self.facilities = {f.code: f for f in db.session.scalars(
            select(Facility).where(Facility.code.is_not(None)))}
        self.created = 0
        self.updated = 0

    def apply(self, rows: list[ImportRow]) -> None:
        self._prepare_facilities(rows)
        users = self._users([r.key for r in rows if r.action == "update"])
        created = self._create_accounts([r for r in rows if r.action == "create"])
        for row in rows:
            if row.action == "update":
                user = users[row.key]
                self._update(user, row.values, self._facility(row.values), row.changes)
            else:
                user = created[row.line]
            wanted = ("training_start" in row.changes if row.action == "update"
                      else row.values.get("training_start"))
            if wanted:
                self._training_start(user, self._facility(row.values), row.values)
            if row.values.get("facility_type") and (row.action == "create"
                                                    or "facility_type" in row.changes):
                registry().answer("import_set_facility_type", self.rules, self.actor,
                                  self._facility(row.values), row.values["facility_type"])
        db.session.flush()

    def _users(self, keys: list[str]) -> dict[str, User]:
        if not keys:
            return {}
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

    def _prepare_facilities(self, rows: list[ImportRow]) -> None:
        """The chunk's new facility codes: a facility entered before imports (no code) with
        the row's name takes the code; otherwise a facility is created. One flush."""
        wanted = {r.values["facility_code"]: r.values["facility_name"] for r in rows
                  if r.values.get("facility_code") and r.values["facility_code"] not in self.facilities}
        if not wanted:
            return
        uncoded = {f.name: f for f in db.session.scalars(select(Facility).where(
            Facility.name.in_(wanted.values()), Facility.code.is_(None)))}
        for code, name in wanted.items():
            facility = uncoded.get(name) or Facility(tenant_id=self.batch.tenant_id, name=name)
            facility.code = code
            db.session.add(facility)
            self.facilities[code] = facility
        db.session.flush()
        for code in wanted:
            audit.record("facility_imported", self.facilities[code], actor=self.actor,
                         to_state="active", reason=self.batch.filename)

    def _facility(self, values: dict) -> Facility | None:
        code = values.get("facility_code")
        return self.facilities[code] if code else None

    def _new_user(self, values: dict) -> dict:
        fields = {attr: values[name] for name, attr in USER_FIELDS.items() if values.get(name)}
        login_id = (values.get("member_number") if self.rules.auth.login_identifier == "login_id"
                    else None) or values["email"]
        facility = self._facility(values)
        return dict(tenant_id=self.batch.tenant_id, login_id=login_id, password_hash=None,
                    facility_id=facility.id if facility else None, **fields)

    def _create_accounts(self, rows: list[ImportRow]) -> dict[int, User]:
        """The chunk's new accounts, then their tokens, mails and audit events."""
        if not rows:
            return {}
        people = [self._new_user(r.values) for r in rows]
        ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True),
                                 people).all()
        hours = self.rules.registration.login_url_ttl_hours
        raws = issue_tokens(self.batch.tenant_id, ids, "password_reset", timedelta(hours=hours))
        # the password-setting link (the same token as a reset): the secretariat never sets
        # or sees a password
        queue_many("import_account_created", [
            (p["email"], dict(user=SimpleNamespace(**p), hours=hours, login_id=p["login_id"],
                              link=external_url("auth.reset_password", token=raw)))
            for p, raw in zip(people, raws, strict=True)])
        db.session.execute(insert(AuditEvent), [dict(
            tenant_id=self.batch.tenant_id, actor_id=getattr(self.actor, "id", None),
            actor_role=getattr(self.actor, "role", None), action="user_imported",
            entity_type="users", entity_id=uid, to_state="active", reason=self.batch.filename)
            for uid in ids])
        self.created += len(ids)
        wanted = [uid for uid, r in zip(ids, rows, strict=True) if r.values.get("training_start")]
        loaded = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}
        return {r.line: loaded.get(uid) for uid, r in zip(ids, rows, strict=True)}

    def _update(self, user: User, values: dict, facility: Facility | None, changes: list[str]) -> None:
        for name in changes:
            if name in USER_FIELDS:
                setattr(user, USER_FIELDS[name], values[name])
        if "facility_code" in changes:
            user.facility_id = facility.id
        audit.record("user_import_updated", user, actor=self.actor, to_state="updated",
                     reason=f"{','.join(changes)} ({self.batch.filename})")
        self.updated += 1

    def _training_start(self, user: User, facility: Facility | None, values: dict) -> None:
        director = db.session.scalar(select(User).where(
            User.member_number == values["director_number"],
            User.role == Role.program_director.value))
        registry().answer("import_set_training_start", self.rules, self.actor, user, facility.id,
                          director, as_date(values["training_start"]))


def apply_batch(actor: User | None, batch: ImportBatch, progress: Progress | None = None) -> None:
    if batch.status != "previewed" and batch.status != "applying":
        raise Refusal(N_("この取込は確定できません。"), 409)
    verify(batch)
    if batch.kind == "roster":
        for chunk in chunks(stored_rows(batch.id, ("create", "update"))):
            roster.apply_rows(actor, chunk, batch.filename)
        _applied(actor, batch, batch.counts.get("create", 0), batch.counts.get("update", 0))
        return
    applier = Applier(actor, batch)
    done, todo = 0, batch.counts.get("create", 0) + batch.counts.get("update", 0)
    for chunk in chunks(stored_rows(batch.id, ("create", "update"))):
        applier.apply(chunk)
        done += len(chunk)
        if progress:
            progress(done, todo)
    _applied(actor, batch, applier.created, applier.updated)


def _applied(actor: User | None, batch: ImportBatch, created: int, updated: int) -> None:
    batch.status, batch.applied_at = "applied", utcnow()
    audit.record("import_applied", batch, actor=actor, from_state="previewed", to_state="applied",
                 reason=f"create={created} update={updated}")
    db.session.flush()
