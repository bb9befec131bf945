"""The architecture contracts of pyproject.toml ([tool.importlinter]): features never import
each other, the core never imports a feature, request code never imports development data."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# --- one shape for every feature folder (issue 12) ------------------------------------------
# __init__.py holds the blueprint and FEATURE; views/ holds the routes by role; the rest, when a
# feature has them, keep these names (a module, or a package of topic modules when it grows).
FEATURES = ROOT / "src" / "portal" / "blueprints"
MODULES = {"forms", "services", "queries", "models", "cli", "panels", "ui"}
ROLES = {"public", "user", "trainee", "director", "facility", "secretariat", "reviewer"}


def _features() -> list[Path]:
    return sorted(p for p in FEATURES.iterdir() if (p / "__init__.py").exists())


def _names(folder: Path) -> set[str]:
    return {p.stem for p in folder.iterdir() if p.name != "__pycache__" and p.name != "__init__.py"}


def test_every_feature_folder_has_the_same_shape():
    wrong = {}
    for feature in _features():
        odd = _names(feature) - MODULES - {"views"}
        if not (feature / "views" / "__init__.py").exists():
            odd.add("views/ (missing)")
        else:
            odd |= {f"views/{n}" for n in _names(feature / "views") - ROLES}
        if odd:
            wrong[feature.name] = sorted(odd)
    assert wrong == {}, f"names outside the feature shape: {wrong}"


def test_every_route_is_in_its_features_views_package(app):
    for feature in _features():
        package = f"portal.blueprints.{feature.name}.views."
        blueprint = app.blueprints[feature.name]
        misplaced = [endpoint for endpoint, view in app.view_functions.items()
                     if endpoint.startswith(blueprint.name + ".")
                     and not getattr(view, "__module__", "").startswith(package)]
        assert misplaced == [], f"{feature.name}: routes outside views/: {misplaced}"
        assert any(e.startswith(blueprint.name + ".") for e in app.view_functions), feature.name


def test_every_feature_is_in_the_independence_contract():
    """A new feature folder left out of [tool.importlinter]'s list could import any other."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    listed = {m for c in contracts["contracts"] if c.get("type") == "independence"
              for m in c["modules"]}
    missing = {f"portal.blueprints.{f.name}" for f in _features()} - listed
    assert missing == set(), f"features missing from the independence contract: {missing}"
