"""Shared test factories, loaded as a pytest plugin (tests/conftest.py: pytest_plugins).

Fixtures come by name and are never imported: each one that makes data returns a callable
(`add_rows(tenant_id, *rows)`, `make_recruitment(society)`, `make_society(slug=...)`, ...).
The modules below are the plugin's parts; `tests/factories/helpers/` holds the plain
functions and constants that test modules do import (bytes to upload, form posts, logins,
rows read back).

  society       factories, world, add_rows, give_license
  recruitment   make_recruitment, rec, scope, in_jmsb, jimu, applicants, applications
  registration  registrant, setup_path, registered
  renewal       make_society, jspm_world, jspm, add_window
  security      tenant_a, tenant_b_has_every_module, snapshot
  services      redis_url, private_redis, smtp_sink, make_live_app, live_app, live_server,
                run_worker (Redis, a real rq worker, an SMTP sink, a live server)
  objectstore   s3_server (moto on loopback), s3_store, store_kind (local and S3)
  cluster       cluster (scripts/cluster.py: nginx, two nodes, S3; module scope)
  browser       browser, new_page (headless Chromium)
  case_reports  make_report_case, unlock_case_entry, report_world (症例レポート)
  training_record  enrol, add_records (在籍 and 研修実績, issue 17)
"""
import pytest

# Their asserts (a page without a CSRF token, a login that did not succeed) report like a test's.
pytest.register_assert_rewrite("tests.factories.helpers")

pytest_plugins = [
    "tests.factories.society",
    "tests.factories.recruitment",
    "tests.factories.registration",
    "tests.factories.renewal",
    "tests.factories.security",
    "tests.factories.services",
    "tests.factories.objectstore",
    "tests.factories.cluster",
    "tests.factories.browser",
    "tests.factories.case_reports",
    "tests.factories.training_record",
]
