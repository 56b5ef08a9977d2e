"""What every notebook does first: read its parameters, load and check the data.

A notebook's ``parameters`` cell holds the sample run's values; ``alignment run`` (or
``papermill -f params/x.yaml``) replaces them. Its ``params_file`` (``"params/yours.yaml"``, relative
to the repository root, or ``papermill -p params_file ...``) names a params file read instead of them. :func:`open_workbook` turns them into checked
:class:`~alignment.params.Params` and validated :class:`~alignment.inputs.Inputs`, so a bad value
stops the notebook at its first cell with the same one-line messages as ``alignment validate``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from alignment.inputs import Inputs
from alignment.loading import check_with_data
from alignment.manifest import owner_of
from alignment.outputs import write_headline_part
from alignment.params import Params, notebook_params, notebook_params_file, with_sections
from alignment.presentation.display import setup
from alignment.presentation.tables import display_for, set_display


@dataclass(frozen=True)
class Workbook:
    """The checked parameters and inputs of one notebook run, and where its tables go."""

    params: Params
    inputs: Inputs
    report_dir: Path | None
    warnings: list[str] = field(default_factory=list)
    from_file: bool = False  # the params came from ``params_file``, every section included

    def record(self, **values: Any) -> Path | None:
        """Record this notebook's headline figures (and other records) for the report.

        The notebook that owns the keys is found in :mod:`alignment.manifest`, so a notebook never
        names itself; an unknown key, or keys of two notebooks, raise ``KeyError``. A notebook run by
        hand (no ``report_dir``) records nothing.
        """
        entry = owner_of(list(values))
        return write_headline_part(self.report_dir, entry.name, values)

    def table_path(self, name: str) -> Path | None:
        """Where a table of this run is written, or None when the run writes no tables."""
        return None if self.report_dir is None else self.report_dir / name

    def with_sections(self, namespace: Mapping[str, Any]) -> Workbook:
        """This workbook with the ``quota_quality`` and ``replan`` sections of the params file.

        The shared ``parameters`` cell has no variables for them: ``alignment run`` and
        ``papermill -f`` inject them when the params file has them, so a notebook that uses them
        passes its namespace (``wb.with_sections(globals())``); a missing section keeps its
        defaults. Bad values stop the notebook with the params file's one-line messages. Params read
        from ``params_file`` already hold the file's sections and are kept as they are.
        """
        if self.from_file:
            return self
        return replace(self, params=with_sections(self.params, namespace))


def open_workbook(
    report_dir: str | None = None, params_file: str | None = None, **parameters: Any
) -> Workbook:
    """Check a notebook's parameters, load its data folder and set up chart display.

    Parameters
    ----------
    report_dir : str or None
        The folder the notebook writes its tables to; None writes nothing.
    params_file : str, optional
        A params file read instead of ``parameters`` (relative to the repository root, or absolute);
        taken from the notebook's namespace (its ``parameters`` cell, or ``papermill -p``) when the
        call does not name it. Empty or None: the ``parameters`` are used.
    **parameters
        The ``parameters`` cell's values (the params file's keys). A params file's ``sources``
        key, which ``papermill -f`` injects beside the ``parameters`` cell, is taken from the
        notebook's namespace when the call does not name it; so is its ``display`` section (how
        tables show money), which sets how every table of the notebook reads.
    """
    if params_file is None:
        params_file = _injected("params_file")
    if params_file:
        params = notebook_params_file(params_file)
    else:
        if "sources" not in parameters and (injected := _injected("sources")):
            parameters["sources"] = injected
        if "display" not in parameters and isinstance(injected := _injected("display"), Mapping):
            parameters["display"] = injected
            _forget("display")  # IPython's own ``display`` function is the notebook's again
        params = notebook_params(**parameters)
    checked = check_with_data(params)
    setup()
    set_display(display_for(checked.params.display, checked.inputs, Path(report_dir) if report_dir else None))
    return Workbook(
        params=checked.params,
        inputs=checked.inputs,
        warnings=checked.warnings,
        report_dir=Path(report_dir) if report_dir else None,
        from_file=bool(params_file),
    )


def _forget(name: str) -> None:
    """Remove a name papermill injected from the running notebook's namespace (it hid a built-in)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.user_ns.pop(name, None)


def _injected(name: str) -> Any:
    """A value papermill injected into the running notebook's namespace, or None outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the kernel
        return None
    shell = get_ipython()
    return shell.user_ns.get(name) if shell is not None else None
