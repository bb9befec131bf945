"""The ZIP of a window's sealed scans on the Redis path: the request only queues an rq job
(progress in job.meta), a real `rq worker` builds the ZIP, the polled fragment then offers
the download, and the job id is 404 for another society's secretariat."""
from __future__ import annotations

import io
import zipfile

import pytest

from tests.factories.helpers.clients import TenantClient
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.renewal import (
    JIMU_LOGIN,
    form1_data,
    form2_data,
    physicians,
    post_form1,
    upload_scan,
)
from tests.factories.helpers.services import rq_queue

pytestmark = pytest.mark.integration

CORE_SCAN = pdf_bytes(pad_to=4096)
OTHER_SCAN = pdf_bytes(pad_to=5120)
CORE_MEMBER = "K-0001_髙田緩和ケア病院_r1.pdf"
OTHER_MEMBER = "K-0002_みなと基幹病院_r1.pdf"


def submit_with_scan(client: TenantClient, login: str, scan: bytes, **form1) -> None:
    client.login(login)
    assert post_form1(client, form1_data(**form1), physicians()).status_code == 200
    assert client.post("/renewal/form2", form2_data(), csrf_from="/renewal/apply").status_code == 200
    assert upload_scan(client, scan).status_code == 303
    assert client.post("/renewal/submit", {}, csrf_from="/renewal/apply").status_code == 303
    client.post("/logout", {}, csrf_from="/")


@pytest.fixture
def two_submitted(app, factories, jspm_world, client_for):
    """The core facility and a second core facility (みなと基幹病院) submitted with scans."""
    login = "minato@jspm.example.jp"
    factories.user(jspm_world.tenant_id, "minato-jspm", "facility_manager", email=login,
                   full_name="みなと 担当", facility_id=jspm_world.other_core)
    client = client_for("jspm.localhost")
    submit_with_scan(client, "core@jspm.example.jp", CORE_SCAN)
    submit_with_scan(client, login, OTHER_SCAN, facility_name="みなと基幹病院",
                     certification_number="K-0002")
    return jspm_world


@pytest.fixture
def jspm2(app, factories, jspm_world, monkeypatch, make_society):
    """A second society with the renewal module (jspm's rules under another host)."""
    import portal.tenants.resolve as resolve

    original = resolve.rules_for
    monkeypatch.setattr(resolve, "rules_for",
                        lambda slug, name="": original("jspm" if slug == "jspm2" else slug, name))
    return make_society(slug="jspm2", name="別学会")


def secretariat(live_app, host: str = "jspm.localhost") -> TenantClient:
    client = TenantClient(live_app, host)
    client.login(JIMU_LOGIN)
    return client


def start_zip(client: TenantClient, window_id: int):
    token = client.csrf("/renewal/admin/windows")
    return client.client.post(f"/renewal/admin/windows/{window_id}/zip", data={"csrf_token": token},
                              headers={"HX-Request": "true"})


def progress(client: TenantClient, job_id: str):
    return client.get(f"/renewal/admin/zip/{job_id}", headers={"HX-Request": "true"})


def test_zip_is_an_rq_job_built_by_a_real_worker_and_downloaded_byte_for_byte(
        two_submitted, live_app, redis_url, run_worker, files_dir):
    jimu = secretariat(live_app)
    started = start_zip(jimu, two_submitted.window)
    assert started.status_code == 202
    job_id = started.headers["X-Job-Id"]
    fragment = started.get_data(as_text=True)
    assert "<html" not in fragment and f'data-job-id="{job_id}"' in fragment
    assert "ZIPを作成しています" in fragment and "ZIPの作成が完了しました。" not in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert f'hx-get="/renewal/admin/zip/{job_id}"' in fragment
    assert rq_queue(redis_url).count == 1  # queued, not built inside the request
    target = files_dir / str(two_submitted.tenant_id) / "exports" / f"{job_id}.zip"
    assert not target.exists()
    assert jimu.get(f"/renewal/admin/zip/{job_id}/download").status_code == 404  # not yet

    output = run_worker(redis_url)
    assert target.exists(), output
    done = progress(jimu, job_id)
    page = done.get_data(as_text=True)
    assert done.status_code == 200, output
    assert "ZIPの作成が完了しました。" in page, output
    assert f'href="/renewal/admin/zip/{job_id}/download"' in page
    assert "hx-trigger" not in page and "hx-get" not in page  # polling stops

    download = jimu.get(f"/renewal/admin/zip/{job_id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(download.get_data())) as archive:
        assert archive.namelist() == [CORE_MEMBER, OTHER_MEMBER]
        assert archive.read(CORE_MEMBER) == CORE_SCAN
        assert archive.read(OTHER_MEMBER) == OTHER_SCAN


def test_rq_zip_job_id_is_404_for_another_societys_secretariat(
        two_submitted, jspm2, live_app, redis_url, run_worker):
    jimu = secretariat(live_app)
    job_id = start_zip(jimu, two_submitted.window).headers["X-Job-Id"]
    them = secretariat(live_app, "jspm2.localhost")
    assert progress(them, job_id).status_code == 404  # queued
    assert them.get(f"/renewal/admin/zip/{job_id}/download").status_code == 404

    run_worker(redis_url)
    assert "ZIPの作成が完了しました。" in progress(jimu, job_id).get_data(as_text=True)
    assert progress(them, job_id).status_code == 404  # finished
    assert them.get(f"/renewal/admin/zip/{job_id}/download").status_code == 404
    assert jimu.get(f"/renewal/admin/zip/{job_id}/download").status_code == 200
