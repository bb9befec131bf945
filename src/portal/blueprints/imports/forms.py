from flask_wtf.file import FileField
from wtforms import SelectField

from portal.forms import FlaskForm
from portal.i18n import N_

KINDS = (("people", N_("会員・施設")), ("roster", N_("会員名簿（認定医・専門医・指導医）")))


class UploadForm(FlaskForm):
    kind = SelectField(N_("取り込むもの"), choices=KINDS, default="people")
    file = FileField(N_("取込ファイル（CSV または Excel）"))
