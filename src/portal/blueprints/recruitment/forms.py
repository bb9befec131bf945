"""Recruitment forms: the applicant's (apply, change of program, withdrawal) and the secretariat's
(programs, rounds). Field checks only; the rules that need the database are in services/."""
from __future__ import annotations

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.accounts.models import BASIC_SPECIALTIES
from portal.blueprints.recruitment.models import CURRICULUM_GROUNDS, TRACKS
from portal.forms import FlaskForm
from portal.i18n import N_


class ApplyForm(FlaskForm):
    """研修制度 is chosen when applying (DOMAIN.md B-W02 default); 確認 then 応募する."""

    track = RadioField(N_("研修制度"), choices=list(TRACKS.items()), default="program",
                       validators=[DataRequired(N_("研修制度を選択してください。"))])
    curriculum_ground = SelectField(N_("カリキュラム制を選択する理由"),
                                    choices=[("", N_("選択してください"))]
                                    + list(CURRICULUM_GROUNDS.items()), default="")
    confirmed = HiddenField()


class WithdrawForm(FlaskForm):
    reason = TextAreaField(N_("辞退理由"), validators=[
        DataRequired(N_("辞退理由を入力してください。")),
        Length(max=1000, message=N_("辞退理由は1000文字以内で入力してください。"))])
    confirmed = HiddenField()


# --- the secretariat's forms ---------------------------------------------------------------

YEAR_RANGE = NumberRange(2000, 2100, message=N_("年度は2000〜2100の範囲で入力してください。"))
# A browser's datetime-local sends minutes; a typed value may carry seconds.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _id(value) -> int:
    """An empty or garbled select is 0, not a coercion error: the service says what is missing."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _when(label: str, missing: str) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=DATETIME_FORMATS, validators=[InputRequired(missing)],
                              invalid_value_message=N_("日時を正しく入力してください（例: 2026-10-01 10:00）。"))


def _year(label: str) -> IntegerField:
    return IntegerField(label, validators=[InputRequired(N_("研修開始年度を入力してください。")), YEAR_RANGE],
                        invalid_value_message=N_("年度は半角数字で入力してください（例: 2027）。"))


class ProgramForm(FlaskForm):
    name = StringField(N_("プログラム名"), validators=[
        DataRequired(N_("プログラム名を入力してください。")),
        Length(max=200, message=N_("プログラム名は200文字以内で入力してください。"))])
    # Choices of the two selects are this tenant's rows, set by the view.
    core_facility_id = SelectField(N_("基幹施設"), coerce=_id, validate_choice=False)
    director_id = SelectField(N_("統括責任者"), coerce=_id, validate_choice=False)
    specialty = SelectField(N_("基本領域"), choices=[SelectChoice("", N_("選択してください"))] + [
        SelectChoice(k, v) for k, v in BASIC_SPECIALTIES.items()], validate_choice=False)
    capacity = IntegerField(N_("定員"), validators=[
        InputRequired(N_("定員を入力してください。")),
        NumberRange(1, 9999, message=N_("定員は1〜9999の範囲で入力してください。"))],
        invalid_value_message=N_("定員は半角数字で入力してください。"))
    start_fiscal_year = _year(N_("研修開始年度"))
    active = BooleanField(N_("受付中（応募者に表示する）"), default=True)



class RoundForm(FlaskForm):
    start_fiscal_year = _year(N_("研修開始年度"))
    seq = IntegerField(N_("回"), validators=[
        InputRequired(N_("回を入力してください。")),
        NumberRange(1, 20, message=N_("回は1〜20の範囲で入力してください。"))],
        invalid_value_message=N_("回は半角数字で入力してください。"))
    label = StringField(N_("名称"), validators=[
        DataRequired(N_("名称を入力してください（例: 一次募集）。")),
        Length(max=100, message=N_("名称は100文字以内で入力してください。"))])
    opens_at = _when(N_("応募開始"), N_("応募開始日時を入力してください。"))
    closes_at = _when(N_("応募締切"), N_("応募締切日時を入力してください。"))
    decisions_close_at = _when(N_("選考結果登録締切"), N_("選考結果登録締切日時を入力してください。"))
