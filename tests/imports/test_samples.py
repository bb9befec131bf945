"""Issue 15 item 7: the sample files seed-demo leaves import as the README says."""
from __future__ import annotations

from portal.devdata.samples import write_samples


def test_every_demo_society_sample_previews_with_the_expected_rows(app, tmp_path):
    from portal.devdata.demo import seed

    with app.app_context():
        seed()
    paths = {p.name.split("-")[0]: p for p in write_samples(tmp_path)}
    assert paths["jsicm"].read_bytes().decode("cp932").startswith("会員番号")
    runner = app.test_cli_runner()
    for slug, expected in (("jsicm", "create=4 update=2 unchanged=0 error=1"),
                           ("jmsb", "create=1 update=1 unchanged=0 error=1"),
                           ("jspm", "create=2 update=0 unchanged=0 error=0"),
                           ("jsgt", "create=2 update=0 unchanged=0 error=0")):
        result = runner.invoke(args=["import-people", "--tenant", slug, str(paths[slug]),
                                     "--dry-run"])
        assert expected in result.output, (slug, result.output)
        assert result.exit_code == (1 if "error=0" not in expected else 0), result.output
