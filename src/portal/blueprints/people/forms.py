"""Account forms: role and facility (choices set by the view), a reason for a deactivation."""
from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.forms import FlaskForm
from portal.i18n import N_


def _id(value) -> int:
    """An empty or garbled select is 0 (no facility), not a coercion error."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class AssignmentForm(FlaskForm):
    role = SelectField(N_("役割"), validators=[InputRequired(N_("役割を選択してください。"))],
                       invalid_choice_message=N_("役割を一覧から選択してください。"))
    facility_id = SelectField(N_("所属施設"), coerce=_id,
                              invalid_choice_message=N_("施設を一覧から選択してください。"))


class StatusForm(FlaskForm):
    reason = TextAreaField(N_("理由"), validators=[
        Length(max=500, message=N_("理由は500文字以内で入力してください。"))])
