"""Society rules are typed and validated at start-up; the CLI sets societies up."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import g

from portal import create_app
from portal.tenants.loader import TenantEnvironment
from portal.tenants.resolve import TenantRef
from portal.tenants.rules import RulesError, default_rules, load_all_rules, load_rules_file

TENANTS = Path(__file__).resolve().parents[2] / "src" / "portal" / "tenants"


def test_shipped_rules_load_and_carry_the_manuals_limits():
    rules = load_all_rules(TENANTS)
    assert set(rules) >= {"jsicm", "jmsb", "jspm"}
    credential = rules["jsicm"].upload("credential")
    assert credential.accepts_size(5 * 1024 * 1024) and not credential.accepts_size(5 * 1024 * 1024 + 1)
    licence = rules["jmsb"].upload("medical_license")
    assert not licence.accepts_size(10 * 1024 * 1024) and licence.accepts_size(10 * 1024 * 1024 - 1)
    assert rules["jsicm"].mail_subject("email_change_received", "x") == "【icu_training】メールアドレス変更の受付"
    assert rules["jsicm"].branding.footer(2027) == "2027 - 日本集中治療医学会 機構専攻医研修管理システム"


def test_society_wording_has_generic_defaults_and_the_shipped_values():
    """Issue 12: names, the printed form's addressee and the document prefix are data."""
    plain = default_rules("abc", "日本テスト学会")
    assert plain.document_number(12, 2) == "ABC-12-r2"
    assert plain.renewal_addressee == "日本テスト学会 理事長 殿"
    assert plain.term("renewal.physician", "指導医") == "指導医"
    shipped = load_all_rules(TENANTS)
    assert shipped["jspm"].document_number(12, 2) == "JSPM-12-r2"
    assert shipped["jspm"].renewal_addressee == "日本緩和医療学会 理事長 殿"
    assert shipped["jspm"].term("renewal.physician", "指導医") == "緩和医療指導医"
    assert shipped["jmsb"].branding.system_name == "JMSB Online System+"
    assert shipped["jsgt"].document_number(1, 1) == "JSGT-1-r1"
    assert shipped["jsgt"].term("renewal.physician", "指導医") == "総合研修指導医"
    assert (shipped["jsicm"].term("credentials.document.jmsb_completion_certificate", "")
            == "専門研修修了認定証（日本専門医機構）")


def test_document_prefix_must_be_capitals(tmp_path):
    folder = tmp_path / "lower"
    folder.mkdir()
    (folder / "rules.toml").write_text(
        '[branding]\nsociety_name = "x"\nsystem_name = "y"\n[renewal]\ndocument_prefix = "ab-c"\n',
        encoding="utf-8")
    with pytest.raises(RulesError, match="renewal.document_prefix"):
        load_rules_file(folder / "rules.toml")


def test_bad_rules_file_names_the_file_and_the_key(tmp_path):
    folder = tmp_path / "badsoc"
    folder.mkdir()
    (folder / "rules.toml").write_text(
        '[branding]\nsociety_name = "x"\nsystem_name = "y"\n'
        '[uploads.credential]\nlabel = "証票"\nmax_bytes = -5\n', encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules_file(folder / "rules.toml")
    assert "badsoc/rules.toml" in str(err.value) and "uploads.credential.max_bytes" in str(err.value)


def test_bad_rules_file_stops_start_up(tmp_path, app_config):
    (tmp_path / "oops").mkdir()
    (tmp_path / "oops" / "rules.toml").write_text("[branding]\nsociety_name = 1\n", encoding="utf-8")
    with pytest.raises(RulesError, match="oops/rules.toml"):
        create_app({**app_config, "TENANTS_DIR": tmp_path})


def test_template_override_applies_to_its_own_society_only(app):
    with app.test_request_context():
        env = app.jinja_env
        assert isinstance(env, TenantEnvironment)
        name = "credentials/_instructions.html"
        g.tenant = TenantRef(1, "jsicm", "日本集中治療医学会", "jsicm.localhost")
        assert env.tenant_name(name) == f"tenants/jsicm/{name}"
        g.tenant = TenantRef(2, "jmsb", "日本専門医機構", "jmsb.localhost")
        assert env.tenant_name(name) == name


def test_cli_creates_tenant_domain_user_and_demo(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-tenant", "jsa", "日本テスト学会"]).exit_code == 0
    result = runner.invoke(args=["add-domain", "jsa", "portal.jsa.example", "--primary"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-user", "--tenant", "jsa", "--role", "secretariat",
                                 "--email", "jimu@jsa.example", "--name", "事務局",
                                 "--password", "long-enough-pw"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "http://jsicm.localhost:5000/" in result.output and "demo-pass-2024" in result.output
    again = runner.invoke(args=["seed-demo"])  # idempotent
    assert again.exit_code == 0, again.output


def test_demo_trainee_is_the_manuals_sample(app, client_for):
    app.test_cli_runner().invoke(args=["seed-demo"])
    client = client_for("jsicm.localhost")
    client.login("800014", "demo-pass-2024")
    page = client.text("/credentials/upload")
    for text in ("800014", "専攻医 テスト1 (センコウイ テストイチ)", "A1234567", "小児科",
                 "専門医取得済 (内科のみ認定医も可能)"):
        assert text in page
    home = client.text("/")
    assert "06/03 証票をアップロードしてください。" in home
    assert "施設A" in home and "統括 太郎" in home


def test_society_without_the_module_has_no_credential_pages(jmsb):
    jmsb.login("trainee@jmsb.example.jp")  # JMSB logs in by e-mail
    assert jmsb.get("/credentials/upload").status_code == 404
    assert jmsb.get("/cases/new").status_code == 404
    assert "証票アップロード" not in jmsb.text("/")
