"""One checked-loading path: parameters and their data folder, with every check.

``alignment run``, ``alignment plan`` and a notebook opened by hand all load through
:func:`load_checked`, so each makes exactly the same checks (the parameters alone, the inputs
alone, then the parameter checks that need the data) with the same one-line messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alignment.inputs import Inputs, load_inputs
from alignment.params import Params, check_against_inputs, load_params
from alignment.problems import ParamsError


@dataclass(frozen=True)
class Checked:
    """Parameters and inputs that passed every check, and the warnings found on the way."""

    params: Params
    inputs: Inputs
    warnings: list[str]

    def __iter__(self):  # ``params, inputs, warnings = load_checked(...)``
        return iter((self.params, self.inputs, self.warnings))


def check_with_data(params: Params) -> Checked:
    """Load the data folder that ``params`` names and make the checks that need both.

    Raises
    ------
    InputError
        For bad input files (every problem, one line each).
    ParamsError
        For parameters that the data contradicts, each message naming the key.
    """
    if params.sources:  # some inputs come from files or queries named in the params file
        from alignment.sources.load import load_with_sources

        inputs = load_with_sources(params)
    else:
        inputs = load_inputs(
            params.data_dir,
            fiscal_year=params.fiscal_year,
            fiscal_year_start_month=params.fiscal_year_start_month,
            encoding=params.encoding,
        )
    errors, warnings = check_against_inputs(params, inputs)
    if errors:
        raise ParamsError(errors)
    return Checked(params=params, inputs=inputs, warnings=[*(w.line() for w in inputs.warnings), *warnings])


def load_checked(params_path: str | Path) -> Checked:
    """Load a params file and its data folder with every check; raises ParamsError or InputError."""
    return check_with_data(load_params(params_path))
