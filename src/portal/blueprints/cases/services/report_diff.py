"""差分 between two versions of a 症例レポート, for reading on the server-rendered page.

Japanese has no spaces between words, so a word diff is no use: lines are matched first (a
report is written in paragraphs under 【症例】【経過】【考察】 headings), then the characters of
the lines that changed. Short runs of equal characters stranded between changes (a particle
such as の or を) are folded into the change, so a rewritten sentence reads as one deletion
and one insertion instead of confetti. Every match runs with autojunk off: in Japanese text
the common characters are the content, not noise."""
from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

Kind = Literal["equal", "insert", "delete"]
STRANDED = 2  # an equal run this short between two changes is folded into them
# Above this many characters on either side, a changed block is shown as removed and added
# whole: the character match is quadratic, and such a block was rewritten anyway.
CHARACTER_LIMIT = 4000


@dataclass(frozen=True)
class Span:
    kind: Kind
    text: str


@dataclass(frozen=True)
class Diff:
    title: list[Span]
    body: list[Span]

    @property
    def inserted(self) -> int:
        return sum(len(s.text) for s in self.title + self.body if s.kind == "insert")

    @property
    def deleted(self) -> int:
        return sum(len(s.text) for s in self.title + self.body if s.kind == "delete")

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.deleted)


def diff_versions(previous, version) -> Diff:
    """What changed from `previous` to `version` (CaseReportVersion rows or alike)."""
    return Diff(title=diff_text(previous.title, version.title),
                body=diff_text(previous.body, version.body))


def diff_text(old: str, new: str) -> list[Span]:
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    spans: list[Span] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if tag == "equal":
            spans.append(Span("equal", before))
        elif tag == "replace":
            spans += _characters(before, after)
        else:
            spans += [Span("delete", before), Span("insert", after)]
    return _tidy(spans)


def _characters(old: str, new: str) -> list[Span]:
    if max(len(old), len(new)) > CHARACTER_LIMIT:
        return [Span("delete", old), Span("insert", new)]
    spans: list[Span] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            spans.append(Span("equal", old[i1:i2]))
        else:
            spans += [Span("delete", old[i1:i2]), Span("insert", new[j1:j2])]
    return spans


def _tidy(spans: list[Span]) -> list[Span]:
    """Drop empty spans, fold stranded equal runs into the changes around them, and give each
    change as one deletion followed by one insertion."""
    spans = [s for s in spans if s.text]
    out: list[Span] = []
    pending: dict[str, list[str]] = {"delete": [], "insert": []}

    def flush() -> None:
        for kind in ("delete", "insert"):
            if pending[kind]:
                out.append(Span(kind, "".join(pending[kind])))  # type: ignore[arg-type]
                pending[kind] = []

    for i, span in enumerate(spans):
        in_change = bool(pending["delete"] or pending["insert"])
        if span.kind == "equal":
            follows_change = i + 1 < len(spans) and spans[i + 1].kind != "equal"
            if in_change and follows_change and len(span.text) <= STRANDED and "\n" not in span.text:
                pending["delete"].append(span.text)
                pending["insert"].append(span.text)
                continue
            flush()
            if out and out[-1].kind == "equal":
                out[-1] = Span("equal", out[-1].text + span.text)
            else:
                out.append(span)
        else:
            pending[span.kind].append(span.text)
    flush()
    return out
