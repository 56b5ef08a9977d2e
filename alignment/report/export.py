"""Self-contained HTML pages from executed notebooks, and the report's index and comparison pages.

A page opens from a file, offline, with its charts drawn and interactive, and makes no request
at all:

- nbconvert's JupyterLab look, with its CSS inlined, but none of the scripts its template pulls
  from a CDN (require.js, MathJax, mermaid, the widget manager);
- every chart output (a Vega-Lite spec, see :mod:`alignment.presentation.display`) becomes an empty container
  plus its spec as inert JSON (``<script type="application/json">``, with ``<``, ``>`` and ``&``
  escaped so no value from the data can close the tag);
- the Vega, Vega-Lite and vega-embed JavaScript (vl-convert's offline bundle, about 0.9 MB) is
  embedded once, at the end of the page, followed by a small script that draws every chart: a
  page with ten charts is barely larger than a page with one; a page without charts has none;
- HTML and Markdown outputs are sanitized (:func:`sanitize_html`): a value from the data that looks
  like markup shows as text, and nothing in an output can run a script or fetch a resource;
- code cells are hidden unless ``show_code``; a header names the scenario, the data folder and
  when the run started; a table of contents lists the page's headings.

``index.html`` and ``comparison.html`` are plain HTML and CSS from the templates in
``alignment/assets/``, rendered with autoescaping: every value from the data shows as text.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from alignment.paths import ASSETS_DIR
from alignment.presentation.display import EMBED_OPTIONS
from alignment.presentation.tables import (
    MISSING,
    Display,
    format_figure,
    format_value,
    money_figure,
    money_text,
)
from alignment.report.summary import Summary
from alignment.vocabulary import HEADLINE_KEYS, figure

PAGE_TEMPLATE = "page.html.j2"
CHART_CLASS = "alignment-chart"
TOC_MARKER = "<!--alignment:toc-->"
VEGALITE_PREFIX = "application/vnd.vegalite."
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"

_HEADING = re.compile(r'<h([1-3]) id="([^"]+)">(.*?)<a class="anchor-link"', re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class PageInfo:
    """What a page's header says about the run that produced it.

    Attributes
    ----------
    scenario : str
        The params file's stem, e.g. ``sample``.
    data_dir : str
        The data folder the notebook read.
    ran_at : str
        When the run started, as shown to a reader.
    notebook : str
        The notebook's name, e.g. ``03_gap_allocation``.
    failure : str or None
        ``"in cell 7: ValueError: ..."`` when the notebook failed.
    """

    scenario: str
    data_dir: str
    ran_at: str
    notebook: str
    failure: str | None = None


def _diff_kind(kind: str) -> str:
    """The vocabulary's kind as the report comparisons name it (a share is a ratio there)."""
    return {"percent": "ratio"}.get(kind, kind)


#: key -> (label, kind), for pages that compare reports; labels from the vocabulary.
HEADLINE_LABELS: dict[str, tuple[str, str]] = {
    k: (figure(k).label, _diff_kind(figure(k).kind)) for k in HEADLINE_KEYS
}


# --------------------------------------------------------------------------- chart library


@functools.cache
def bundle_vegalite_version() -> str:
    """The Vega-Lite version the pages embed: vl-convert's latest (e.g. ``6.4``)."""
    import vl_convert

    return max(vl_convert.get_vegalite_versions(), key=lambda v: tuple(int(p) for p in v.split(".")))


def export_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A chart's spec as a page embeds it: its ``$schema`` names the bundle's Vega-Lite major version.

    The notebooks' specs name the version JupyterLab draws them with
    (:data:`alignment.presentation.display.RENDERER_SCHEMA`); vega-embed warns in the console when
    the two majors differ.
    """
    major = bundle_vegalite_version().split(".")[0]
    return {**spec, "$schema": f"https://vega.github.io/schema/vega-lite/v{major}.json"}


@functools.cache
def vega_bundle() -> str:
    """The Vega, Vega-Lite and vega-embed JavaScript as one offline script (cached per process).

    It defines ``window.vegaEmbed``, ``window.vega`` and ``window.vegaLite``
    (Vega-Lite :func:`bundle_vegalite_version`).
    """
    import vl_convert

    bundle = vl_convert.javascript_bundle(vl_version=bundle_vegalite_version())
    if "</script" in bundle.lower():  # never expected; a bundle that did would end the tag early
        bundle = re.sub(r"</(script)", r"<\\/\1", bundle, flags=re.I)
    return bundle


def _asset(name: str) -> str:
    return (ASSETS_DIR / name).read_text(encoding="utf-8")


def script_json(value: Any) -> str:
    """JSON safe to place inside a ``<script>`` element: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def chart_html(chart_id: str, spec: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """A chart's container and its spec as inert JSON, drawn by the page's embed script."""
    payload = script_json({"spec": spec, "options": dict(options)})
    return (
        f'<div class="{CHART_CLASS}" id="{chart_id}"></div>\n'
        f'<script type="application/json" class="{CHART_CLASS}-spec" data-chart="{chart_id}">'
        f"{payload}</script>\n"
    )


# --------------------------------------------------------------------------- outputs from the data


SAFE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
_COMMON_ATTRS = (
    "class",
    "id",
    "style",
    "title",
    "colspan",
    "rowspan",
    "align",
    "valign",
    "border",
    "width",
    "height",
    "open",
)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_CSS_FETCH = re.compile(r"@import[^;]*;?|url\s*\([^)]*\)|expression\s*\(", re.I)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in _COMMON_ATTRS:
        return True
    if tag == "a":
        return name == "href" and not value.lower().startswith("data:")
    if tag == "img":
        return name == "alt" or (name == "src" and value.startswith("data:image/"))
    return False


def sanitize_html(html: str) -> str:
    """An output's HTML with everything that could run or fetch removed, tables and styles kept.

    Tags outside :data:`SAFE_TAGS` (``<script>``, ``<iframe>``, ``<svg>``, ...) are escaped, so
    they show as text; event handlers and ``javascript:`` links are dropped; images must be
    ``data:`` URLs. ``<style>`` blocks (pandas Styler) are kept without ``url()``/``@import``.
    """
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    styles = [_CSS_FETCH.sub("", m.group(1)) for m in _STYLE_BLOCK.finditer(html)]
    body = bleach.clean(
        _STYLE_BLOCK.sub("", html),
        tags=SAFE_TAGS,
        attributes=_allowed_attribute,
        protocols={"http", "https", "mailto", "data"},
        css_sanitizer=CSSSanitizer(),
        strip=False,
        strip_comments=True,
    )
    return "".join(f'<style type="text/css">{css}</style>\n' for css in styles) + body


def _markdown_html(source: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(source)


WIDGET_MIMETYPE = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    '<p class="alignment-widget-note">An interactive control stands here: open the notebook in '
    "JupyterLab to use it.</p>"
)


def _page_output(data: dict[str, Any], meta: dict[str, Any], chart_no: int) -> tuple[dict[str, Any], bool]:
    """The output bundle as the page shows it, and whether it is a chart."""
    mime = next((m for m in data if m.startswith(VEGALITE_PREFIX)), None)
    if mime is not None:
        spec = data[mime]
        if isinstance(spec, str):
            spec = json.loads(spec)
        options = {**EMBED_OPTIONS, **(((meta or {}).get(mime) or {}).get("embed_options") or {})}
        return {"text/html": chart_html(f"chart-{chart_no}", export_spec(spec), options)}, True
    if "text/html" in data:  # a widget's own HTML view, if it has one, beats the note
        return {"text/html": sanitize_html(_text(data["text/html"]))}, False
    if WIDGET_MIMETYPE in data:
        return {"text/html": WIDGET_NOTE}, False
    if "text/markdown" in data:
        return {"text/html": sanitize_html(_markdown_html(_text(data["text/markdown"])))}, False
    if "image/svg+xml" in data:  # drawn as an image: scripts inside an <img> never run
        import base64

        svg = base64.b64encode(_text(data["image/svg+xml"]).encode("utf-8")).decode("ascii")
        return {"text/html": f'<img src="data:image/svg+xml;base64,{svg}" alt="figure">'}, False
    return {k: v for k, v in data.items() if k != "application/javascript"}, False


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def prepare_notebook(nb: Any) -> tuple[Any, int]:
    """A copy of the executed notebook ready to export, and the number of charts in it.

    Each Vega-Lite output becomes :func:`chart_html`; HTML and Markdown outputs are sanitized
    (:func:`sanitize_html`), SVG becomes an image, JavaScript outputs are dropped and a widget
    without an HTML view of its own says where to use it. Papermill's red error banners are dropped: the page header reports
    the failure instead.
    """
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    count = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if "data" not in output:
                continue
            data, is_chart = _page_output(output["data"], output.get("metadata") or {}, count + 1)
            count += is_chart
            output["data"] = data
            if is_chart:
                output["metadata"] = {}
    return nb, count


# --------------------------------------------------------------------------- pages


def notebook_title(nb: Any, fallback: str) -> str:
    """The text of the notebook's first level-1 Markdown heading, or ``fallback``."""
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        for line in cell.get("source", "").splitlines():
            if line.startswith("# "):
                return line[2:].strip().strip("#").strip()
    return fallback


def table_of_contents(body: str) -> list[tuple[int, str, str]]:
    """The page's headings (level, anchor id, inner HTML without the anchor link), in order.

    The first level-1 heading is the page's title and is left out.
    """
    out: list[tuple[int, str, str]] = []
    title_seen = False
    for level, anchor, inner in _HEADING.findall(body):
        if level == "1" and not title_seen:
            title_seen = True
            continue
        out.append((int(level), anchor, _TAG.sub("", inner).strip()))
    return out


def toc_html(entries: Sequence[tuple[int, str, str]]) -> str:
    """The table of contents as a nav list (empty when the page has no headings)."""
    if not entries:
        return ""
    items = "\n".join(
        f'<li class="al-toc-{min(level, 3)}"><a href="#{anchor}">{text}</a></li>'
        for level, anchor, text in entries
    )
    return f'<nav class="al-toc" aria-label="Contents"><h2>Contents</h2>\n<ol>\n{items}\n</ol></nav>'


@functools.cache
def _exporter(show_code: bool) -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file=PAGE_TEMPLATE,
        extra_template_paths=[str(ASSETS_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=True,
        embed_images=True,
    )


def page_html(
    nb: Any,
    info: PageInfo,
    *,
    show_code: bool = False,
    bundle: str | None = None,
    failure_cell_id: str | None = None,
) -> str:
    """Render an executed notebook as one self-contained HTML page.

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook (not modified).
    info : PageInfo
        What the header says.
    show_code : bool
        Keep the code cells.
    bundle : str, optional
        The chart library script; :func:`vega_bundle` when None and the page has charts.
    failure_cell_id : str, optional
        The id of the failing cell, linked from the header.
    """
    prepared, charts = prepare_notebook(nb)
    title = notebook_title(prepared, info.notebook)
    prepared.metadata["title"] = f"{title} — {info.scenario}"
    resources = {
        "metadata": {"name": info.notebook},
        "alignment": {
            "scenario": info.scenario,
            "data_dir": info.data_dir,
            "ran_at": info.ran_at,
            "notebook": info.notebook,
            "failure": info.failure,
            "failure_anchor": f"cell-id={failure_cell_id}" if failure_cell_id else None,
            "css": _asset("page.css"),
            "vega_bundle": (bundle if bundle is not None else vega_bundle()) if charts else "",
            "embed_js": _asset("embed.js"),
        },
    }
    body, _ = _exporter(show_code).from_notebook_node(prepared, resources=resources)
    head, marker, tail = body.partition(TOC_MARKER)
    return head + toc_html(table_of_contents(tail)) + tail if marker else body


# --------------------------------------------------------------------------- index and comparison


@dataclass(frozen=True)
class IndexPage:
    """What index.html shows: the run, its headline figures, every page and any failure."""

    scenario: str
    params_file: str
    data_dir: str
    started: str
    duration: str
    status: str
    headline: Mapping[str, Any]
    notebooks: Sequence[Mapping[str, Any]]
    version: str
    display: Display = field(default_factory=Display)  # the params file's display section: how money reads
    comparison: str | None = None
    summary: Summary | None = None
    warnings: Sequence[str] = ()  # the run's warnings (parameters and inputs), as run.json lists them
    marks: Mapping[str, str] = field(default_factory=dict)  # headline label -> a note marking the figure
    changes: str | None = None  # the page comparing this report with an earlier one (--compare-to)
    # inputs read from params ``sources:``: where each came from (alignment.sources), no password
    sources: Sequence[Mapping[str, Any]] = ()
    pack: bool = False  # the run wrote the board pack (pack.html, pack.pdf)


@functools.cache
def _report_env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ASSETS_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["css"] = _asset("report.css")
    return env


def headline_rows(headline: Mapping[str, Any], display: Display | None = None) -> list[tuple[str, str]]:
    """(label, formatted value) for every contract headline figure, labelled by the vocabulary."""
    return [(figure(k).label, format_figure(k, headline.get(k), display)) for k in HEADLINE_KEYS]


def index_html(page: IndexPage) -> str:
    """The report's index page (autoescaped)."""
    return (
        _report_env()
        .get_template("index.html.j2")
        .render(
            page=page,
            headline=headline_rows(page.headline, page.display),
            failures=[n for n in page.notebooks if n.get("status") != "ok"],
        )
    )


GROUP_FIGURES = ("allocated_from_gap", "change_from_committed", "final_quota")


def comparison_html(
    scenarios: Sequence[Mapping[str, Any]],
    groups: Sequence[Mapping[str, Any]],
    generated: str,
    extras: Mapping[str, Any] | None = None,
    display: Display | None = None,
) -> str:
    """comparison.html: headline figures and allocation by customer group, one column per scenario.

    Parameters
    ----------
    scenarios : sequence of mapping
        Per scenario: ``name``, ``link`` (its index.html), ``status`` and ``headline``.
    groups : sequence of mapping
        Per customer group: ``customer_group`` and, per scenario name,
        ``{allocated_from_gap, change_from_committed, final_quota}`` (None when the scenario has no
        final quotas).
    generated : str
        When the comparison was made.
    extras : mapping, optional
        :func:`scenario_extras`: differences against the first scenario, the parameters that
        differ, final quotas per owner and group, and a note when the review months differ.
    display : Display, optional
        How money reads: the params file's ``display`` section (of the first scenario, the one the
        others are compared with); by default units without a currency.
    """
    display = display or Display()
    names = [s["name"] for s in scenarios]
    rows = [
        (figure(k).label, [format_figure(k, s["headline"].get(k), display) for s in scenarios])
        for k in HEADLINE_KEYS
    ]
    if extras is not None:  # the same figures, with the differences against the first scenario
        changes = {label: c for label, _, c in extras["headline"]}
        rows = [(label, values + changes.get(label, ["—"] * (len(names) - 1))) for label, values in rows]
    group_rows = []
    for g in groups:
        cells = []
        for name in names:
            v = g.get(name)
            cells.append(
                tuple(format_value(v.get(f), "money", display=display) for f in GROUP_FIGURES)
                if v
                else (MISSING,) * 3
            )
        group_rows.append((g["customer_group"], cells))
    return (
        _report_env()
        .get_template("comparison.html.j2")
        .render(
            scenarios=scenarios,
            rows=rows,
            group_rows=group_rows,
            generated=generated,
            extras=extras,
            names=names,
            money_note=money_note(display),
        )
    )


# --------------------------------------------------------------------------- report differences


def money_note(display: Display | None = None) -> str:
    """What the money of a page is in, as the params file's ``display`` section sets it."""
    if display is None or (display.money_scale == "units" and not display.currency):
        return "Money in the data's currency units"
    currency = f"{display.currency} " if display.currency else ""
    return f"Money in {currency}{display.money_scale}, as the display settings give it"


def format_change(value: Any, kind: str = "money", display: Display | None = None) -> str:
    """A difference with its sign: ``+1,000.00`` (money in ``display``'s scale), ``-3.5 pts``, ``+0.25``;
    missing -> an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    v = float(value)
    if kind == "ratio":
        return f"{v * 100:+.1f} pts"
    if kind == "count":
        return f"{int(v):+,}"
    if kind == "score":
        return f"{v:+.2f}"
    return money_text(v, display or Display(), signed=True)


def _format_value(value: Any, kind: str, display: Display | None = None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if kind == "ratio":
        return f"{float(value):.1%}"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "score":
        return f"{float(value):.2f}"
    return format_value(value, "money", display=display or Display())


def _rows(df: Any, columns: Sequence[tuple[str, str]], display: Display | None = None) -> list[list[str]]:
    """A table's rows as text: ``columns`` is (column, kind), kind one of text, money, change, ratio,
    ratio_change, score, score_change; money as ``display`` shows it."""
    if df is None:
        return []
    out = []
    for record in df.to_dict("records"):
        row = []
        for col, kind in columns:
            v = record.get(col)
            if kind == "text":
                row.append("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
            elif kind.endswith("change"):
                row.append(format_change(v, kind.removesuffix("_change") or "money", display))
            else:
                row.append(_format_value(v, kind, display))
        out.append(row)
    return out


def _headline_cells(
    headline: Any, n: int, display: Display | None = None
) -> list[tuple[str, list[str], list[str]]]:
    """The headline figures and their differences; money as the index shows a figure (currency, scale)."""
    d = display or Display()
    out = []
    for record in headline.to_dict("records"):
        kind = record["kind"] if record["kind"] in ("money", "ratio", "score", "count") else "money"
        if kind == "money":
            values = [money_figure(record.get(f"v{i}"), d) for i in range(n)]
            changes = [money_figure(record.get(f"d{i}"), d, signed=True) for i in range(1, n)]
        else:
            values = [_format_value(record.get(f"v{i}"), kind) for i in range(n)]
            changes = [format_change(record.get(f"d{i}"), kind) for i in range(1, n)]
        out.append((record["label"], values, changes))
    return out


def diff_html(diff: Any, display: Display | None = None) -> str:
    """The page of ``alignment diff`` (autoescaped): a :class:`alignment.report.diff.ReportDiff`.

    Money reads as ``display`` shows it; by default as the later report's params file (B's ``display``
    section, recorded in its run.json) sets it (``diff.display``).
    """
    display = display or diff.display
    quota_cols = [("key", "text"), ("v0", "money"), ("v1", "money"), ("d1", "change")]
    levels = [
        (title, _rows(diff.quotas.get(level), quota_cols, display))
        for level, title in (
            ("customer_group", "By customer group"),
            ("region", "By region"),
            ("account_owner", "By account owner"),
        )
        if diff.quotas.get(level) is not None
    ]
    context = {
        "a": diff.a,
        "b": diff.b,
        "parameters": _rows(diff.parameters, [("key", "text"), ("v0", "text"), ("v1", "text")]),
        "inputs": _rows(
            diff.inputs, [("file", "text"), ("change", "text"), ("sha_a", "text"), ("sha_b", "text")]
        ),
        "headline": _headline_cells(diff.headline, 2, display),
        "levels": levels,
        "moved": None
        if diff.moved is None
        else _rows(
            diff.moved,
            [
                ("customer_id", "text"),
                ("customer_name", "text"),
                ("customer_group", "text"),
                ("account_owner", "text"),
                ("product_id", "text"),
                ("final_quota_a", "money"),
                ("final_quota_b", "money"),
                ("difference", "change"),
                ("locked_a", "text"),
                ("locked_b", "text"),
                ("note", "text"),
            ],
            display,
        ),
        "overrides": None
        if diff.overrides is None
        else _rows(
            diff.overrides,
            [
                ("customer_id", "text"),
                ("product_id", "text"),
                ("change", "text"),
                ("final_quota_a", "money"),
                ("final_quota_b", "money"),
                ("reason", "text"),
                ("changed_by", "text"),
            ],
            display,
        ),
        "review": None
        if diff.review is None
        else _rows(
            diff.review,
            [
                ("period", "text"),
                ("level", "text"),
                ("key", "text"),
                ("objective_a", "money"),
                ("actual_a", "money"),
                ("attainment_a", "ratio"),
                ("objective_b", "money"),
                ("actual_b", "money"),
                ("attainment_b", "ratio"),
                ("actual_change", "change"),
                ("attainment_change", "ratio_change"),
            ],
            display,
        ),
        "review_months": diff.review_months,
        "report_card": None
        if diff.report_card is None
        else _rows(
            diff.report_card,
            [
                ("rated_side", "text"),
                ("need_id", "text"),
                ("score_a", "score"),
                ("score_b", "score"),
                ("difference", "score_change"),
            ],
            display,
        ),
        "cycles": diff.cycles,
        "notes": diff.notes,
        "money_note": money_note(display),
    }
    return _report_env().get_template("diff.html.j2").render(**context)


def scenario_extras(comparison: Any, names: Sequence[str], display: Display | None = None) -> dict[str, Any]:
    """What comparison.html shows beyond the headline: differences, parameters, owners, groups, review
    months; money as ``display`` (the params file's ``display`` section) shows it."""
    n = len(names)
    money_cols = (
        [("key", "text")]
        + [(f"v{i}", "money") for i in range(n)]
        + [(f"d{i}", "change") for i in range(1, n)]
    )
    months = comparison.review_months
    return {
        "headline": _headline_cells(comparison.headline, n, display),
        "parameters": _rows(comparison.parameters, [("key", "text")] + [(f"v{i}", "text") for i in range(n)]),
        "owners": _rows(comparison.owners, money_cols, display) if comparison.owners is not None else None,
        "groups": _rows(comparison.groups, money_cols, display) if comparison.groups is not None else None,
        "review_note": (
            "The scenarios review different months ("
            + ", ".join(f"{name}: {m or '—'}" for name, m in zip(names, months, strict=True))
            + "): their review figures (objective, actual, attainment, forecast) are not for the same period."
        )
        if len({m for m in months}) > 1
        else None,
    }
