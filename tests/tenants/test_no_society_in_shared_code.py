"""A society is data: no society's names may sit in shared code (DESIGN.md rules 6 and 8).

Every name a society shows (society name, system name, slug as a word, document-number
prefix, support address, mail subject prefix) is read from every
src/portal/tenants/<slug>/rules.toml and looked for in shared Python (src/portal/**/*.py,
except the per-society folders src/portal/tenants/<slug>/ and the demo seed
src/portal/devdata/) and shared templates (templates/**, except the per-society overrides
under templates/tenants/). Comments and docstrings count too: they name the requirement
(DOMAIN.md ids such as C-W02), not the society that asked for it first.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "portal"
TENANTS = PACKAGE / "tenants"
TEMPLATES = ROOT / "templates"
SOCIETY_FILES = sorted(TENANTS.glob("*/rules.toml"))

# A slug or prefix is a word when no ASCII letter, digit or underscore touches it: `JSPM-12`,
# `jsicm.localhost` and `(JMSB)` count, an identifier such as `jmsb_basic_specialty` does not
# (Python's \b would treat a neighbouring kana or kanji as part of the word).
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![A-Za-z0-9_])", r"(?![A-Za-z0-9_])"


def _needles(path: Path) -> dict[str, re.Pattern[str]]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    slug = raw.get("slug", path.parent.name)
    words = {slug, raw.get("renewal", {}).get("document_prefix")}
    texts = {
        raw.get("branding", {}).get("society_name"),
        raw.get("branding", {}).get("system_name"),
        raw.get("support", {}).get("email"),
    }
    prefix = raw.get("mail", {}).get("subject_prefix", "")
    texts |= {prefix, prefix.strip("【】[]<>()（）「」 ")}
    found = {w: re.compile(_EDGE_BEFORE + re.escape(w) + _EDGE_AFTER, re.I) for w in words if w}
    found |= {t: re.compile(re.escape(t), re.I) for t in texts if t and t.strip()}
    return found


def _shared_files() -> list[Path]:
    society_dirs = {p.parent for p in SOCIETY_FILES} | {
        d for d in TENANTS.iterdir() if d.is_dir() and d.name != "__pycache__"}
    python = [
        p for p in PACKAGE.rglob("*.py")
        if not any(d in p.parents for d in society_dirs) and PACKAGE / "devdata" not in p.parents
    ]
    templates = [p for p in TEMPLATES.rglob("*")
                 if p.is_file() and TEMPLATES / "tenants" not in p.parents]
    return sorted(python + templates)


def _hits(needles: dict[str, re.Pattern[str]], files: list[Path]) -> list[str]:
    hits = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            for needle, pattern in needles.items():
                if pattern.search(line):
                    hits.append(f"{path.relative_to(ROOT)}:{number}: {needle!r}: {line.strip()}")
    return hits


def test_every_society_has_names_to_look_for():
    assert len(SOCIETY_FILES) >= 3
    for path in SOCIETY_FILES:
        needles = _needles(path)
        assert path.parent.name in needles and len(needles) >= 3, path


@pytest.mark.parametrize("rules_file", SOCIETY_FILES, ids=lambda p: p.parent.name)
def test_no_society_wording_in_shared_code(rules_file):
    files = _shared_files()
    assert any(p.suffix == ".py" for p in files) and any(p.suffix == ".html" for p in files)
    hits = _hits(_needles(rules_file), files)
    assert not hits, (
        f"{rules_file.parent.name}'s names in shared code; move them to its rules.toml "
        "(typed field or [terminology]) or a template override under templates/tenants/:\n"
        + "\n".join(hits))


def test_the_scan_sees_words_and_skips_identifiers():
    needles = {"jspm": re.compile(_EDGE_BEFORE + "jspm" + _EDGE_AFTER, re.I)}
    for seen in ("JSPM-12-r2", "JSPMの更新", "see jspm.localhost", "(JSPM)"):
        assert needles["jspm"].search(seen), seen
    for unseen in ("jspm_column", "xjspm", "jspm2"):
        assert not needles["jspm"].search(unseen), unseen
