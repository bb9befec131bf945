from flask_wtf.file import FileField

from portal.forms import FlaskForm
from portal.i18n import N_


class UploadForm(FlaskForm):
    file = FileField(N_("取込ファイル（CSV または Excel）"))
