"""What every notebook does first: read its parameters, load and check the data.

A notebook's ``parameters`` cell holds the sample run's values; ``alignment run`` (or
``papermill -f params/x.yaml``) replaces them. :func:`open_workbook` turns them into checked
:class:`~alignment.params.Params` and validated :class:`~alignment.inputs.Inputs`, so a bad value
stops the notebook at its first cell with the same one-line messages as ``alignment validate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alignment.inputs import Inputs, load_inputs
from alignment.params import Params, notebook_params


@dataclass(frozen=True)
class Workbook:
    """The checked parameters and inputs of one notebook run, and where its tables go."""

    params: Params
    inputs: Inputs
    report_dir: Path | None

    def table_path(self, name: str) -> Path | None:
        """Where a table of this run is written, or None when the run writes no tables."""
        return None if self.report_dir is None else self.report_dir / name


def open_workbook(report_dir: str | None = None, **parameters: Any) -> Workbook:
    """Check a notebook's parameters, load its data folder and set up chart display.

    Parameters
    ----------
    report_dir : str or None
        The folder the notebook writes its tables to; None writes nothing.
    **parameters
        The ``parameters`` cell's values (the params file's keys).
    """
    params = notebook_params(**parameters)
    inputs = load_inputs(params.data_dir, fiscal_year=params.fiscal_year,
                         fiscal_year_start_month=params.fiscal_year_start_month)
    from alignment.display import setup

    setup()
    return Workbook(params=params, inputs=inputs, report_dir=Path(report_dir) if report_dir else None)
