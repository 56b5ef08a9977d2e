"""The CI entry point: ``.ci/run`` runs ``make test`` with ``CI`` set, so that a browser test that
cannot run fails instead of skipping and hypothesis uses its ``ci`` profile."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from alignment.paths import PROJECT_DIR


def test_ci_run_exports_ci_to_make_test(tmp_path: Path) -> None:
    # stand-ins for make, chromium and pdftotext record what .ci/run hands to `make test`
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "seen"
    (bin_dir / "make").write_text(f'#!/bin/sh\necho "$* CI=${{CI:-unset}}" > "{seen}"\n')
    (bin_dir / "chromium").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "pdftotext").write_text("#!/bin/sh\nexit 0\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run(["bash", str(PROJECT_DIR / ".ci" / "run")], env=env, check=True, timeout=60)
    assert seen.read_text().split() == ["test", "CI=true"]


def test_ci_installs_poppler_with_the_browser() -> None:
    text = (PROJECT_DIR / ".ci" / "run").read_text()
    assert "apt-get install -y -qq chromium poppler-utils" in text
    assert "command -v pdftotext" in text
