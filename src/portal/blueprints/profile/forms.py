from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.i18n import N_


class EmailChangeForm(FlaskForm):
    new_email = EmailField(N_("メールアドレス (変更後)"), validators=[
        DataRequired(N_("変更後のメールアドレスを入力してください。")),
        Email(N_("メールアドレスの形式が正しくありません。")), Length(max=320)])
    new_email_confirmation = EmailField(N_("メールアドレス (確認用)"), validators=[
        DataRequired(N_("確認用のメールアドレスを入力してください。")),
        EqualTo("new_email", N_("確認用のメールアドレスが一致しません。もう一度入力してください。"))])
