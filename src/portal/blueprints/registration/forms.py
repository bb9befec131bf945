from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length

from portal import normalize
from portal.accounts.fields import (
    REQUIRED,
    address_field,
    birth_date_field,
    email_field,
    full_name_field,
    kana_field,
    password_form,
    phone_field,
    postal_code_field,
    registration_number_field,
)
from portal.forms import FlaskForm
from portal.i18n import N_


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
