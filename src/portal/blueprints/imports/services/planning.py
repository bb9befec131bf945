"""Planning: each row becomes create, update, unchanged or error, judged against the rows
before it in the file and against the database. Rows are planned in chunks (one query per
kind of lookup per chunk), so 100,000 rows take bounded memory: only the keys and e-mail
addresses seen so far are kept.

The same planner runs again at confirm on the stored values: the confirm applies only when
it finds the same plan (nothing changed underneath since the preview)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from flask import g
from sqlalchemy import func, or_, select

from portal.accounts.models import Role, User
from portal.blueprints.imports.services.rows import Row, check_row
from portal.directory.models import Facility
from portal.extensions import db
from portal.i18n import N_
from portal.registry import registry

CHUNK = 1000
# What an account carries from a row: field of the file -> attribute of User.
USER_FIELDS = {"member_number": "member_number", "full_name": "full_name",
               "full_name_kana": "full_name_kana", "email": "email", "role": "role",
               "basic_specialty": "jmsb_basic_specialty", "program_status": "basic_program_status"}


@dataclass
class Planned:
    line: int
    action: str
    key: str
    values: dict[str, str]
    changes: list[str] = field(default_factory=list)
    reasons: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def same_plan(self, other: Planned) -> bool:
        return (self.action, self.changes, [list(r) for r in self.reasons]) == (
            other.action, other.changes, [list(r) for r in other.reasons])


def chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def facility_types(codes: list[str]) -> dict[str, str]:
    """The certification type (core | affiliated) of each facility code, from the feature
    that keeps facility certifications (renewal) when the society has it; {} otherwise."""
    if not codes:
        return {}
    return registry().answer("import_facility_types", g.rules, codes, default={}) or {}


def training_starts(trainee_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(director's 会員番号, start date) of each trainee's 研修開始登録, from the feature that
    owns it (credentials) when the society has it; {} otherwise."""
    return registry().answer("import_training_starts", g.rules, trainee_ids, default={}) or {}


class Planner:
    def __init__(self, rules) -> None:
        self.rules = rules
        self.imports = rules.imports
        self.seen_keys: dict[str, int] = {}
        self.seen_emails: dict[str, int] = {}
        self.directors: set[str] = set()  # 会員番号 of program directors planned without error
        self.facilities = {code: (fid, name) for fid, code, name in db.session.execute(
            select(Facility.id, Facility.code, Facility.name).where(Facility.code.is_not(None)))}
        # name -> has a code; a facility entered before imports (no code) is adopted by name
        self.facility_names = {name: coded for name, coded in db.session.execute(
            select(Facility.name, Facility.code.is_not(None)))}
        self.new_facilities: dict[str, str] = {}

    # --- lookups for one chunk -------------------------------------------------------------
    def _key(self, row: Row) -> str:
        value = row.values.get(self.imports.key, "")
        return value.lower() if self.imports.key == "email" else value

    def _existing(self, keys: list[str]) -> dict[str, User]:
        if self.imports.key == "email":
            users = db.session.scalars(select(User).where(func.lower(User.email).in_(keys)))
            return {u.email.lower(): u for u in users}
        where = User.member_number.in_(keys)
        if self.rules.auth.login_identifier == "login_id":  # the 会員番号 is also the login ID
            where = or_(where, User.login_id.in_(keys))
        found: dict[str, User] = {}
        for user in db.session.scalars(select(User).where(where)):
            for key in (user.login_id, user.member_number):
                if key in keys and (key not in found or user.member_number == key):
                    found[key] = user
        return found

    def _email_owners(self, emails: list[str]) -> dict[str, int]:
        return {e.lower(): uid for uid, e in db.session.execute(
            select(User.id, User.email).where(func.lower(User.email).in_(emails)))}

    def _db_directors(self, numbers: list[str]) -> set[str]:
        return set(db.session.scalars(select(User.member_number).where(
            User.member_number.in_(numbers), User.role == Role.program_director.value)))

    # --- planning ----------------------------------------------------------------------------
    def plan(self, rows: list[Row], checked: bool = False) -> list[Planned]:
        """`checked`: the values passed check_row before (the confirm's second look)."""
        for row in rows if not checked else ():
            check_row(row, self.imports)
        keys = [k for k in (self._key(r) for r in rows) if k]
        existing = self._existing(keys)
        owners = self._email_owners([r.values["email"].lower() for r in rows if r.values.get("email")])
        directors = self._db_directors([r.values["director_number"] for r in rows
                                        if r.values.get("director_number")])
        starts = training_starts([u.id for u in existing.values() if u.role == Role.trainee.value])
        self.types = facility_types([r.values["facility_code"] for r in rows
                                     if r.values.get("facility_type")])
        return [self._plan_row(r, existing, owners, directors, starts) for r in rows]

    def _plan_row(self, row: Row, existing, owners, directors, starts) -> Planned:
        key = self._key(row)
        user = existing.get(key) if key else None
        self._check_in_file(row, key)
        self._check_account(row, user, owners)
        self._check_facility(row)
        self._check_director(row, directors)
        if row.reasons:
            return Planned(row.line, "error", key, row.values, [], row.reasons, row.notes)
        self._remember(row, key)
        if user is None:
            return Planned(row.line, "create", key, row.values, [], [], row.notes)
        changes = self._changes(row, user, starts.get(user.id))
        return Planned(row.line, "update" if changes else "unchanged", key, row.values, changes,
                       [], row.notes)

    def _check_in_file(self, row: Row, key: str) -> None:
        if key and key in self.seen_keys:
            row.refuse(N_("%(field)sがファイル内で重複しています（%(line)s行目と同じ）。"),
                       field=self.imports.key, line=self.seen_keys[key])
        email = row.values.get("email", "").lower()
        if email and email in self.seen_emails and self.imports.key != "email":
            row.refuse(N_("メールアドレスがファイル内で重複しています（%(line)s行目と同じ）。"),
                       line=self.seen_emails[email])

    def _check_account(self, row: Row, user: User | None, owners: dict[str, int]) -> None:
        if user is not None and user.role == Role.secretariat.value:
            row.refuse(N_("事務局のアカウントは取り込みで変更できません。"))
        owner = owners.get(row.values.get("email", "").lower())
        if owner is not None and (user is None or owner != user.id):
            row.refuse(N_("メールアドレス「%(value)s」は別のアカウントで使われています。"),
                       value=row.values["email"])

    def _check_facility(self, row: Row) -> None:
        code, name = row.values.get("facility_code", ""), row.values.get("facility_name", "")
        if not code or code in self.facilities or code in self.new_facilities:
            return
        if not name:
            row.refuse(N_("施設コード「%(value)s」は登録されていません（新しい施設なら施設名も入れてください）。"),
                       value=code)
        elif self.facility_names.get(name) or name in self.new_facilities.values():
            row.refuse(N_("施設名「%(value)s」は別の施設コードで登録されています。"), value=name)

    def _check_director(self, row: Row, directors: set[str]) -> None:
        number, start = row.values.get("director_number", ""), row.values.get("training_start", "")
        if (number or start) and row.values.get("role") != Role.trainee.value:
            row.refuse(N_("統括責任者会員番号と研修開始日は専攻医の行にだけ入れられます。"))
            return
        if number and number not in directors and number not in self.directors:
            row.refuse(N_("統括責任者「%(value)s」が見つかりません（ファイルでは専攻医より前の行に置いてください）。"),
                       value=number)
        if start and not (number and row.values.get("facility_code")):
            row.refuse(N_("研修開始日を入れるときは施設コードと統括責任者会員番号も入れてください。"))

    def _remember(self, row: Row, key: str) -> None:
        self.seen_keys[key] = row.line
        if row.values.get("email"):
            self.seen_emails[row.values["email"].lower()] = row.line
        if row.values.get("role") == Role.program_director.value and row.values.get("member_number"):
            self.directors.add(row.values["member_number"])
        code = row.values.get("facility_code")
        if code and code not in self.facilities and code not in self.new_facilities:
            self.new_facilities[code] = row.values["facility_name"]

    def _changes(self, row: Row, user: User, start: tuple[str, str] | None) -> list[str]:
        changed = [name for name, attr in USER_FIELDS.items()
                   if row.values.get(name) and row.values[name] != (getattr(user, attr) or "")]
        code = row.values.get("facility_code")
        if code and (user.facility is None or user.facility.code != code):
            changed.append("facility_code")
        wanted = (row.values.get("director_number", ""), row.values.get("training_start", ""))
        if wanted[1] and wanted != start:
            changed.append("training_start")
        if self._type_differs(row):
            changed.append("facility_type")
        return changed

    def _type_differs(self, row: Row) -> bool:
        wanted = row.values.get("facility_type")
        return bool(wanted) and self.types.get(row.values.get("facility_code", "")) != wanted


def as_date(value: str) -> date:
    return date.fromisoformat(value)
