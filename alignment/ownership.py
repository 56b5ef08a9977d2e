"""Which files a command wrote: a marker listing them, and what else a folder holds.

A command that writes into a folder the user names (``run``, ``plan``, ``sample``) records there, in a
marker file of its own, every file it wrote with its size and SHA-256. Before it writes into the
folder again, or replaces it, it asks :func:`strangers` what the folder holds besides: a file the
marker does not list, a file changed since it was written, a folder the marker does not account
for, a link. Anything like that belongs to the user and is never deleted or overwritten.

A marker is a JSON object::

    {"written_by": "alignment plan", ..., "files": {"targets.csv": {"bytes": 812, "sha256": "..."}},
     "folders": ["tables"], "writing": {...}, "temporary": [...]}

``writing`` and ``temporary`` are there only while :func:`write_owned` replaces files: a file then
matches either its old or its new entry, and a temporary file it left behind (the command was
killed) is known as its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from alignment.outputs import atomic_write_text
from alignment.problems import RunError

MARKER_KEY = "written_by"
_SHOWN = 3  # strangers named in a refusal; the rest are counted


class FolderInUse(RunError):
    """A folder holds something the command did not write (exit 2; nothing is written)."""


# --------------------------------------------------------------------------- digests


def digest(path: str | Path) -> dict[str, Any]:
    """``{"bytes": size, "sha256": hex}`` of a file."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return {"bytes": size, "sha256": h.hexdigest()}


def _matches(path: Path, entries: Iterable[Any]) -> bool:
    wanted = [e for e in entries if isinstance(e, dict) and isinstance(e.get("sha256"), str)]
    if not wanted:
        return False
    size = path.stat().st_size
    if not any(e.get("bytes") == size for e in wanted):
        return False  # no need to read it
    found = digest(path)["sha256"]
    return any(e.get("bytes") == size and e["sha256"] == found for e in wanted)


# --------------------------------------------------------------------------- markers


def read_marker(path: str | Path, command: str) -> dict[str, Any] | None:
    """The marker at ``path`` if ``command`` wrote it (a JSON object with its key and file list), else None."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(value, dict) or value.get(MARKER_KEY) != command:
        return None
    if not isinstance(value.get("files"), dict):
        return None
    return value


def write_marker(path: str | Path, value: Mapping[str, Any]) -> Path:
    """Write a marker atomically."""
    return atomic_write_text(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def listing(folder: str | Path, skip: Iterable[str] = ()) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every regular file under ``folder`` (relative POSIX path -> digest) and every sub-folder, sorted."""
    folder = Path(folder)
    skipped = set(skip)
    files: dict[str, dict[str, Any]] = {}
    folders: list[str] = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        base = Path(root).relative_to(folder)
        for d in dirs:
            folders.append((base / d).as_posix())
        for name in sorted(names):
            rel = (base / name).as_posix()
            if rel not in skipped and (Path(root) / name).is_file():
                files[rel] = digest(Path(root) / name)
    return files, folders


def strangers(folder: str | Path, marker: Mapping[str, Any] | None, marker_name: str) -> list[str]:
    """What ``folder`` holds that the marker's command did not write, as relative paths.

    A folder not listed (``photos/``) is named once, without its contents; a listed file whose
    bytes changed is named with ``(changed since it was written)``; links are never the workbook's.
    Without a marker, everything in the folder is a stranger. A missing or empty folder has none.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    files = dict(marker.get("files", {})) if marker else {}
    writing = dict(marker.get("writing", {})) if marker else {}
    temporary = set(marker.get("temporary", [])) if marker else set()
    known_folders = set(marker.get("folders", [])) if marker else set()
    for name in [*files, *writing]:
        parts = Path(name).parts
        known_folders.update(Path(*parts[:i]).as_posix() for i in range(1, len(parts)))
    found: list[str] = []

    def unreadable(exc: OSError) -> None:  # what cannot be looked into cannot be vouched for
        rel = Path(exc.filename).relative_to(folder).as_posix() if exc.filename else "."
        found.append(f"{rel}/ (cannot be read)")

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        base = Path(root).relative_to(folder)
        kept = []
        for d in sorted(dirs):
            rel = (base / d).as_posix()
            if (Path(root) / d).is_symlink() or rel not in known_folders:
                found.append(f"{rel}/")
            else:
                kept.append(d)
        dirs[:] = kept
        for name in sorted(names):
            rel = (base / name).as_posix()
            path = Path(root) / name
            if rel == marker_name and marker is not None:
                continue
            if (rel in temporary or _marker_temporary(rel, marker_name)) and marker and not path.is_symlink():
                continue
            if path.is_symlink() or not path.is_file() or (rel not in files and rel not in writing):
                found.append(rel)
            else:
                try:
                    same = _matches(path, [files.get(rel), writing.get(rel)])
                except OSError:
                    found.append(f"{rel} (cannot be read)")
                    continue
                if not same:
                    found.append(f"{rel} (changed since it was written)")
    return found


def describe(found: list[str]) -> str:
    """``notes.txt, photos/ and 3 more`` (the first few strangers, then a count)."""
    shown = ", ".join(found[:_SHOWN])
    rest = len(found) - _SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown


def inside(path: str | Path, folder: str | Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (both resolved, links followed)."""
    p, f = Path(path).resolve(), Path(folder).resolve()
    return p == f or f in p.parents


# --------------------------------------------------------------------------- writing


def check_owned(
    folder: str | Path, marker_name: str, command: str, what: str, hint: str = ""
) -> dict[str, Any] | None:
    """Refuse ``folder`` unless it is new, empty, or holds only what ``command`` wrote there.

    Returns the folder's marker (None for a new or empty folder).

    Raises
    ------
    FolderInUse
        One line naming the folder and what is in the way; ``what`` names the argument (``--out``).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FolderInUse(f"{command}: {what}: {folder} is a file: expected a folder")
    marker = read_marker(folder / marker_name, command)
    found = strangers(folder, marker, marker_name)
    if found:
        raise FolderInUse(
            f"{command}: {what}: {folder} holds {describe(found)}, which {command} did not write: "
            f"expected a new or empty folder, or one that {command} wrote before{hint}"
        )
    return marker


def write_owned(
    folder: str | Path,
    marker_name: str,
    command: str,
    writers: Mapping[str, Callable[[Path], object]],
    *,
    remove: Iterable[str] = (),
    details: Mapping[str, Any] | None = None,
    force: bool = False,
    hint: str = "",
) -> list[Path]:
    """Write files into ``folder`` and record them in the folder's marker.

    Each ``writers[name](path)`` writes one file's content to a temporary path in the folder; every
    file is then renamed into place, so that a crash never leaves a half-written file. ``remove``
    names files of this command to delete (if present). The marker is written before the first
    rename, listing the old and new content of every file, so that a command killed half-way is
    still recognised next time.

    Raises
    ------
    FolderInUse
        If the folder holds anything ``command`` did not write (unless ``force``); nothing is written.
    """
    folder = Path(folder)
    if force:
        marker = read_marker(folder / marker_name, command)
        if folder.exists() and not folder.is_dir():
            raise FolderInUse(f"{command}: {folder} is a file: expected a folder")
    else:
        marker = check_owned(folder, marker_name, command, "--out", hint)
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        name: entry
        for name, entry in (marker or {}).get("files", {}).items()
        if (folder / name).is_file() and name not in writers
    }
    old = {name: (marker or {}).get("files", {}).get(name) for name in writers}
    base = {MARKER_KEY: command, **(details or {})}
    tag = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
    temps = {name: folder / f".{name}.{tag}.tmp" for name in writers}
    leftovers = sorted(set((marker or {}).get("temporary", [])))
    marker_path = folder / marker_name
    try:
        write_marker(
            marker_path,
            {
                **base,
                "files": {**files, **{n: e for n, e in old.items() if e}},
                "temporary": sorted({*leftovers, *(t.name for t in temps.values())}),
            },
        )
        # each written file is hashed in a thread while the next one is written (hashlib releases the GIL)
        with ThreadPoolExecutor(max_workers=1) as hashing:
            pending = {}
            for name, write in writers.items():
                write(temps[name])
                os.chmod(temps[name], 0o666 & ~_umask())
                pending[name] = hashing.submit(digest, temps[name])
            new = {name: done.result() for name, done in pending.items()}
        write_marker(
            marker_path,
            {
                **base,
                "files": {**files, **{n: e for n, e in old.items() if e}},
                "writing": new,
                "temporary": sorted({*leftovers, *(t.name for t in temps.values())}),
            },
        )
        for name in writers:
            os.replace(temps[name], folder / name)
    finally:
        for t in temps.values():
            t.unlink(missing_ok=True)
    for name in leftovers:  # temporary files of an earlier, killed write
        if "/" not in name and name.startswith("."):
            (folder / name).unlink(missing_ok=True)
    for name in remove:
        if name not in writers and (name in files or force):
            (folder / name).unlink(missing_ok=True)
            files.pop(name, None)
    write_marker(marker_path, {**base, "files": {**files, **new}})
    for path in folder.iterdir():  # a marker's own temporary file, left by a write that was killed
        if _marker_temporary(path.name, marker_name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
    return [folder / name for name in writers]


def _marker_temporary(name: str, marker_name: str) -> bool:
    """The name :func:`write_marker` gives its temporary file (``.<marker>.XXXX.tmp``)."""
    return name.startswith(f".{marker_name}.") and name.endswith(".tmp")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
