"""The project's set-up: the conda environment follows pyproject.toml; the Makefile lists its commands."""

from __future__ import annotations

import re
import subprocess
import tomllib

import yaml

from alignment.paths import PROJECT_DIR

# conda-forge names of the PyPI packages whose names differ there (extras included)
CONDA_NAMES = {"bleach[css]": "bleach-with-css", "psycopg[binary]": "psycopg"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ]", requirement, maxsplit=1)[0].lower()


def _spec(requirement: str) -> str:
    return requirement.replace(" ", "")[len(_name(requirement)) :]


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((PROJECT_DIR / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pinned = {_name(d): _spec(d) for d in conda if _name(d) not in {"python", "pip"}}
    wanted = {CONDA_NAMES.get(_name(d), _name(d)): _spec(d) for d in project["dependencies"]}
    assert pinned == wanted, "environment.yml and pyproject.toml list different dependencies or versions"
    python = next(d for d in conda if _name(d) == "python")
    assert python.replace("python", "") == project["requires-python"]


def test_make_help_lists_every_target() -> None:
    out = subprocess.run(
        ["make", "-s", "help"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout
    for target in ("report", "test", "lab", "lint", "bench"):
        assert re.search(rf"make {target}\s+\S", out), target


def test_ci_runs_make_test() -> None:
    assert "make test" in (PROJECT_DIR / ".ci" / "run").read_text()


def test_make_lab_opens_at_the_repository_root() -> None:
    """``make lab`` serves the repository root, so params/ and data/ show beside notebooks/."""
    out = subprocess.run(
        ["make", "-s", "-n", "-o", ".venv/.installed", "lab"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    command = next(line for line in out.splitlines() if "jupyter lab" in line)
    assert f'--ServerApp.root_dir="{PROJECT_DIR}"' in command
    assert "notebooks/" not in command
