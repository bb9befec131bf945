from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

REQUIRED = "入力してください。"


class LoginForm(FlaskForm):
    identifier = StringField(validators=[DataRequired(REQUIRED), Length(max=320)])
    password = PasswordField("パスワード", validators=[DataRequired(REQUIRED), Length(max=200)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("メールアドレス", validators=[
        DataRequired(REQUIRED), Email("メールアドレスの形式が正しくありません。"), Length(max=320)])


def reset_form(min_length: int) -> FlaskForm:
    class ResetPasswordForm(FlaskForm):
        password = PasswordField("新しいパスワード", validators=[
            DataRequired(REQUIRED),
            Length(min=min_length, max=200, message=f"{min_length}文字以上で入力してください。")])
        password_confirm = PasswordField("新しいパスワード（確認用）", validators=[
            DataRequired(REQUIRED), EqualTo("password", "パスワードが一致しません。")])

    return ResetPasswordForm()
