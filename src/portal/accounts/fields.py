"""Form fields for a person, shared by every feature that asks for them (registration, profile,
password set-up): one label, filter and message for each, so the societies' screens agree."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext
from wtforms import DateField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from portal import normalize
from portal.forms import FlaskForm
from portal.i18n import N_

REQUIRED = N_("入力してください。")
BAD_EMAIL = N_("メールアドレスの形式が正しくありません。")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def _check(test, message: str):
    def validator(form, field) -> None:
        if field.data and not test(field.data):
            raise ValidationError(message)
    return validator


def _birth_date_in_the_past(form, field) -> None:
    if field.data and not EARLIEST_BIRTH_DATE <= field.data < date.today():
        raise ValidationError(N_("生年月日が正しくありません。"))


def full_name_field() -> StringField:
    return StringField(N_("氏名"), filters=[normalize.name],
                       validators=[DataRequired(REQUIRED), Length(max=100)])


def kana_field() -> StringField:
    return StringField(N_("フリガナ"), filters=[normalize.kana], validators=[
        DataRequired(REQUIRED), Length(max=100),
        _check(normalize.is_katakana, N_("フリガナは全角カタカナで入力してください。"))])


def registration_number_field() -> StringField:
    return StringField(N_("医籍登録番号"), filters=[normalize.registration_number], validators=[
        DataRequired(REQUIRED),
        _check(normalize.is_registration_number,
               N_("医籍登録番号は数字（8桁以内）で入力してください。"))])


def birth_date_field() -> DateField:
    return DateField(N_("生年月日"), validators=[
        DataRequired(N_("生年月日を入力してください（例: 1995-04-01）。")), _birth_date_in_the_past])


def postal_code_field() -> StringField:
    return StringField(N_("郵便番号"), filters=[normalize.postal_code], validators=[
        Optional(), _check(normalize.is_postal_code, N_("郵便番号は7桁の数字で入力してください（例: 100-0005）。"))])


def address_field() -> StringField:
    return StringField(N_("住所"), filters=[normalize.name], validators=[Optional(), Length(max=300)])


def phone_field() -> StringField:
    return StringField(N_("電話番号"), filters=[normalize.phone], validators=[
        Optional(), _check(normalize.is_phone, N_("電話番号は10桁または11桁の数字で入力してください（ハイフン可）。"))])


def email_field(label: str = N_("メールアドレス")) -> EmailField:
    return EmailField(label, filters=[normalize.nfkc],
                      validators=[DataRequired(REQUIRED), Email(BAD_EMAIL), Length(max=320)])


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
