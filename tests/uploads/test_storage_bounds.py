"""Issue 13 item 4: storage one account can fill is bounded. A new draft replaces the last one,
superseded files lose their bytes after the society's retention period, and uploads are
rate-limited per user."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from portal.audit import AuditEvent
from portal.db import utcnow
from portal.extensions import db
from portal.storage import StoredFile
from portal.tenants.rules import load_rules_file
from portal.tenants.scoping import system_scope
from tests.factories.helpers.credentials import upload_credential
from tests.factories.helpers.files import pdf_bytes, png_bytes
from tests.factories.helpers.renewal import CORE_LOGIN, upload_scan
from tests.factories.helpers.rows import read


def _files_on_disk(files_dir: Path, tenant_id: int) -> set[str]:
    folder = files_dir / str(tenant_id)
    return {p.name for p in folder.iterdir() if p.is_file()} if folder.exists() else set()


def _stored(app, tenant_id: int, state: str | None = None) -> list[StoredFile]:
    stmt = select(StoredFile).order_by(StoredFile.id)
    if state is not None:
        stmt = stmt.where(StoredFile.state == state)
    return read(app, tenant_id, stmt)


# --- (a) one draft per trainee ------------------------------------------------------------

def test_a_new_draft_replaces_the_previous_one(app, jsicm, world, files_dir):
    tid = world.jsicm.tenant_id
    before = _files_on_disk(files_dir, tid)
    jsicm.login("jsicm-800014")
    for data, name in ((pdf_bytes(), "一回目.pdf"), (png_bytes(), "二回目.png"),
                       (pdf_bytes(), "三回目.pdf")):
        assert upload_credential(jsicm, data, name=name).status_code == 303
    [staged] = _stored(app, tid, "staged")
    assert staged.original_filename == "三回目.pdf"
    assert _files_on_disk(files_dir, tid) - before == {staged.key}
    assert "三回目.pdf" in jsicm.text("/credentials/confirm")


def test_a_refused_file_keeps_the_previous_draft(app, jsicm, world, files_dir):
    tid = world.jsicm.tenant_id
    jsicm.login("jsicm-800014")
    assert upload_credential(jsicm, pdf_bytes(), name="正しい.pdf").status_code == 303
    assert upload_credential(jsicm, b"<html>x</html>", name="偽物.pdf").status_code == 400
    [staged] = _stored(app, tid, "staged")
    assert staged.original_filename == "正しい.pdf"
    assert staged.key in _files_on_disk(files_dir, tid)


# --- (b) superseded files are purged after the retention period --------------------------

def _age_superseded(app, tenant_id: int, days: int) -> None:
    with app.app_context(), system_scope(db.session):
        db.session.execute(update(StoredFile).where(
            StoredFile.tenant_id == tenant_id, StoredFile.state == "superseded").values(
            updated_at=utcnow() - timedelta(days=days)))
        db.session.commit()


def _purge(app) -> str:
    result = app.test_cli_runner().invoke(args=["purge-staged"])
    assert result.exit_code == 0, result.output
    return result.output


def test_superseded_scans_lose_their_bytes_after_the_retention_period(app, jspm, jspm_world,
                                                                      files_dir):
    tid = jspm_world.tenant_id
    jspm.login(CORE_LOGIN)
    for _ in range(3):
        assert upload_scan(jspm, pdf_bytes()).status_code == 303
    old = _stored(app, tid, "superseded")
    assert len(old) == 2 and {f.key for f in old} <= _files_on_disk(files_dir, tid)

    _age_superseded(app, tid, 89)  # JSPM keeps them 90 days (rules.toml [storage])
    assert "0 superseded" in _purge(app)
    assert len(_stored(app, tid, "superseded")) == 2

    _age_superseded(app, tid, 91)
    assert "2 superseded" in _purge(app)
    purged = _stored(app, tid, "purged")
    assert [f.id for f in purged] == [f.id for f in old]  # tombstones: the rows stay
    assert not {f.key for f in old} & _files_on_disk(files_dir, tid)
    events = read(app, tid, select(AuditEvent).where(AuditEvent.action == "stored_file_purged"))
    assert sorted(e.entity_id for e in events) == sorted(f.id for f in old)
    [current] = _stored(app, tid, "committed")
    assert current.key in _files_on_disk(files_dir, tid)
    assert jspm.get("/renewal/scan").status_code == 200


def test_a_purged_file_answers_404_not_500(app, jsicm, world):
    jsicm.login("jsicm-800014")
    assert upload_credential(jsicm, pdf_bytes()).status_code == 303
    [staged] = _stored(app, world.jsicm.tenant_id, "staged")
    with app.app_context(), system_scope(db.session):
        db.session.execute(update(StoredFile).where(StoredFile.id == staged.id).values(
            state="purged"))
        db.session.commit()
    assert jsicm.get(f"/files/{staged.id}").status_code == 404


def test_retention_is_a_society_rule_with_a_default(tmp_path):
    folder = tmp_path / "abc"
    folder.mkdir()
    (folder / "rules.toml").write_text('[branding]\nsociety_name = "学会"\nsystem_name = "系"\n',
                                       encoding="utf-8")
    assert load_rules_file(folder / "rules.toml").storage.superseded_retention_days == 90
    (folder / "rules.toml").write_text(
        '[branding]\nsociety_name = "学会"\nsystem_name = "系"\n'
        '[storage]\nsuperseded_retention_days = 30\n', encoding="utf-8")
    assert load_rules_file(folder / "rules.toml").storage.superseded_retention_days == 30


# --- (c) uploads are rate-limited per user ------------------------------------------------

def test_uploads_are_rate_limited_per_user(app, jsicm, client_for, world, factories,
                                           monkeypatch, files_dir):
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "2/minute")
    tid = world.jsicm.tenant_id
    jsicm.login("jsicm-800014")
    for _ in range(2):
        assert upload_credential(jsicm, pdf_bytes()).status_code == 303
    on_disk = _files_on_disk(files_dir, tid)
    refused = upload_credential(jsicm, pdf_bytes(), name="三回目.pdf")
    assert refused.status_code == 429
    assert "短時間にファイルのアップロードが繰り返されたため" in refused.get_data(as_text=True)
    assert _files_on_disk(files_dir, tid) == on_disk
    assert [f.original_filename for f in _stored(app, tid)] == ["医師免許証.pdf"]
    assert jsicm.get("/credentials/upload").status_code == 200  # only posts count

    # Another trainee has a budget of their own.
    factories.user(tid, "jsicm-800015", "trainee", full_name="専攻医 テスト2")
    other = client_for("jsicm.localhost")
    other.login("jsicm-800015")
    assert upload_credential(other, pdf_bytes()).status_code != 429


def test_renewal_scans_are_rate_limited_too(app, jspm, jspm_world, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "1/minute")
    jspm.login(CORE_LOGIN)
    assert upload_scan(jspm, pdf_bytes()).status_code == 303
    assert upload_scan(jspm, pdf_bytes()).status_code == 429
    assert len(_stored(app, jspm_world.tenant_id)) == 1
