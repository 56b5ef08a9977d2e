"""Column rules of the input files: what a cell must be, and the words that say so.

An input file is declared as its columns, each with a list of :class:`Check`: a vectorised test of
the whole column and the "expected ..." text a problem line shows when a cell fails it
(:func:`alignment.inputs.check_folder` names file, row, column and value). The declaration is kept
apart from how the files are read, so one declaration serves CSV, spreadsheets, Parquet and
database sources alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: A file's column rules: column name -> its checks (a column may have none).
Schema = dict[str, list["Check"]]


@dataclass(frozen=True)
class Check:
    """A rule on one column.

    Parameters
    ----------
    test
        Takes the column, gives True for each cell that passes (a Series on the same index, or an
        array of the same length).
    error
        What a good cell is, as a problem line says it after "expected" (``a month YYYY-MM``).
    ignore_na
        Whether a missing value (NaN, as Parquet gives an empty cell) passes. Text cells are
        never missing (an empty cell reads as ``""``); money checks set False, so that an empty
        amount is an error in every format.
    """

    test: Callable[[pd.Series], pd.Series | np.ndarray]
    error: str
    ignore_na: bool = True

    def passed(self, column: pd.Series) -> np.ndarray:
        """One bool per cell of ``column``: whether it passes. With ``ignore_na``, missing values
        pass and the test never sees them."""
        if self.ignore_na and column.hasnans:
            present = column.notna().to_numpy(dtype=bool)
            ok = np.ones(len(column), dtype=bool)
            ok[present] = self._run(column[present])
            return ok
        return self._run(column)

    def _run(self, column: pd.Series) -> np.ndarray:
        result = self.test(column)
        if isinstance(result, pd.Series):
            return result.to_numpy(dtype=bool, na_value=False)
        return np.asarray(result, dtype=bool)


__all__ = ["Check", "Schema"]
