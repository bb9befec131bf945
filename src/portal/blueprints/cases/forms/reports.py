"""症例レポート: the trainee's form and the director's review form."""
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.forms import FlaskForm
from portal.i18n import N_

TITLE_MAX = 200
BODY_MAX = 20000
BODY_HINT = N_("【症例】\n【主訴】\n【現病歴・入室までの経過】\n【ICUでの経過】\n【考察】\n【結語】")


class ReportEditForm(FlaskForm):
    title = StringField(N_("表題"), validators=[
        DataRequired(N_("表題を入力してください。")),
        Length(max=TITLE_MAX, message=N_("表題は200文字以内で入力してください。"))])
    body = TextAreaField(N_("本文"), validators=[
        DataRequired(N_("本文を入力してください。")),
        Length(max=BODY_MAX, message=N_("本文は20000文字以内で入力してください。"))])


def _case_id(value) -> int:
    """A posted case id; anything else is 0, which DataRequired answers in Japanese."""
    return int(value) if str(value).isdigit() and len(str(value)) < 10 else 0


class ReportForm(ReportEditForm):
    case_id = SelectField(N_("症例"), choices=[], coerce=_case_id, validate_choice=False,
                          validators=[DataRequired(N_("症例を選択してください。"))])


class ReviewForm(FlaskForm):
    """受理 (comment optional) and 差戻し (comment required: the service says so)."""

    comment = TextAreaField(N_("コメント"), validators=[
        Length(max=4000, message=N_("コメントは4000文字以内で入力してください。"))])
