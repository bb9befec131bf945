"""The society's typed rules of the training record (rules.toml [training_record]): the B-R21
matrix as the seed lists it, and a bad value stops start-up with the key that is wrong."""
from __future__ import annotations

import pytest

from portal.tenants.rules import RulesError, load_rules_file
from portal.tenants.rules_records import TrainingRecordRules


@pytest.mark.parametrize(("specialty", "cohort", "enters"), [
    ("pediatrics", 2024, True), ("general_medicine", 2018, True), ("anesthesiology", 2030, True),
    ("internal_medicine", 2018, True), ("internal_medicine", 2019, False),
    ("radiology", 2018, True), ("radiology", 2019, True), ("radiology", 2020, False),
    ("surgery", 2018, False), ("emergency_medicine", 2024, False), ("psychiatry", 2024, False),
])
def test_jmsb_entry_matrix_follows_the_seed(app, specialty, cohort, enters):
    """B-R21 / I-33 / DOMAIN.md 1.10."""
    from portal.tenants.resolve import rules_for

    with app.app_context():
        assert rules_for("jmsb").training_record.entry_required_for(specialty, cohort) is enters


def test_a_society_without_the_section_lets_everybody_enter():
    assert TrainingRecordRules().entry_required_for("surgery", 2024)


@pytest.mark.parametrize("section", [
    'entry_required = ["pediatrics", "cardiology"]',
    'cohort_exceptions = { dentistry = [2018] }',
    'curriculum_grounds = { surgery = ["because"] }',
    'delay_limit_months = 0',
])
def test_a_bad_value_stops_start_up_naming_the_key(tmp_path, section):
    folder = tmp_path / "xyz"
    folder.mkdir()
    (folder / "rules.toml").write_text(
        f'modules = ["recruitment", "training_record"]\n[branding]\nsociety_name = "x"\n'
        f'system_name = "y"\n[training_record]\n{section}\n', encoding="utf-8")
    with pytest.raises(RulesError, match="training_record"):
        load_rules_file(folder / "rules.toml")
