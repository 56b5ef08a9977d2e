"""Report folders: never replace what the workbook did not write; swap a finished report into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from alignment.problems import RunError


def umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def share_permissions(folder: Path) -> None:
    """Give the report the permissions of an ordinary folder (temporary files are private)."""
    mask = umask()
    folder.chmod(0o777 & ~mask)
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o777 & ~mask)
        for f in files:
            os.chmod(os.path.join(root, f), 0o666 & ~mask)


def check_replaceable(out_dir: Path) -> None:
    """Refuse a report folder that would replace something other than an earlier report.

    A run replaces its report folder whole; a file, or a folder with other things in it and no
    ``run.json``, is never deleted to make room.
    """
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise RunError(f"alignment run: --out: {out_dir} is a file: expected a folder for the report")
    if any(out_dir.iterdir()) and not (out_dir / "run.json").is_file():
        raise RunError(
            f"alignment run: --out: {out_dir} holds files and no run.json: expected a new or empty "
            "folder, or an earlier report (which is replaced)"
        )


def swap_into_place(build_dir: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``build_dir``: old renamed away, new renamed in, old removed."""
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
        old.rmdir()
        os.replace(out_dir, old)
    os.replace(build_dir, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
