"""Report folders: never replace what the workbook did not write; swap a finished report into place.

A report is recognised by its ``run.json``: the workbook's own keys (``written_by: alignment run``)
and the list of every file it wrote, with sizes and SHA-256 (:func:`seal_report`). A folder may
receive a report when it is new, empty, or such a report holding nothing else (nothing added, nothing
changed); anything else in the way is refused before any notebook runs (:func:`check_report_folder`).

A report is built in a hidden sibling, ``.<name>.XXXX.building``, next to a lock file
``.<name>.XXXX.lock`` that its run holds locked while it lives; a later run into the same place
removes the building folders whose lock nobody holds (the run was killed). At the end the folder
is checked again (:func:`place_report`): if something that is not the workbook's has appeared in it
meanwhile, it is left as it is and the report goes to a new sibling, ``<name>-2``.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

from alignment.ownership import MARKER_KEY, describe, digest, inside, listing, read_marker, strangers
from alignment.problems import RunError

RUN_COMMAND = "alignment run"
RUN_MARKER = "run.json"
COMPARISON = "comparison.html"
_COMPARISON_TITLE = "<title>Scenario comparison — alignment report</title>"
# what a report of the releases before the file list held, besides the notebooks' pages
_LEGACY_FILES = {"index.html", "headline.json"}
_LEGACY_TABLES = {
    "targets.csv",
    "rollup.csv",
    "final_quotas.csv",
    "final_quotas.xlsx",
    "monthly_objectives.csv",
    "report_card_scores.csv",
    "action_plan.csv",
    "monthly_review.csv",
    "celebration.csv",
}
_TAG = re.compile(r"[A-Za-z0-9_]+")


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


# --------------------------------------------------------------------------- recognising a report


def report_marker(folder: Path) -> dict[str, Any] | None:
    """The folder's ``run.json`` if the workbook wrote it, else None.

    A ``run.json`` of a release before the file list (the workbook's keys, no ``files``) stands for
    the files such a report held: index.html, headline.json, its notebooks' pages and executed
    copies, and the contract's tables.
    """
    marker = read_marker(folder / RUN_MARKER, RUN_COMMAND)
    if marker is not None:
        return marker
    try:
        value = json.loads((folder / RUN_MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if (
        not isinstance(value, dict)
        or (folder / RUN_MARKER).is_symlink()
        or not isinstance(value.get("package"), dict)
        or value["package"].get("name") != "alignment-workbook"
        or not isinstance(value.get("scenario"), str)
        or not isinstance(value.get("notebooks"), list)
    ):
        return None
    names = set(_LEGACY_FILES) | {f"tables/{t}" for t in _LEGACY_TABLES}
    for nb in value["notebooks"]:
        if isinstance(nb, dict) and isinstance(nb.get("name"), str) and "/" not in nb["name"]:
            names |= {f"html/{nb['name']}.html", f"notebooks/{nb['name']}.ipynb"}
    files = {
        n: digest(folder / n)
        for n in sorted(names)
        if (folder / n).is_file() and not (folder / n).is_symlink()
    }
    return {MARKER_KEY: RUN_COMMAND, "files": files, "folders": ["html", "notebooks", "tables"]}


def report_strangers(folder: Path) -> list[str]:
    """What ``folder`` holds that is not a report the workbook wrote (empty: it may be replaced)."""
    return strangers(folder, report_marker(folder), RUN_MARKER)


def seal_report(folder: Path) -> dict[str, Any]:
    """Add the workbook's key and the list of every file of the report to its ``run.json``."""
    from alignment.outputs import atomic_write_text

    path = folder / RUN_MARKER
    run = json.loads(path.read_text(encoding="utf-8"))
    run.pop(MARKER_KEY, None)
    files, folders = listing(folder, skip=[RUN_MARKER])
    sealed = {MARKER_KEY: RUN_COMMAND, **run, "files": files, "folders": folders}
    atomic_write_text(path, json.dumps(sealed, indent=2, ensure_ascii=False) + "\n")
    return sealed


# --------------------------------------------------------------------------- before any notebook runs


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing ancestor."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _unwritable(out_dir: Path) -> Path | None:
    """The first place the report cannot be written to: where it is built, or the old report's folders."""
    place = _existing(out_dir.parent)
    if not place.is_dir() or not os.access(place, os.W_OK | os.X_OK):
        return place
    if out_dir.is_dir():
        for root, dirs, _ in os.walk(out_dir):
            if not os.access(root, os.W_OK | os.X_OK):
                return Path(root)
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
    return None


def check_report_folder(out_dir: Path, data_dirs: Iterable[Path] = (), what: str = "--out") -> None:
    """Refuse a report folder before any notebook runs: one line naming what is in the way.

    Refused: a file; a mount point (it cannot be swapped); the data folder or a folder inside it;
    a folder holding anything but a report the workbook wrote; a place that cannot be written.

    Raises
    ------
    RunError
        Exit 2, nothing runs.
    """
    prefix = f"{RUN_COMMAND}: {what}: {out_dir}"
    if out_dir.exists() and not out_dir.is_dir():
        raise RunError(f"{prefix} is a file: expected a folder for the report")
    if out_dir.is_dir() and os.path.ismount(out_dir):
        raise RunError(
            f"{prefix} is a mount point: expected a folder inside it (a report is swapped into place whole)"
        )
    for data in data_dirs:
        if inside(out_dir, data):
            raise RunError(
                f"{prefix} is the data folder {data} or inside it: expected a folder outside the data "
                "folder (the workbook never writes into it)"
            )
    found = report_strangers(out_dir)
    if found:
        raise RunError(
            f"{prefix} holds {describe(found)}, which alignment run did not write: expected a new or "
            "empty folder, or a report alignment run wrote (which is replaced)"
        )
    where = _unwritable(out_dir)
    if where is not None:
        raise RunError(
            f"{prefix}: {where} cannot be written (read-only): expected a folder the report can be written to"
        )


def check_comparison(parent: Path) -> None:
    """Refuse to write ``comparison.html`` over a file of that name the workbook did not write."""
    path = parent / COMPARISON
    if not path.exists() and not path.is_symlink():
        return
    ours = False
    if path.is_file() and not path.is_symlink():
        with open(path, encoding="utf-8", errors="replace") as fh:
            ours = _COMPARISON_TITLE in fh.read(4096)
    if not ours:
        raise RunError(
            f"{RUN_COMMAND}: --out: {path} is not a comparison the workbook wrote: expected a parent folder "
            f"without a {COMPARISON} of its own"
        )


# --------------------------------------------------------------------------- building


@dataclass
class BuildFolder:
    """A report's hidden build folder and the lock that says its run is alive."""

    path: Path
    lock: Path
    fd: int

    def release(self) -> None:
        """Remove the build folder (if still there), then the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.lock.unlink(missing_ok=True)
        os.close(self.fd)


def new_build_folder(out_dir: Path) -> BuildFolder:
    """Create ``.<name>.XXXX.building`` next to ``out_dir``, with its held lock ``.<name>.XXXX.lock``."""
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd, lock = tempfile.mkstemp(prefix=f".{out_dir.name}.", suffix=".lock", dir=parent)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        path = Path(lock[: -len(".lock")] + ".building")
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:  # a leftover of that name: draw another
            os.close(fd)
            Path(lock).unlink(missing_ok=True)
            continue
        return BuildFolder(path=path, lock=Path(lock), fd=fd)


def _tag(name: str, out_dir: Path, suffix: str) -> str | None:
    head = f".{out_dir.name}."
    if name.startswith(head) and name.endswith(suffix):
        tag = name[len(head) : -len(suffix)]
        if _TAG.fullmatch(tag):
            return tag
    return None


def clean_stale(out_dir: Path) -> list[str]:
    """Remove what killed runs into ``out_dir`` left next to it; returns lines saying what was done.

    A ``.building`` folder whose lock nobody holds is removed. A previous report renamed away
    (``.old``) by a run killed while swapping is put back when ``out_dir`` is missing, removed when
    it is a report the workbook wrote, and left alone otherwise. Folders of live runs are untouched.
    Without file locks (not POSIX) nothing is removed: a live run could not be told from a dead one.
    """
    parent = out_dir.parent
    if fcntl is None or not parent.is_dir():
        return []
    done = []
    for entry in sorted(parent.iterdir()):
        kind = next((k for k in (".building", ".old") if _tag(entry.name, out_dir, k)), None)
        if kind is None or entry.is_symlink() or not entry.is_dir():
            continue
        lock = parent / f".{out_dir.name}.{_tag(entry.name, out_dir, kind)}.lock"
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            fd = None
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live run's
            if kind == ".building":
                shutil.rmtree(entry, ignore_errors=True)
                done.append(f"removed {entry.name}, left by a run that was stopped")
            elif not out_dir.exists() and not report_strangers(entry):
                os.rename(entry, out_dir)
                done.append(f"put back the previous report {out_dir.name} from {entry.name}")
            elif not report_strangers(entry):
                shutil.rmtree(entry, ignore_errors=True)
                done.append(f"removed {entry.name}, a previous report left by a run that was stopped")
            else:
                continue
            lock.unlink(missing_ok=True)
        finally:
            if fd is not None:
                os.close(fd)
    return done


# --------------------------------------------------------------------------- swapping into place


def free_sibling(out_dir: Path) -> Path:
    """``<name>-2``, ``<name>-3``, ...: the first that does not exist."""
    n = 2
    while True:
        candidate = out_dir.with_name(f"{out_dir.name}-{n}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
        n += 1


def _occupied(exc: OSError) -> bool:
    return exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR)


def _in_the_way(target: Path) -> list[str]:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        return [target.name]
    if target.is_dir() and os.path.ismount(target):
        return [f"{target.name} (a mount point)"]
    return report_strangers(target)


def place_report(
    build: BuildFolder,
    out_dir: Path,
    prepare: Callable[[Path], None],
    log: Callable[[str], None],
    attempts: int = 5,
) -> Path:
    """Swap the finished build folder into ``out_dir``; returns where the report went.

    ``out_dir`` is checked again first. If it now holds anything the workbook did not write, it is
    left as it is, the report goes to :func:`free_sibling` instead, and ``log`` says where. An earlier
    report there is renamed away, checked once more (nothing can be added to it by its name then),
    replaced by the new one, and removed. ``prepare(target)`` is called before each attempt, with
    the folder the report is about to become (to name it and seal its ``run.json``).
    """
    old = build.path.with_name(build.path.name[: -len(".building")] + ".old")
    target = out_dir
    for _ in range(attempts):
        found = _in_the_way(target)
        if found:
            sibling = free_sibling(out_dir)
            log(
                f"{RUN_COMMAND}: {target} now holds {describe(found)}, which alignment run did not write: "
                f"left as it is; the report is written to {sibling} instead"
            )
            target = sibling
            continue
        prepare(target)
        if not target.exists():
            try:
                os.rename(build.path, target)  # an empty folder made meanwhile is taken over
            except OSError as exc:
                if _occupied(exc):
                    continue
                raise
            return target
        os.rename(target, old)
        found = report_strangers(old)
        if found:  # added between the check and the rename: give it back
            try:
                os.rename(old, target)
            except OSError:
                log(
                    f"{RUN_COMMAND}: {target} held {describe(found)}, which alignment run did not write, "
                    f"and is now at {old}"
                )
                raise
            continue
        try:
            os.rename(build.path, target)
        except OSError as exc:
            if not _occupied(exc):
                os.rename(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)  # another run's report took the place meanwhile
            continue
        shutil.rmtree(old, ignore_errors=True)
        return target
    raise RunError(f"{RUN_COMMAND}: {out_dir}: the folder kept changing while the report was put in place")
