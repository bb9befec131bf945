"""経験症例's entry form. Its choices are the society's (g.rules.case_log), so the form class is
built per request: one 術者/助手 radio per procedure the society lists. Presence of a choice,
dates and the identifier check are the service's rules (services.cases.problems), so a page and
any other caller refuse the same things with the same words."""
from __future__ import annotations

from wtforms import DateField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.blueprints.cases.models import PROCEDURE_ROLES, SEXES
from portal.blueprints.cases.services.cases import CaseInput
from portal.forms import FlaskForm
from portal.i18n import N_

SUMMARY_MAX = 2000


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CaseForm(FlaskForm):
    entry_date = DateField(N_("登録日"), validators=[Optional()])
    icu_admission_date = DateField(N_("ICU入室日"), validators=[Optional()])
    icu_discharge_date = DateField(N_("ICU退室日"), validators=[Optional()])
    age_band = RadioField(N_("年齢区分"), choices=[], validate_choice=False)
    sex = RadioField(N_("性別"), choices=[], validate_choice=False)
    primary_category = SelectField(N_("主たる疾患分類"), choices=[], validate_choice=False)
    organ_supports = CheckboxesField(N_("使用した臓器補助"), choices=[], validate_choice=False)
    procedures = CheckboxesField(N_("実施した手技"), choices=[], validate_choice=False)
    outcome = RadioField(N_("転帰"), choices=[], validate_choice=False)
    summary = TextAreaField(N_("経過の要点"), validators=[Length(
        max=SUMMARY_MAX, message=N_("経過の要点は2000文字以内で入力してください。"))])

    def role_field(self, code: str):
        return self[f"role_{code}"]

    def to_input(self) -> CaseInput:
        """A procedure counts when its box is ticked or a role is chosen for it (a role alone
        is never dropped silently); its role is what the radio says."""
        done = [c.value for c in self.procedures.choices
                if c.value in (self.procedures.data or []) or self.role_field(c.value).data]
        return CaseInput(
            entry_date=self.entry_date.data, icu_admission_date=self.icu_admission_date.data,
            icu_discharge_date=self.icu_discharge_date.data, age_band=self.age_band.data or "",
            sex=self.sex.data or "", primary_category=self.primary_category.data or "",
            outcome=self.outcome.data or "", organ_supports=list(self.organ_supports.data or []),
            procedures=[{"code": c, "role": self.role_field(c).data or ""} for c in done],
            summary=self.summary.data or "")

    def show_problems(self, found: dict[str, str]) -> None:
        for name, message in found.items():
            if name == "procedures":
                self._procedure_problems(message)
            elif name in self and self[name].errors:
                continue  # a date that could not be read says so already
            elif name in self:
                self[name].errors = [*self[name].errors, message]
            else:
                self.form_errors.append(message)

    def _procedure_problems(self, message: str) -> None:
        for code in (c.value for c in self.procedures.choices):
            role = self.role_field(code)
            ticked = code in (self.procedures.data or []) or role.data
            if ticked and role.data not in PROCEDURE_ROLES:
                role.errors = [*role.errors, N_("術者か助手かを選択してください。")]
        self.procedures.errors = [*self.procedures.errors, message]


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in pairs]


def case_form(rules, **kwargs) -> CaseForm:
    """The entry form with the society's choices (categories grouped by branch)."""
    log = rules.case_log
    form_class = type("SocietyCaseForm", (CaseForm,), {
        f"role_{p.code}": RadioField(p.label, choices=_choices(PROCEDURE_ROLES.items()),
                                     validate_choice=False, validators=[Optional()])
        for p in log.procedures})
    form = form_class(**kwargs)
    form.age_band.choices = _choices((c.code, c.label) for c in log.age_bands)
    form.sex.choices = _choices(SEXES.items())
    # rendered by hand in <optgroup>s per branch (templates/cases/case_form.html)
    form.primary_category.choices = _choices((code, code) for code in log.leaf_codes())
    form.organ_supports.choices = _choices((c.code, c.label) for c in log.organ_supports)
    form.procedures.choices = _choices((c.code, c.label) for c in log.procedures)
    form.outcome.choices = _choices((c.code, c.label) for c in log.outcomes)
    return form
