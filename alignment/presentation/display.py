"""Display set-up for notebooks: how altair charts render in JupyterLab and in the HTML exports.

A chart is emitted as a mimebundle holding only its Vega-Lite spec (data inlined) under
``application/vnd.vegalite.v5+json``, the mimetype JupyterLab 4 renders natively and offline with
the Vega it ships (altair 6's own mimetype, ``application/vnd.vegalite.v6.json``, has no renderer
in JupyterLab 4, and altair's default HTML output loads Vega from a CDN). No ``text/html`` is
added: JupyterLab ranks HTML above Vega and would pick it. The export
(:mod:`alignment.report.export`) turns each spec into a chart container and embeds the Vega, Vega-Lite
and vega-embed JavaScript once per page, so an exported page needs no network and stays
interactive (tooltips).

JupyterLab 4's renderer for that mimetype (``@jupyterlab/vega5-extension``) bundles Vega-Lite 5 (5.6.1
in JupyterLab 4.6), and its vega-embed writes a warning to the browser console for every chart whose
``$schema`` names another major version ("The input spec uses Vega-Lite v6.4.1, but the current
version of Vega-Lite is v5.6.1"): altair 6 writes Vega-Lite 6 schemas. The spec JupyterLab gets
therefore names :data:`RENDERER_SCHEMA`; the workbook's charts use nothing Vega-Lite 5 lacks (every
chart of the sample compiles with Vega-Lite 5). The export names its own bundle's version again
(:func:`alignment.report.export.export_spec`).

A chart whose data has no rows is not drawn: the renderer emits one sentence instead, saying what
is empty and why (the chart's ``usermeta.empty``, which :func:`alignment.presentation.charts.titled`
sets, or else that its data has no rows).

Tables: pandas Styler output escapes HTML in every cell, so a customer named
``<script>...</script>`` shows as text in JupyterLab and in the exports.
"""

from __future__ import annotations

from typing import Any

RENDERER = "alignment"
VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"
#: the Vega-Lite schema of the renderer JupyterLab uses for :data:`VEGALITE_MIMETYPE` (its major version)
RENDERER_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
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


def _inline_data(spec: Any) -> list[list[Any]]:
    """Every inline dataset of a spec, nested views included (named datasets and ``data.values``)."""
    found: list[list[Any]] = []
    if isinstance(spec, dict):
        for name, value in spec.items():
            if name == "datasets" and isinstance(value, dict):
                found.extend(v for v in value.values() if isinstance(v, list))
            elif name == "data" and isinstance(value, dict) and isinstance(value.get("values"), list):
                found.append(value["values"])
            else:
                found.extend(_inline_data(value))
    elif isinstance(spec, list):
        for item in spec:
            found.extend(_inline_data(item))
    return found


def empty_chart_note(spec: dict[str, Any]) -> str | None:
    """The sentence that replaces a chart whose every dataset is empty, or None when it has rows to draw."""
    data = _inline_data(spec)
    if not data or any(data):
        return None
    why = (spec.get("usermeta") or {}).get("empty") if isinstance(spec.get("usermeta"), dict) else None
    return f"{chart_title(spec)}: {why or 'nothing to draw, its data has no rows.'}"


def chart_mimebundle(spec: dict[str, Any], **metadata: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The altair renderer: the Vega-Lite spec for JupyterLab and the export, a text fallback.

    The spec names :data:`RENDERER_SCHEMA`, the Vega-Lite version JupyterLab draws it with.

    ``metadata`` may carry ``embed_options`` (``alt.renderers.set_embed_options``); they are kept
    in the output's metadata, where JupyterLab and the export read them. A chart with no data is
    one sentence instead (:func:`empty_chart_note`).
    """
    note = empty_chart_note(spec)
    if note is not None:
        import html

        return {
            "text/html": f'<p class="alignment-empty"><em>{html.escape(note)}</em></p>',
            "text/plain": note,
        }, {}
    options = {**EMBED_OPTIONS, **(metadata.get("embed_options") or {})}
    spec = {**spec, "$schema": RENDERER_SCHEMA}
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
