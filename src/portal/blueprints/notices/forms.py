"""The notice form: plain text, an audience, and when it shows (Japan time, as typed)."""
from __future__ import annotations

from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.forms import FlaskForm
from portal.i18n import N_

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
BAD_DATETIME = N_("日時を正しく入力してください（例: 2026-10-01 10:00）。")


class NoticeForm(FlaskForm):
    title = StringField(N_("件名"), validators=[
        DataRequired(N_("件名を入力してください。")),
        Length(max=200, message=N_("件名は200文字以内で入力してください。"))])
    body = TextAreaField(N_("本文"), validators=[
        Length(max=4000, message=N_("本文は4000文字以内で入力してください。"))])
    # Choices are the society's audiences, set by the view (services.audiences).
    audience = SelectField(N_("対象"), validators=[InputRequired(N_("対象を選択してください。"))],
                           invalid_choice_message=N_("対象を一覧から選択してください。"))
    publish_from = DateTimeLocalField(N_("掲載開始日時"), format=DATETIME_FORMATS, validators=[
        InputRequired(N_("掲載開始日時を入力してください。"))], invalid_value_message=BAD_DATETIME)
    publish_to = DateTimeLocalField(N_("掲載終了日時"), format=DATETIME_FORMATS,
                                    validators=[Optional()], invalid_value_message=BAD_DATETIME)
