from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from portal.forms import CodeField, FlaskForm
from portal.i18n import N_

REQUIRED = N_("入力してください。")


class LoginForm(FlaskForm):
    identifier = CodeField(validators=[DataRequired(REQUIRED), Length(max=320)])
    password = PasswordField(N_("パスワード"), validators=[DataRequired(REQUIRED), Length(max=200)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(N_("メールアドレス"), validators=[
        DataRequired(REQUIRED), Email(N_("メールアドレスの形式が正しくありません。")), Length(max=320)])
