from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length


class UploadForm(FlaskForm):
    document_type = RadioField("証票の種類", validators=[DataRequired("証票の種類を選択してください。")],
                               validate_choice=True)
    file = FileField("証票アップロード")


class ReturnForm(FlaskForm):
    reason = TextAreaField("差戻しの理由", validators=[
        DataRequired("差戻しの理由を入力してください。"), Length(max=2000)])
