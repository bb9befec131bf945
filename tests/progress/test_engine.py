"""The completion requirements engine (portal.requirements) on hand-made facts: every kind, at
its boundaries (exactly the minimum, zero, 84 days = 12 weeks, months floored), and
Registry.collect / the menu's requirement locks on features made for the test."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Blueprint

from portal.registry import Feature, Menu, Registry
from portal.requirements import KINDS, evaluate, months, weeks
from portal.tenants.resolve import rules_for
from portal.tenants.rules_training import Requirement


@pytest.fixture
def jsicm_rules(app):
    with app.app_context():
        return rules_for("jsicm")


def one(rules, code: str, facts: dict):
    [result] = evaluate(rules, facts, [r for r in rules.requirements if r.code == code])
    return result


def test_every_kind_the_rules_allow_has_a_function():
    from typing import get_args

    from portal.tenants.rules_training import RequirementKind

    assert set(get_args(RequirementKind)) == set(KINDS)


def test_months_are_days_over_a_twelfth_of_365_25_floored_and_weeks_are_whole_weeks():
    assert [months(d) for d in (0, 30, 31, 365, 366, 731)] == [0, 0, 1, 11, 12, 24]
    assert months(-5) == 0
    assert [weeks(d) for d in (0, 6, 7, 83, 84)] == [0, 0, 1, 11, 12]


def test_no_facts_leave_every_requirement_unmet_with_all_of_it_missing(jsicm_rules):
    results = evaluate(jsicm_rules, {})
    assert [r.requirement.code for r in results] == [r.code for r in jsicm_rules.requirements]
    assert not any(r.met for r in results)
    by_code = {r.requirement.code: r for r in results}
    assert by_code["credential"].missing == "証票が未承認です"
    assert by_code["cases_total"].missing == "あと100例" and by_code["cases_total"].have == 0
    assert by_code["icu_months"].missing == "あと12か月"
    assert by_code["icu_run"].missing == "あと12週"
    assert by_code["reports"].missing == "あと10件"
    assert by_code["distinct_categories"].missing == "あと15区分"


def test_credential_approved(jsicm_rules):
    assert one(jsicm_rules, "credential", {"credential_approved": True}).met
    result = one(jsicm_rules, "credential", {"credential_approved": False})
    assert (result.met, result.have, result.need, result.unit) == (False, 0, 1, "")
    assert result.counts == "未承認"


def test_cases_total_at_the_minimum_and_one_short(jsicm_rules):
    met = one(jsicm_rules, "cases_total", {"cases_total": 100})
    assert met.met and met.missing == "" and met.counts == "100 / 100例"
    short = one(jsicm_rules, "cases_total", {"cases_total": 99})
    assert not short.met and short.missing == "あと1例" and short.unit == "例"


def test_cases_in_a_branch_count_all_its_leaves_and_name_the_branch(jsicm_rules):
    facts = {"cases_by_category": {"resp_pneumonia": 10, "resp_ards": 4, "cardio_acs": 50}}
    result = one(jsicm_rules, "cases_resp", facts)
    assert (result.met, result.have, result.need, result.missing) == (False, 14, 15, "あと1例")
    assert result.branch == "呼吸器"
    facts["cases_by_category"]["resp_copd"] = 1
    assert one(jsicm_rules, "cases_resp", facts).met


def test_cases_in_a_leaf_count_that_leaf_only(jsicm_rules):
    leaf = Requirement(code="ards", kind="cases_in_category", category="resp_ards", minimum=2,
                       label="ARDS 2例以上")
    [result] = evaluate(jsicm_rules, {"cases_by_category": {"resp_ards": 1, "resp_pneumonia": 9}},
                        [leaf])
    assert (result.have, result.missing, result.branch) == (1, "あと1例", "呼吸器／ARDS")


def test_distinct_categories_count_leaves_with_cases(jsicm_rules):
    codes = list(jsicm_rules.case_log.leaf_codes())
    facts = {"cases_by_category": {**{c: 1 for c in codes[:14]}, codes[14]: 0, "unknown": 3}}
    result = one(jsicm_rules, "distinct_categories", facts)
    assert (result.have, result.met, result.missing, result.unit) == (14, False, "あと1区分", "区分")
    facts["cases_by_category"][codes[14]] = 2
    assert one(jsicm_rules, "distinct_categories", facts).met


def test_accepted_reports(jsicm_rules):
    assert one(jsicm_rules, "reports", {"accepted_reports": 10}).met
    assert one(jsicm_rules, "reports", {"accepted_reports": 7}).missing == "あと3件"


def test_rotation_months_floor_the_days(jsicm_rules):
    """12 months of ICU: 365 days are 11 whole months, 366 are 12."""
    short = one(jsicm_rules, "icu_months", {"rotation_days": {"icu": 365, "emergency": 400}})
    assert (short.met, short.have, short.missing, short.counts) == (False, 11, "あと1か月",
                                                                   "11 / 12か月")
    assert one(jsicm_rules, "icu_months", {"rotation_days": {"icu": 366}}).met
    assert one(jsicm_rules, "emergency_months", {"rotation_days": {"emergency": 31}}).met
    assert not one(jsicm_rules, "emergency_months", {"rotation_days": {"emergency": 30}}).met


def test_a_run_of_84_days_is_12_weeks(jsicm_rules):
    assert one(jsicm_rules, "icu_run", {"longest_run_days": {"icu": 84}}).met
    short = one(jsicm_rules, "icu_run", {"longest_run_days": {"icu": 83}, "rotation_days": {"icu": 900}})
    assert (short.met, short.have, short.missing) == (False, 11, "あと1週")


def test_a_minimum_of_zero_is_met_with_nothing():
    rules = SimpleNamespace(case_log=None)
    zero = Requirement(code="z", kind="accepted_reports", minimum=0, label="任意")
    [result] = evaluate(rules, {}, [zero])
    assert result.met and result.missing == ""


def test_another_society_has_its_own_requirements_from_its_rules(app):
    with app.app_context():
        jsgt = rules_for("jsgt")
    results = evaluate(jsgt, {"rotation_days": {"general": 549, "community": 182},
                              "cases_total": 30, "accepted_reports": 2})
    got = {r.requirement.code: (r.met, r.missing) for r in results}
    assert got == {"credential": (False, "証票が未承認です"), "general_months": (True, ""),
                   "community_months": (False, "あと1か月"), "cases_total": (True, ""),
                   "reports": (False, "あと1件")}


# --- Registry.collect and the menu's locks --------------------------------------------------

def _feature(name: str, **kw) -> Feature:
    return Feature(name, Blueprint(name, __name__), **kw)


def _registry(*features: Feature) -> Registry:
    registry = Registry()
    for feature in features:
        registry.add(feature)
    return registry


def test_collect_merges_every_features_facts_per_trainee(jsicm_rules):
    seen = []

    def cases(rules, ids, today):
        seen.append((rules, tuple(ids), today))
        return {1: {"cases_total": 3}, 2: {"cases_total": 0}}

    registry = _registry(_feature("a", answers={"requirement_facts": cases}),
                         _feature("b", answers={"requirement_facts": lambda r, ids, t: {
                             1: {"credential_approved": True}}}),
                         _feature("off", module="recruitment", answers={
                             "requirement_facts": lambda r, ids, t: {1: {"cases_total": 99}}}))
    merged = registry.collect("requirement_facts", jsicm_rules, [1, 2], "today")
    assert merged == {1: {"cases_total": 3, "credential_approved": True}, 2: {"cases_total": 0}}
    assert seen == [(jsicm_rules, (1, 2), "today")]
    assert registry.collect("nobody_answers", jsicm_rules, [1]) == {}


def test_two_features_answering_the_same_fact_is_an_error(jsicm_rules):
    registry = _registry(
        _feature("a", answers={"requirement_facts": lambda r, ids, t: {1: {"cases_total": 1}}}),
        _feature("b", answers={"requirement_facts": lambda r, ids, t: {1: {"cases_total": 2}}}))
    with pytest.raises(AssertionError, match="cases_total"):
        registry.collect("requirement_facts", jsicm_rules, [1], None)


def test_a_lock_without_a_cheap_answer_is_evaluated_from_the_facts_once_per_request(app, jsicm_rules):
    """A society may lock a page on any requirement (rules.toml `locks`): no code names it."""
    calls, have = [], {"n": 0}

    def facts(rules, ids, today):
        calls.append(ids)
        return {ids[0]: {"cases_total": have["n"]}}

    gate = Requirement(code="ten", kind="cases_total", minimum=10, label="経験症例 10例以上",
                       locks=("x.report", "x.other"))
    rules = jsicm_rules.model_copy(update={"requirements": (gate,)})
    menus = (Menu("R", "x.report", frozenset({"trainee"}), order=1),
             Menu("O", "x.other", frozenset({"trainee"}), order=2),
             Menu("S", "x.staff", frozenset({"program_director"}), order=3))
    registry = _registry(_feature("x", menus=menus, answers={"requirement_facts": facts}))
    trainee = SimpleNamespace(role="trainee", id=7)
    for have["n"], reason in ((9, "経験症例 10例以上を満たすと利用できます。"), (10, None)):
        with app.test_request_context("/"):
            items = registry.menu(trainee, rules)
        assert [(i.label, i.reason) for i in items] == [("R", reason), ("O", reason)]
    assert calls == [[7], [7]]  # one evaluation per request, not one per item
    with app.test_request_context("/"):
        [staff] = registry.menu(SimpleNamespace(role="program_director", id=8), rules)
    assert staff.reason is None and len(calls) == 2  # a director's menu is not a trainee's
