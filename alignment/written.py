"""Which files a command wrote: so that it may write them again, and nothing else.

``template``, ``collect --out`` and ``diff --out`` write only a new file, a file in a new or empty
folder, or a file they wrote before. They recognise their own files by a marker in the folder,
``.alignment-written.json``, which lists each file they wrote with its SHA-256: a file listed
there whose bytes are unchanged may be replaced; a file that is not listed, or that was changed
since (a sales manager filled it in), is the user's and is never replaced or deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from alignment.outputs import atomic_write_bytes, atomic_write_text

MARKER = ".alignment-written.json"


class Refused(Exception):
    """A command would replace or delete a file it did not write (exit 2, one line)."""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _marker(folder: Path) -> dict[str, str]:
    path = folder / MARKER
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def ours(path: str | Path) -> bool:
    """True when ``path`` is a file this workbook wrote and nobody changed since."""
    path = Path(path)
    listed = _marker(path.parent).get(path.name)
    return path.is_file() and listed is not None and listed == _digest(path)


def check_file(path: str | Path, what: str) -> None:
    """Refuse to write ``path`` when it exists and is not ours (see :func:`ours`).

    ``what`` names the option in the message, e.g. ``alignment collect: --out``.
    """
    path = Path(path)
    if path.is_dir():
        raise Refused(f"{what}: {path} is a folder: expected a file name")
    if path.exists() and not ours(path):
        raise Refused(
            f"{what}: {path} exists and was not written by alignment (or was changed since): "
            "expected a new file name"
        )


def check_folder(folder: str | Path, what: str) -> list[Path]:
    """Refuse a folder holding anything that is not ours; returns our files in it (to replace).

    A new or empty folder is fine, and so is one whose every file was written by us and is
    unchanged (the marker itself aside).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise Refused(f"{what}: {folder} is a file: expected a folder")
    if not folder.exists():
        return []
    theirs = sorted(p.name for p in folder.iterdir() if p.name != MARKER and not ours(p))
    if theirs:
        shown = ", ".join(theirs[:3]) + (f" and {len(theirs) - 3} more" if len(theirs) > 3 else "")
        raise Refused(
            f"{what}: {folder} holds files alignment did not write (or that were changed since): "
            f"{shown}: expected a new or empty folder"
        )
    return sorted(p for p in folder.iterdir() if p.name != MARKER)


def write_ours(path: str | Path, data: bytes) -> Path:
    """Write ``data`` atomically and list the file in its folder's marker."""
    path = atomic_write_bytes(path, data)
    remember([path])
    return path


def remember(paths: Iterable[Path]) -> None:
    """Record files just written (by their current bytes) in their folders' markers."""
    by_folder: dict[Path, list[Path]] = {}
    for p in paths:
        by_folder.setdefault(Path(p).parent, []).append(Path(p))
    for folder, files in by_folder.items():
        listed = {k: v for k, v in _marker(folder).items() if (folder / k).is_file()}
        listed.update({p.name: _digest(p) for p in files})
        atomic_write_text(folder / MARKER, json.dumps({"files": listed}, indent=2, sort_keys=True) + "\n")


def forget(path: Path) -> None:
    """Delete a file of ours (unchanged since we wrote it) and drop it from the marker."""
    if not ours(path):
        raise Refused(f"{path}: not written by alignment: not deleted")
    path.unlink()
    listed = {k: v for k, v in _marker(path.parent).items() if k != path.name}
    atomic_write_text(path.parent / MARKER, json.dumps({"files": listed}, indent=2, sort_keys=True) + "\n")


__all__ = ["MARKER", "Refused", "check_file", "check_folder", "forget", "ours", "remember", "write_ours"]
