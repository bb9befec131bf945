"""SECURITY.md 27: the installed packages are the locked ones (requirements.lock, which
scripts/setup installs with -c), they meet the security floors, and pip-audit finds no known
vulnerability in them. pip-audit needs its vulnerability service (PyPI's JSON API by default,
PIP_AUDIT_SERVICE=osv for OSV): a package it could not audit fails the test; when no package at
all could be audited (the service is unreachable from this machine) the test is skipped with the
reason, shown in the run's summary, never a silent pass."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
FLOORS = {"weasyprint": "70", "werkzeug": "3.0.6", "pillow": "12.2"}
AUDIT_TIMEOUT = 300


def _locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: not pinned: {line}"
            pins[canonicalize_name(name)] = version
    return pins


def _project_requirements() -> set[str]:
    """The portal's own requirements and its dev extras, by canonical name."""
    return {canonicalize_name(Requirement(r).name) for r in metadata.requires("portal") or ()}


def test_every_requirement_of_the_portal_is_locked_at_its_installed_version():
    locked, unlocked, differ = _locked(), [], []
    for name in _project_requirements():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # a dev extra not installed in this environment (scripts/setup adds it)
        if name not in locked:
            unlocked.append(name)
        elif locked[name] != installed:
            differ.append((name, installed, locked[name]))
    assert not unlocked, f"in pyproject.toml but not in requirements.lock: {unlocked}"
    assert not differ, f"installed != locked (run scripts/setup): {differ}"


def test_the_security_floors_hold_in_the_lock_and_in_the_environment():
    locked = _locked()
    for name, floor in FLOORS.items():
        assert Version(locked[name]) >= Version(floor), (name, locked[name], floor)
        assert Version(metadata.version(name)) >= Version(floor), (name, floor)


def _pip_audit() -> str:
    found = os.environ.get("PIP_AUDIT") or shutil.which(
        "pip-audit", path=str(Path(sys.executable).parent)) or shutil.which("pip-audit")
    assert found, "pip-audit is not installed: run scripts/setup (it is in the [dev] extras)"
    return found


def test_pip_audit_finds_no_known_vulnerability_in_the_locked_versions():
    service = os.environ.get("PIP_AUDIT_SERVICE", "pypi")
    result = subprocess.run(
        [_pip_audit(), "-r", str(LOCK), "--no-deps", "--disable-pip", "--progress-spinner", "off",
         "--vulnerability-service", service, "--format", "json"],
        capture_output=True, text=True, timeout=AUDIT_TIMEOUT, check=False)
    assert result.stdout.strip(), (
        f"pip-audit could not run against the {service} service:\n{result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    skipped = [d for d in report["dependencies"] if "skip_reason" in d]
    if skipped and len(skipped) == len(report["dependencies"]):
        # Nothing could be audited: the machine cannot reach the service (this sandbox's PyPI
        # mirror serves the simple index only). Said in the summary, never counted as a pass.
        pytest.skip(f"pip-audit: the {service} vulnerability service is unreachable here, no "
                    f"package could be audited ({skipped[0]['skip_reason']})")
    assert not skipped, (
        f"pip-audit could not audit {len(skipped)} of {len(report['dependencies'])} locked "
        f"packages ({service} vulnerability service unreachable or incomplete), e.g. "
        f"{skipped[0]['skip_reason']}")
    vulnerable = {f"{d['name']}=={d['version']}": [v["id"] for v in d["vulns"]]
                  for d in report["dependencies"] if d.get("vulns")}
    assert not vulnerable, f"known vulnerabilities: {vulnerable}"
