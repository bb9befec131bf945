from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class EmailChangeForm(FlaskForm):
    new_email = EmailField("メールアドレス (変更後)", validators=[
        DataRequired("変更後のメールアドレスを入力してください。"),
        Email("メールアドレスの形式が正しくありません。"), Length(max=320)])
    new_email_confirmation = EmailField("メールアドレス (確認用)", validators=[
        DataRequired("確認用のメールアドレスを入力してください。"),
        EqualTo("new_email", "確認用のメールアドレスが一致しません。もう一度入力してください。")])
