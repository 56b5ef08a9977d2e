"""The workbook's notebooks: which there are, and which ``--only`` selects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from alignment.paths import NOTEBOOKS_DIR
from alignment.problems import RunError

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"


def find_notebooks(notebooks_dir: str | Path | None = None) -> list[Path]:
    """The workbook's notebooks (``NN_name.ipynb``) in name order."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
    return sorted(folder.glob(NOTEBOOK_GLOB), key=lambda p: p.name)


def select_notebooks(notebooks: Sequence[Path], only: str | Iterable[str] | None) -> list[Path]:
    """The notebooks named by ``--only`` (stems, comma-separated), in name order; all when None.

    Raises
    ------
    RunError
        For an unknown or empty name, listing the known ones.
    """
    if only is None:
        return list(notebooks)
    names = only.split(",") if isinstance(only, str) else list(only)
    wanted = [n.strip().removesuffix(".ipynb") for n in names]
    known = {p.stem: p for p in notebooks}
    unknown = [n for n in wanted if n not in known]
    if unknown or not wanted:
        shown = ", ".join(repr(n) for n in unknown) or "''"
        raise RunError(
            f"alignment run: --only: unknown notebook {shown}: expected one of "
            f"{', '.join(known) or '(no notebooks found)'}"
        )
    return [p for p in notebooks if p.stem in set(wanted)]
