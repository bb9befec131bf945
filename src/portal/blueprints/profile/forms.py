from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.accounts.fields import (
    address_field,
    email_field,
    phone_field,
    postal_code_field,
)
from portal.forms import FlaskForm
from portal.i18n import N_


class EmailChangeForm(FlaskForm):
    new_email = EmailField(N_("メールアドレス (変更後)"), validators=[
        DataRequired(N_("変更後のメールアドレスを入力してください。")),
        Email(N_("メールアドレスの形式が正しくありません。")), Length(max=320)])
    new_email_confirmation = EmailField(N_("メールアドレス (確認用)"), validators=[
        DataRequired(N_("確認用のメールアドレスを入力してください。")),
        EqualTo("new_email", N_("確認用のメールアドレスが一致しません。もう一度入力してください。"))])


def contact_form(editable: tuple[str, ...], obj=None) -> FlaskForm:
    """登録情報管理 (B-S07): only the fields the society lets users change themselves."""
    class ContactForm(FlaskForm):
        pass

    if "email" in editable:
        ContactForm.email = email_field()
    if "address" in editable:
        ContactForm.postal_code = postal_code_field()
        ContactForm.address = address_field()
    if "phone" in editable:
        ContactForm.phone = phone_field()
    return ContactForm(obj=obj)


class ReminderForm(FlaskForm):
    """Issue 19: reminder digests on or off (required notices are sent either way)."""
    reminder_mail = BooleanField(N_("リマインダーメールを受け取る"))
