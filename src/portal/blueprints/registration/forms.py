from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from portal.blueprints.auth.forms import password_form
from portal.blueprints.registration import normalize
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


class RegisterForm(FlaskForm):
    """新規ユーザー登録 (B-S03). `step` carries where the person is: input, 確認 or 登録."""

    full_name = full_name_field()
    full_name_kana = kana_field()
    medical_registration_number = registration_number_field()
    birth_date = birth_date_field()
    email = email_field()
    email_confirmation = EmailField(N_("メールアドレス（確認用）"), filters=[normalize.nfkc], validators=[
        DataRequired(REQUIRED),
        EqualTo("email", N_("確認用のメールアドレスが一致しません。もう一度入力してください。"))])
    postal_code = postal_code_field()
    address = address_field()
    phone = phone_field()

    FIELDS = ("full_name", "full_name_kana", "medical_registration_number", "birth_date",
              "email", "email_confirmation", "postal_code", "address", "phone")


class ResendForm(FlaskForm):
    medical_registration_number = registration_number_field()
    email = email_field()


def setup_form(min_length: int) -> FlaskForm:
    return password_form(min_length, N_("パスワード"), N_("パスワード（確認用）"))


class LicenseForm(FlaskForm):
    file = FileField(N_("医師免許証の画像"))
    provisional = BooleanField(N_("医師免許証が未着のため、資格の確認ができる画像で仮登録する"))


class IdentityForm(FlaskForm):
    """What only the secretariat changes (B-R18: other fields through the inquiry form)."""

    full_name = full_name_field()
    full_name_kana = kana_field()
    medical_registration_number = registration_number_field()
    birth_date = birth_date_field()


class ReplacementForm(FlaskForm):
    comment = TextAreaField(N_("差し替えを依頼する理由"), validators=[
        DataRequired(N_("差し替えを依頼する理由を入力してください。")), Length(max=500)])
