"""The forms of the training record: a row of 研修実績 (B-S09), and the secretariat's settings."""
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import FlaskForm
from portal.i18n import N_

DETAILS_HELP = N_("週に1日など主な施設とは別の施設でも研修した場合は、行を分けずにここに記入してください。"
                  "例:「週に1度毎週○○病院で研修」")


class RecordForm(FlaskForm):
    """研修施設の登録 / 中断の登録: the fields "as applicable" (DOMAIN.md 3.2.2 field table)."""

    training_status = SelectField(N_("研修状況"), choices=[], validate_choice=True)
    start_date = DateField(N_("開始日"), validators=[DataRequired(N_("開始日を入力してください。"))])
    end_date = DateField(N_("終了日"), validators=[Optional()])
    interruption_reason = SelectField(N_("中断理由"), choices=[], validate_choice=True)
    facility_id = SelectField(N_("研修施設名"), choices=[], coerce=int, validate_choice=True)
    facility_name_text = StringField(N_("研修施設名（一覧にない場合）"), validators=[Length(max=200)])
    other_details = TextAreaField(N_("その他詳細"), validators=[Length(max=500)])


class DelayForm(FlaskForm):
    """開始の遅れ (B-R25 to B-R27): recorded by the secretariat."""

    planned_start_date = DateField(N_("研修開始予定日"), validators=[
        DataRequired(N_("研修開始予定日を入力してください。"))])
    actual_start_date = DateField(N_("実際の研修開始日"), validators=[Optional()])
    delay_reason = SelectField(N_("遅れの理由"), choices=[], default="", validate_choice=True)
    delay_reason_detail = TextAreaField(N_("理由の詳細"), validators=[Length(max=500)])
    society_notified = BooleanField(N_("領域学会へ連絡済み"))


class CeilingForm(FlaskForm):
    """シーリング対象外 (B-R24): set by the secretariat, never self-declared."""

    ceiling_exempt = BooleanField(N_("シーリング対象外"))
    certified_by = StringField(N_("認定した地域医療対策協議会"), validators=[Length(max=200)])
    reason = TextAreaField(N_("理由"), validators=[
        DataRequired(N_("理由を入力してください。")), Length(max=500)])


class TrackForm(FlaskForm):
    """研修制度の移行 (B-R28 to B-R30): recorded after the specialty society agreed."""

    to_track = SelectField(N_("移行後の研修制度"), choices=[], validate_choice=True)
    ground = SelectField(N_("カリキュラム制の対象"), choices=[], default="", validate_choice=True)
    effective_date = DateField(N_("移行日"), validators=[DataRequired(N_("移行日を入力してください。"))])
    reason = TextAreaField(N_("理由"), validators=[
        DataRequired(N_("理由を入力してください。")), Length(max=500)])
    society_agreed = BooleanField(N_("領域学会の確認を得た"))
