from flask_wtf.file import FileField
from wtforms import RadioField, TextAreaField
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
