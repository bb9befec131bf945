from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.i18n import N_

REQUIRED = N_("入力してください。")


class LoginForm(FlaskForm):
    identifier = StringField(validators=[DataRequired(REQUIRED), Length(max=320)])
    password = PasswordField(N_("パスワード"), validators=[DataRequired(REQUIRED), Length(max=200)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(N_("メールアドレス"), validators=[
        DataRequired(REQUIRED), Email(N_("メールアドレスの形式が正しくありません。")), Length(max=320)])


def password_form(min_length: int, label: str = N_("新しいパスワード"),
                  confirm_label: str = N_("新しいパスワード（確認用）")) -> FlaskForm:
    """A password typed twice: password reset, and the first password of a new registrant."""
    class PasswordForm(FlaskForm):
        password = PasswordField(label, validators=[
            DataRequired(REQUIRED),
            Length(min=min_length, max=200,
                   message=gettext("%(n)s文字以上で入力してください。", n=min_length))])
        password_confirm = PasswordField(confirm_label, validators=[
            DataRequired(REQUIRED), EqualTo("password", N_("パスワードが一致しません。"))])

    return PasswordForm()
