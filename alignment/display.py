"""Display set-up for notebooks: how altair charts render in JupyterLab and in the HTML exports."""

from __future__ import annotations


def setup() -> None:
    """Enable the chart renderer the workbook's notebooks and exports use."""
    import altair as alt

    alt.data_transformers.disable_max_rows()
