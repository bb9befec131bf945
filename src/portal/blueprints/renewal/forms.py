"""Form 1 (申請書) and Form 2 (概要書). WTForms parses and carries CSRF; the rules that
decide 登録済み live in services, so a draft is saved even while it is incomplete. Labels
with %(ward)s or %(team)s get the society's words where they are shown (services/wording.py)."""
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from portal.blueprints.renewal.models import FACILITY_TYPES
from portal.forms import CodeField, CountField, FlaskForm, Form
from portal.i18n import N_

PHYSICIAN_ROWS = 3


class PhysicianRow(Form):
    name = StringField(N_("氏名"), validators=[Length(max=100)])
    member_number = CodeField(N_("会員番号"), validators=[Length(max=30)])
    full_time = BooleanField(N_("常勤"))


class ApplicationForm(FlaskForm):
    facility_name = StringField(N_("施設名"), validators=[Length(max=200)])
    certification_number = CodeField(N_("認定番号"), validators=[Length(max=40)])
    institution_head = StringField(N_("施設としての責任者（病院長等）"), validators=[Length(max=100)])
    responsible_name = StringField(N_("施設責任者 氏名"), validators=[Length(max=100)])
    responsible_member_number = CodeField(N_("施設責任者 会員番号"), validators=[Length(max=30)])
    core_facility_id = SelectField(N_("連携する基幹施設"), choices=[], validate_choice=False,  # choices: per window
                                   validators=[Optional(), Regexp(r"^\d{1,10}$", message=N_("選択肢から選んでください。"))])
    physicians = FieldList(FormField(PhysicianRow), min_entries=PHYSICIAN_ROWS, max_entries=30)

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "facility_name", "certification_number", "institution_head", "responsible_name",
            "responsible_member_number", "core_facility_id")}

    def physician_rows(self) -> list[dict]:
        return [entry.data for entry in self.physicians]


class OverviewForm(FlaskForm):
    beds = CountField(N_("病床数"), validators=[Length(max=6)])
    has_pcu = RadioField(N_("%(ward)sの有無"), choices=[SelectChoice("yes", N_("有")), SelectChoice("no", N_("無"))],
                         validate_choice=False,
                         validators=[Optional(), AnyOf(["yes", "no"], message=N_("選択肢から選んでください。"))])
    team_cases = CountField(N_("年間の%(team)s介入件数"), validators=[Length(max=7)])
    training_content = TextAreaField(N_("主な研修内容"), validators=[Length(max=2000)])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "beds", "has_pcu", "team_cases", "training_content")}


class ScanForm(FlaskForm):
    file = FileField(N_("申請書・在籍証明書"))


class CorrectionForm(FlaskForm):
    message = TextAreaField(N_("修正依頼の内容"), validators=[Length(max=2000)])


# --- the secretariat's forms -------------------------------------------------------------------

class StartDateForm(FlaskForm):
    certification_start_date = DateField(N_("認定開始日"), validators=[Optional()])


class PassForm(FlaskForm):
    """合格: the 認定開始日 offered is the April after the window (Q21)."""
    certification_start_date = DateField(N_("認定開始日"), validators=[Optional()])


class FailForm(FlaskForm):
    reason = TextAreaField(N_("不合格の理由"), validators=[Length(max=2000)])


class FacilityForm(FlaskForm):
    name = StringField(N_("施設名"), validators=[Length(max=200)])
    certification_number = CodeField(N_("認定番号"), validators=[Length(max=40)])
    facility_type = SelectField(N_("種別"), choices=[SelectChoice(k, v) for k, v in FACILITY_TYPES.items()],
                                validate_choice=False)
    email = EmailField(N_("責任者のメールアドレス"), validators=[Length(max=320)])


class ImportForm(FlaskForm):
    file = FileField(N_("CSVファイル"))


class WindowForm(FlaskForm):
    label = StringField(N_("名称"), validators=[DataRequired(N_("名称を入力してください。")), Length(max=100)])
    opens_date = DateField(N_("開始日"), validators=[DataRequired(N_("開始日を入力してください。"))])
    opens_time = TimeField(N_("開始時刻"), validators=[DataRequired(N_("開始時刻を入力してください。"))])
    closes_date = DateField(N_("終了日"), validators=[DataRequired(N_("終了日を入力してください。"))])
    closes_time = TimeField(N_("終了時刻"), validators=[DataRequired(N_("終了時刻を入力してください。"))])


class EmailChangeForm(FlaskForm):
    new_email = EmailField(N_("新しいメールアドレス"), validators=[Length(max=320)])
    evidence = TextAreaField(N_("本人確認の記録"), validators=[Length(max=2000)])
