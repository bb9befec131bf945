from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.blueprints.recruitment.models import CURRICULUM_GROUNDS, TRACKS
from portal.i18n import N_


class ApplyForm(FlaskForm):
    """研修制度 is chosen when applying (DOMAIN.md B-W02 default); 確認 then 応募する."""

    track = RadioField(N_("研修制度"), choices=list(TRACKS.items()), default="program",
                       validators=[DataRequired(N_("研修制度を選択してください。"))])
    curriculum_ground = SelectField(N_("カリキュラム制を選択する理由"),
                                    choices=[("", N_("選択してください"))]
                                    + list(CURRICULUM_GROUNDS.items()), default="")
    confirmed = HiddenField()


class WithdrawForm(FlaskForm):
    reason = TextAreaField(N_("辞退理由"), validators=[
        DataRequired(N_("辞退理由を入力してください。")),
        Length(max=1000, message=N_("辞退理由は1000文字以内で入力してください。"))])
    confirmed = HiddenField()
