"""Typed rules of the training record: the case log's choices ([case_log]), the kinds of
rotation a training period can be ([training]) and the completion requirements
([[requirements]]). A society with other categories or other requirements changes its
rules.toml, never code; a requirement that names an unknown category or rotation stops
start-up with the key that is wrong.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Frozen):
    code: str
    label: str


class Category(_Frozen):
    """A branch of the category tree: a case is filed under one leaf (`children`), or under
    the branch itself when it has none. Requirements may count a branch or a leaf."""

    code: str
    label: str
    children: tuple[Choice, ...] = ()


SUSPENSION_REASONS = (
    Choice(code="parental", label="産休・育休"),
    Choice(code="illness", label="病気療養"),
    Choice(code="study_abroad", label="留学"),
    Choice(code="other", label="その他"),
)


class CaseLogRules(_Frozen):
    categories: tuple[Category, ...] = ()
    organ_supports: tuple[Choice, ...] = ()
    procedures: tuple[Choice, ...] = ()
    outcomes: tuple[Choice, ...] = (
        Choice(code="alive", label="生存退室"), Choice(code="dead", label="死亡"),
    )
    age_bands: tuple[Choice, ...] = (
        Choice(code="0-14", label="15歳未満"), Choice(code="15-39", label="15〜39歳"),
        Choice(code="40-64", label="40〜64歳"), Choice(code="65-79", label="65〜79歳"),
        Choice(code="80-", label="80歳以上"),
    )

    @model_validator(mode="after")
    def _unique_codes(self) -> CaseLogRules:
        codes = [c.code for c in self.categories] + [k.code for c in self.categories for k in c.children]
        if len(codes) != len(set(codes)):
            raise ValueError("category codes must be unique across the whole tree")
        return self

    def leaf_codes(self) -> tuple[str, ...]:
        """The codes a case may be filed under, in tree order."""
        return tuple(k.code for c in self.categories for k in (c.children or (c,)))

    def codes_under(self, code: str) -> frozenset[str]:
        """The leaf codes a requirement on `code` counts (a branch counts all its leaves)."""
        for branch in self.categories:
            if branch.code == code:
                return frozenset(k.code for k in (branch.children or (branch,)))
        return frozenset({code}) if code in self.leaf_codes() else frozenset()

    def category_label(self, code: str) -> str:
        for branch in self.categories:
            if branch.code == code:
                return branch.label
            for leaf in branch.children:
                if leaf.code == code:
                    return f"{branch.label}／{leaf.label}"
        return code


class TrainingRules(_Frozen):
    # The kind of training a period is, e.g. the ICU itself and the rotations around it. The
    # first one is what a training-start or facility-change period is unless the trainee says.
    rotations: tuple[Choice, ...] = (Choice(code="main", label="専門研修"),)
    suspension_reasons: tuple[Choice, ...] = SUSPENSION_REASONS

    def rotation_label(self, code: str) -> str:
        return next((r.label for r in self.rotations if r.code == code), code)


RequirementKind = Literal[
    "credential_approved",   # an approved 証票 (A-R06)
    "cases_total",           # signed-off cases in all
    "cases_in_category",     # signed-off cases under `category` (a branch or a leaf)
    "distinct_categories",   # distinct leaf categories among signed-off cases
    "accepted_reports",      # accepted 症例レポート
    "rotation_months",       # months of periods of `rotation`, 休止 not counted
    "consecutive_weeks",     # the longest unbroken run of `rotation`, in weeks
]


class Requirement(_Frozen):
    code: str                   # stable id, used in URLs, CSV columns and lock messages
    kind: RequirementKind
    label: str
    minimum: int = 1
    category: str | None = None
    rotation: str | None = None
    # what this requirement locks: menu endpoints that stay closed until it is met
    locks: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _needs(self) -> Requirement:
        if self.kind == "cases_in_category" and not self.category:
            raise ValueError(f"requirement {self.code}: cases_in_category needs category")
        if self.kind in ("rotation_months", "consecutive_weeks") and not self.rotation:
            raise ValueError(f"requirement {self.code}: {self.kind} needs rotation")
        if self.minimum < 0:
            raise ValueError(f"requirement {self.code}: minimum must be 0 or more")
        return self


def check_requirements(requirements: tuple[Requirement, ...], case_log: CaseLogRules,
                       training: TrainingRules) -> None:
    """Every category and rotation a requirement names exists; codes are unique."""
    codes = [r.code for r in requirements]
    if len(codes) != len(set(codes)):
        raise ValueError("requirement codes must be unique")
    rotations = {r.code for r in training.rotations}
    for req in requirements:
        if req.category and not case_log.codes_under(req.category):
            raise ValueError(f"requirement {req.code}: unknown category {req.category}")
        if req.rotation and req.rotation not in rotations:
            raise ValueError(f"requirement {req.code}: unknown rotation {req.rotation}")
