from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.forms import FlaskForm
from portal.i18n import N_


class UploadForm(FlaskForm):
    document_type = RadioField(N_("証票の種類"), validators=[
        DataRequired(N_("証票の種類を選択してください。"))], validate_choice=True)
    file = FileField(N_("証票アップロード"))


class ReturnForm(FlaskForm):
    reason = TextAreaField(N_("差戻しの理由"), validators=[
        DataRequired(N_("差戻しの理由を入力してください。")), Length(max=2000)])


# --- the secretariat's trainee administration (A-S12) --------------------------------------------

class ProgramForm(FlaskForm):
    specialty = SelectField(N_("基本領域"), choices=[])
    program_status = SelectField(N_("プログラム状況"), choices=[])
    reason = TextAreaField(N_("変更の理由"), validators=[
        DataRequired(N_("変更の理由を入力してください。")), Length(max=500)])


class TrainingStartForm(FlaskForm):
    facility_id = SelectField(N_("研修施設"), choices=[], coerce=int, validate_choice=False)
    director_id = SelectField(N_("統括責任者"), choices=[], coerce=int, validate_choice=False)
    start = DateField(N_("研修開始日"), validators=[DataRequired(N_("研修開始日を入力してください。"))])


class ReplacementForm(FlaskForm):
    comment = TextAreaField(N_("専攻医への連絡事項"), validators=[Length(max=1000)])


class TrainingStartApplyForm(FlaskForm):
    """研修開始申請 (A-W01): the facility, its program director and the start date."""

    facility_id = SelectField(N_("研修施設"), choices=[], coerce=int, validate_choice=False)
    director_id = SelectField(N_("統括責任者"), choices=[], coerce=int, validate_choice=False)
    start = DateField(N_("研修開始日"), validators=[DataRequired(N_("研修開始日を入力してください。"))])


# --- 所属研修施設変更・休止登録 (issue 16 item 2) ------------------------------------------------

class FacilityChangeForm(FlaskForm):
    facility_id = SelectField(N_("新しい研修施設"), choices=[], coerce=int, validate_choice=False)
    director_id = SelectField(N_("新しい統括責任者"), choices=[], coerce=int, validate_choice=False)
    rotation = SelectField(N_("研修の種別"), choices=[], validate_choice=False)
    start = DateField(N_("変更日（新しい施設での研修開始日）"), validators=[
        DataRequired(N_("変更日を入力してください。"))])


class SuspensionForm(FlaskForm):
    start = DateField(N_("休止開始日"), validators=[DataRequired(N_("休止開始日を入力してください。"))])
    end = DateField(N_("休止終了日"), validators=[DataRequired(N_("休止終了日を入力してください。"))])
    reason_code = SelectField(N_("休止の理由"), choices=[], validate_choice=False)
    detail = TextAreaField(N_("理由の詳細（「その他」の場合は必須）"), validators=[Length(max=1000)])
