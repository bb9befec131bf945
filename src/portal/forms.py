from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """Only the CSRF token: for buttons that post (approve, submit, confirm)."""
