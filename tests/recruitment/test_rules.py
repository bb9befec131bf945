"""B-W02 / I-20..I-23: every recruitment rule and transition in the service layer, and
nothing changed on a refusal."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.audit import AuditEvent
from portal.blueprints.recruitment.models import RecruitmentApplication
from portal.blueprints.recruitment.services import applicant as services
from portal.blueprints.recruitment.services import selection
from portal.db import utcnow
from portal.extensions import db
from portal.mail import OutboxMail
from tests.factories.helpers.rows import user

S = services
D = selection  # the director's side


def mails(template: str | None = None) -> list[OutboxMail]:
    stmt = select(OutboxMail).order_by(OutboxMail.id)
    if template:
        stmt = stmt.where(OutboxMail.template == template)
    return list(db.session.scalars(stmt))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions(application_id: int) -> list[tuple[str, str | None, str | None]]:
    return [(e.action, e.from_state, e.to_state) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "recruitment_applications",
                                 AuditEvent.entity_id == application_id).order_by(AuditEvent.id))]


def refused(call, message: str | None = None, status: int | None = None):
    before = (count(RecruitmentApplication), count(OutboxMail), count(AuditEvent))
    with pytest.raises(S.RecruitmentError) as info:
        call()
    if message:
        assert info.value.message == message
    if status:
        assert info.value.status == status
    assert (count(RecruitmentApplication), count(OutboxMail), count(AuditEvent)) == before
    return info.value


def applied(scope, program=None, **kw):
    return S.apply(user(scope.applicant), program or scope.program, "program", None, **kw)


def test_apply_in_open_round(scope):
    application = applied(scope)
    assert (application.status, application.round_id, application.start_fiscal_year) == (
        "applied", scope.round1, 2027)
    assert actions(application.id) == [("recruitment_applied", "not_applied", "applied")]
    [mail] = mails("recruitment_applied")
    assert mail.to_addr == "hanako@jmsb.example.jp"
    assert "髙田大学病院 小児科専門研修プログラム" in mail.body
    assert mail.subject.startswith("【JMSB Online System+】")


def test_one_program_at_a_time(scope):
    applied(scope)
    refused(lambda: applied(scope, scope.other_program), S.ALREADY_APPLIED)


def test_apply_needs_an_open_round(scope):
    between = scope.round1_closes + timedelta(days=1)
    refused(lambda: applied(scope, now=between), S.OUTSIDE_ROUND)
    after_all = scope.round2_closes + timedelta(minutes=1)
    refused(lambda: applied(scope, now=after_all), S.ALL_ROUNDS_ENDED)
    assert S.calendar(after_all).closed_reason() == S.ALL_ROUNDS_ENDED


def test_apply_needs_the_licence(scope, app, factories, give_license):
    newcomer = factories.user(scope.tenant_id, "jmsb-new", "trainee", full_name="新規 一郎")
    refused(lambda: S.apply(user(newcomer), scope.program, "program", None), S.LICENSE_MISSING)
    give_license(scope.tenant_id, newcomer, provisional=True)  # a provisional image is enough
    assert S.apply(user(newcomer), scope.program, "program", None).status == "applied"


def test_curriculum_track_needs_a_ground(scope):
    refused(lambda: S.apply(user(scope.applicant), scope.program, "curriculum", None), status=400)
    refused(lambda: S.apply(user(scope.applicant), scope.program, "other", None), status=400)
    application = S.apply(user(scope.applicant), scope.program, "curriculum", "study_leave")
    assert (application.track, application.curriculum_ground) == ("curriculum", "study_leave")


def test_unknown_or_inactive_program_is_404(scope):
    refused(lambda: S.apply(user(scope.applicant), 999999, "program", None), status=404)


def test_database_allows_one_open_application_per_year(scope):
    first = applied(scope)
    twin = RecruitmentApplication(tenant_id=first.tenant_id, applicant_id=first.applicant_id,
                                  program_id=scope.other_program, round_id=scope.round1,
                                  start_fiscal_year=2027, applied_at=utcnow())
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(twin)


def test_program_change_while_undecided_and_open(scope):
    application = applied(scope)
    S.change_program(user(scope.applicant), application.id, scope.other_program)
    assert application.program_id == scope.other_program
    assert actions(application.id)[-1] == ("recruitment_program_changed", "applied", "applied")
    after_close = scope.round1_closes + timedelta(hours=1)
    refused(lambda: S.change_program(user(scope.applicant), application.id, scope.program,
                                     now=after_close), S.OUTSIDE_ROUND)


def test_no_program_change_after_a_decision(scope):
    application = applied(scope)
    D.decide(user(scope.director), [application.id], "rejected")
    refused(lambda: S.change_program(user(scope.applicant), application.id, scope.other_program))


def test_only_the_programs_director_decides(scope):
    application = applied(scope)
    refused(lambda: D.decide(user(scope.other_director), [application.id], "accepted"), status=404)
    refused(lambda: D.decide(user(scope.applicant), [application.id], "accepted"), status=404)
    assert application.status == "applied"


def test_result_mail_contains_no_result(scope, app, factories, give_license):
    """B-R15: the same words whatever the result; the result only on the screen."""
    second = factories.user(scope.tenant_id, "jmsb-second", "trainee", full_name="応募 次郎",
                            email="jiro@jmsb.example.jp")
    give_license(scope.tenant_id, second)
    a = applied(scope)
    b = S.apply(user(second), scope.program, "program", None)
    D.decide(user(scope.director), [a.id], "accepted")
    D.decide(user(scope.director), [b.id], "rejected")
    first, other = mails("recruitment_result")
    for mail in (first, other):
        text = mail.subject + mail.body
        for word in ("採用", "不採用", "未設定", "合格", "不合格", "小児科", "プログラム:"):
            assert word not in text, word
        assert "ログイン" in text and "結果は記載されておりません" in text
        # the system's name comes from jmsb's rules.toml (branding.system_name)
        assert "JMSB Online System+にログインし、採否結果をご確認ください。" in mail.body
    assert first.body.replace("応募 花子", "X") == other.body.replace("応募 次郎", "X")
    assert first.subject == other.subject


def test_bulk_decision_is_all_or_nothing(scope, app, factories, give_license):
    second = factories.user(scope.tenant_id, "jmsb-second", "trainee", full_name="応募 次郎")
    give_license(scope.tenant_id, second)
    a = applied(scope)
    b = S.apply(user(second), scope.other_program, "program", None)
    # b belongs to the other director's program: the whole request is refused
    refused(lambda: D.decide(user(scope.director), [a.id, b.id], "accepted"), status=404)
    changed = D.decide(user(scope.director), [a.id], "accepted")
    assert [x.status for x in changed] == ["accepted"]


def test_undecide_sends_no_mail_and_decisions_end_with_the_selection(scope):
    application = applied(scope)
    D.decide(user(scope.director), [application.id], "accepted")
    D.decide(user(scope.director), [application.id], "applied")  # 未設定 again
    assert application.status == "applied" and len(mails("recruitment_result")) == 1
    late = scope.round1_decisions_close + timedelta(minutes=1)
    S.close_due_rounds(late)  # the system's close-out runs first (it would inside decide too)
    refused(lambda: D.decide(user(scope.director), [application.id], "accepted", now=late))


def test_round_close_out(scope, app, factories, give_license):
    """未設定 and 不採用 go back to 未応募 when the selection closes (B-R12, I-22);
    採用 stays; running it again changes nothing."""
    people = []
    for i in range(3):
        uid = factories.user(scope.tenant_id, f"jmsb-p{i}", "trainee", full_name=f"応募 {i}")
        give_license(scope.tenant_id, uid)
        people.append(uid)
    apps = [S.apply(user(uid), scope.program, "program", None) for uid in people]
    D.decide(user(scope.director), [apps[0].id], "accepted")
    D.decide(user(scope.director), [apps[1].id], "rejected")
    mails_before = len(mails("recruitment_result"))
    late = scope.round1_decisions_close + timedelta(seconds=1)
    assert S.close_due_rounds(late) == 1
    assert S.close_due_rounds(late) == 0
    for a in apps:
        db.session.refresh(a)
    assert [(a.status, a.closed_at is not None) for a in apps] == [
        ("accepted", False), ("rejected", True), ("undecided", True)]
    assert len(mails("recruitment_result")) == mails_before + 1  # only the undecided one
    assert actions(apps[2].id)[-1] == ("recruitment_round_closed", "applied", "undecided")
    in_round2 = scope.round2_opens + timedelta(hours=1)
    screen = S.applicant_screen(user(people[1]), in_round2)
    assert screen.status == "not_applied" and screen.apply_block is None
    again = S.apply(user(people[1]), scope.other_program, "program", None, now=in_round2)
    assert again.round_id == scope.round2
    refused(lambda: S.apply(user(people[0]), scope.other_program, "program", None,
                            now=in_round2), S.ALREADY_ACCEPTED)


def test_withdrawal_approved_then_apply_elsewhere(scope):
    application = applied(scope)
    D.decide(user(scope.director), [application.id], "accepted")
    me = user(scope.applicant)
    refused(lambda: S.request_withdrawal(me, application.id, "  "), status=400)
    refused(lambda: S.request_withdrawal(me, application.id, "x" * 1001), status=400)
    S.request_withdrawal(me, application.id, "家庭の事情により地元で研修するため")
    assert application.status == "withdrawal_requested"
    [notice] = mails("recruitment_withdrawal_requested")
    assert notice.to_addr == user(scope.director).email
    in_round2 = scope.round2_opens + timedelta(hours=1)
    refused(lambda: S.apply(me, scope.other_program, "program", None, now=in_round2),
            S.WITHDRAWAL_PENDING)
    refused(lambda: D.approve_withdrawal(user(scope.other_director), application.id), status=404)
    seen = D.get_for_director(user(scope.director), application.id)
    assert seen.withdrawal_reason == "家庭の事情により地元で研修するため"
    D.approve_withdrawal(user(scope.director), application.id)
    assert (application.status, application.closed_at is not None) == ("withdrawn", True)
    [approved_mail] = mails("recruitment_withdrawal_approved")
    assert approved_mail.to_addr == "hanako@jmsb.example.jp"
    refused(lambda: D.approve_withdrawal(user(scope.director), application.id))
    again = S.apply(me, scope.other_program, "program", None, now=in_round2)
    assert (again.status, again.round_id) == ("applied", scope.round2)
    assert [a for a, _, _ in actions(application.id)] == [
        "recruitment_applied", "recruitment_decided", "recruitment_withdrawal_requested",
        "recruitment_withdrawal_approved"]


def test_withdrawal_declined_keeps_the_acceptance(scope):
    application = applied(scope)
    D.decide(user(scope.director), [application.id], "accepted")
    S.request_withdrawal(user(scope.applicant), application.id, "別の病院を希望")
    refused(lambda: D.decline_withdrawal(user(scope.director), application.id, ""), status=400)
    D.decline_withdrawal(user(scope.director), application.id, "ご本人と面談のうえ継続")
    assert (application.status, application.closed_at) == ("accepted", None)
    assert len(mails("recruitment_withdrawal_declined")) == 1


def test_withdrawal_only_when_accepted(scope):
    application = applied(scope)
    refused(lambda: S.request_withdrawal(user(scope.applicant), application.id, "理由"))
    refused(lambda: S.request_withdrawal(user(scope.director), application.id, "理由"), status=404)


def test_no_decision_on_a_withdrawal_request(scope):
    application = applied(scope)
    D.decide(user(scope.director), [application.id], "accepted")
    S.request_withdrawal(user(scope.applicant), application.id, "理由")
    refused(lambda: D.decide(user(scope.director), [application.id], "rejected"))
