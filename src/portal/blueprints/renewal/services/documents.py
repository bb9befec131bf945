"""The printed 申請書・在籍証明書 (C-W01): one PDF with the document number as a QR code, the same for
the facility that prints it and the secretariat that checks it."""
from __future__ import annotations

import segno
from flask import make_response
from markupsafe import Markup

from portal.blueprints.renewal.models import RenewalApplication
from portal.db import utcnow
from portal.pdf import render_pdf
from portal.storage import as_attachment
from portal.ui import to_jst


def pdf_response(app: RenewalApplication):
    form1 = app.form("application_form")
    qr_svg = Markup(segno.make(app.document_number, error="m").svg_inline(scale=3))
    pdf = render_pdf("pdf/renewal_application.html", application=app, qr_svg=qr_svg,
                     data=form1.data if form1 else {}, physicians=app.physicians,
                     issued=to_jst(utcnow()))
    response = make_response(pdf)
    name = f"申請書・在籍証明書_{app.document_number}.pdf"
    response.headers["Content-Type"] = "application/pdf"
    return as_attachment(response, name, f"{app.document_number}.pdf")
