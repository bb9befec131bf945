"""The portal's form base classes. Every form derives from `FlaskForm` (or, for a sub-form of a
FormField, `Form`) from here, never from flask_wtf's directly (tests/security/test_hostile_input.py
checks it): binding a field gives it the one text filter of the portal.

The filter refuses, with one Japanese message, NUL and the other C0/C1 control characters and
the bidi overrides in any posted text (`normalize.has_control_characters`): PostgreSQL refuses a
NUL with an error (a 500 before this), and the others end up invisible in a label, a CSV export or
a mail. Only a TextAreaField may hold tab and newline, and its CRLF is stored as LF."""
from __future__ import annotations

import flask_wtf
import wtforms
from flask import abort
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    IntegerField,
    TextAreaField,
    TimeField,
)
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import StopValidation

from portal import normalize
from portal.errors import Refusal
from portal.i18n import N_

CONTROLS = N_("使用できない制御文字が含まれています。")


def _refuse_controls(multiline: bool):
    def validator(form, field) -> None:
        # The raw post, not `data`: a field's own filter (NFKC, spaces) may have turned a
        # control character into a space already.
        posted = [v for v in (field.raw_data or ()) if isinstance(v, str)]
        if any(normalize.has_control_characters(v, multiline) for v in posted):
            raise StopValidation(CONTROLS)
    return validator


class CodeField(wtforms.StringField):
    """A number or code typed by hand (会員番号, 認定番号, login ID): full-width folded."""


class CountField(wtforms.StringField):
    """A count (病床数): full-width digits folded and thousands separators dropped."""

    def __init__(self, *args, render_kw=None, **kwargs):
        super().__init__(*args, render_kw={"inputmode": "numeric", **(render_kw or {})}, **kwargs)


# Full-width input, in one place (issue 14): what each kind of field folds before its validators
# and the services see it. Names and free text are not folded (a name keeps the characters of
# the licence); person fields bring their own filters (portal.accounts.fields).
_FOLD = ((CountField, normalize.count), (CodeField, normalize.code), (EmailField, normalize.code))
# Fields that parse their text (numbers, dates): the raw post is folded before parsing.
_PARSED = (IntegerField, DecimalField, DateField, DateTimeLocalField, TimeField)


def _fold_before_parsing(field: wtforms.Field) -> None:
    parse = field.process_formdata

    def process_formdata(valuelist):
        parse([normalize.nfkc(v) if isinstance(v, str) else v for v in valuelist])

    field.process_formdata = process_formdata


def guard(field: wtforms.Field) -> wtforms.Field:
    """Give a bound field the portal's text filter (files and the CSRF token have none) and
    its kind's full-width folding."""
    if isinstance(field, (CSRFTokenField, FileField)):
        return field
    multiline = isinstance(field, TextAreaField)
    if multiline:
        field.filters = (normalize.newlines, *field.filters)
    fold = next((f for kind, f in _FOLD if isinstance(field, kind)), None)
    if fold is not None and fold not in field.filters:
        field.filters = (fold, *field.filters)
    if isinstance(field, _PARSED):
        _fold_before_parsing(field)
    field.validators = [_refuse_controls(multiline), *field.validators]
    return field


class _GuardedMeta:
    def bind_field(self, form, unbound_field, options):
        return guard(super().bind_field(form, unbound_field, options))


class FlaskForm(flask_wtf.FlaskForm):
    class Meta(_GuardedMeta):
        pass


class Form(wtforms.Form):
    """A sub-form (FormField, FieldList rows): no CSRF of its own, the same text filter."""

    class Meta(_GuardedMeta):
        pass


def _first_message(errors) -> str | None:
    """The first message of `form.errors`, which nests dicts and lists for FormField/FieldList."""
    if isinstance(errors, str):
        return errors
    for item in errors.values() if isinstance(errors, dict) else errors:
        if (found := _first_message(item)) is not None:
            return found
    return None


def refusal(form: wtforms.Form, status: int = 422) -> Refusal:
    """What a view raises for a form that did not validate, where it has no page of its own to
    show the errors on: a bad CSRF token stays a 400; otherwise the first field's message."""
    if form.errors.get("csrf_token"):
        abort(400)
    field = next(iter(form.errors), None)
    return Refusal(_first_message(form.errors) or N_("入力内容に誤りがあります。"), status, field)


def show_on(form: wtforms.Form, refused: Refusal) -> Refusal:
    """Put a service's refusal next to its field of `form` (or above the form when it names
    none), for a view that answers with the form's own page (refused.answer_with)."""
    field = getattr(form, refused.field, None) if refused.field else None
    (field.errors if field is not None else form.form_errors).append(refused.message)
    return refused


class EmptyForm(FlaskForm):
    """Only the CSRF token: for buttons that post (approve, submit, confirm)."""
