"""Display set-up for notebooks: how altair charts render in JupyterLab and in the HTML exports.

A chart is emitted as a mimebundle holding only its Vega-Lite spec (data inlined) under
``application/vnd.vegalite.v5+json``, the mimetype JupyterLab 4 renders natively and offline with
the Vega it ships (altair 6's own mimetype, ``application/vnd.vegalite.v6.json``, has no renderer
in JupyterLab 4, and altair's default HTML output loads Vega from a CDN). No ``text/html`` is
added: JupyterLab ranks HTML above Vega and would pick it. The export
(:mod:`alignment.report.export`) turns each spec into a chart container and embeds the Vega, Vega-Lite
and vega-embed JavaScript once per page, so an exported page needs no network and stays
interactive (tooltips).

Tables: pandas Styler output escapes HTML in every cell, so a customer named
``<script>...</script>`` shows as text in JupyterLab and in the exports.
"""

from __future__ import annotations

from typing import Any

RENDERER = "alignment"
VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"
EMBED_OPTIONS: dict[str, Any] = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}


def chart_title(spec: dict[str, Any]) -> str:
    """The chart's title as plain text ("chart" when it has none)."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title) if title else "chart"


def chart_mimebundle(spec: dict[str, Any], **metadata: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The altair renderer: the Vega-Lite spec for JupyterLab and the export, a text fallback.

    ``metadata`` may carry ``embed_options`` (``alt.renderers.set_embed_options``); they are kept
    in the output's metadata, where JupyterLab and the export read them.
    """
    options = {**EMBED_OPTIONS, **(metadata.get("embed_options") or {})}
    data = {VEGALITE_MIMETYPE: spec, "text/plain": f"<Chart: {chart_title(spec)}>"}
    return data, {VEGALITE_MIMETYPE: {"embed_options": options}}


def setup() -> None:
    """Enable the workbook's chart renderer and HTML-escaping tables (idempotent)."""
    import altair as alt
    import pandas as pd

    alt.data_transformers.disable_max_rows()
    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, chart_mimebundle)
    alt.renderers.enable(RENDERER)
    pd.set_option("styler.format.escape", "html")
