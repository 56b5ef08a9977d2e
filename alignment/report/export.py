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
from dataclasses import dataclass
from typing import Any

from alignment.paths import ASSETS_DIR
from alignment.presentation.display import EMBED_OPTIONS

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


@dataclass(frozen=True)
class Headline:
    """One headline figure as index.html and comparison.html show it."""

    key: str
    label: str
    kind: str  # money | ratio | score


HEADLINES: tuple[Headline, ...] = (
    Headline("top_down_target", "Top-down target (T)", "money"),
    Headline("bottom_up_quota", "Bottom-up quota (Q)", "money"),
    Headline("gap", "Gap to allocate (G; negative = surplus)", "money"),
    Headline("final_quota_total", "Final quotas, total", "money"),
    Headline("unallocated", "Unallocated", "money"),
    Headline("report_card_score", "Report card score received", "score"),
    Headline("ytd_objective", "Objective, year to date", "money"),
    Headline("ytd_actual", "Actual, year to date", "money"),
    Headline("ytd_attainment", "Attainment, year to date", "ratio"),
    Headline("forecast", "Forecast for the year", "money"),
    Headline("off_strategy_ytd", "Off-strategy revenue, year to date", "money"),
)
HEADLINE_KEYS: tuple[str, ...] = tuple(h.key for h in HEADLINES)


# --------------------------------------------------------------------------- chart library


@functools.cache
def vega_bundle() -> str:
    """The Vega, Vega-Lite and vega-embed JavaScript as one offline script (cached per process).

    It defines ``window.vegaEmbed``, ``window.vega`` and ``window.vegaLite``.
    """
    import vl_convert

    bundle = vl_convert.javascript_bundle()
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
        return {"text/html": chart_html(f"chart-{chart_no}", spec, options)}, True
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


def format_money(value: Any) -> str:
    """``1234567.5`` -> ``1,234,567.50``; missing -> an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{float(value):,.2f}"


def format_headline(headline: Headline, value: Any) -> str:
    """A headline figure as text: money with thousands separators, ratios as %, scores per side."""
    if value is None:
        return "—"
    if headline.kind == "ratio":
        return f"{float(value):.1%}" if isinstance(value, int | float) and math.isfinite(value) else "—"
    if headline.kind == "score":
        if isinstance(value, Mapping):
            return ", ".join(f"{side} {_score(v)}" for side, v in value.items())
        return _score(value)
    return format_money(value)


def _score(value: Any) -> str:
    return f"{float(value):.2f} / 4" if isinstance(value, int | float) and math.isfinite(value) else "—"


def headline_rows(headline: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, formatted value) for every contract headline figure."""
    return [(h.label, format_headline(h, headline.get(h.key))) for h in HEADLINES]


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
    comparison: str | None = None
    # inputs read from params ``sources:``: where each came from (alignment.sources), no password
    sources: Sequence[Mapping[str, Any]] = ()


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


def index_html(page: IndexPage) -> str:
    """The report's index page (autoescaped)."""
    return (
        _report_env()
        .get_template("index.html.j2")
        .render(
            page=page,
            headline=headline_rows(page.headline),
            failures=[n for n in page.notebooks if n.get("status") != "ok"],
        )
    )


def comparison_html(
    scenarios: Sequence[Mapping[str, Any]], groups: Sequence[Mapping[str, Any]], generated: str
) -> str:
    """comparison.html: headline figures and allocation by customer group, one column per scenario.

    Parameters
    ----------
    scenarios : sequence of mapping
        Per scenario: ``name``, ``link`` (its index.html), ``status`` and ``headline``.
    groups : sequence of mapping
        Per customer group: ``customer_group`` and, per scenario name, ``{allocated, final_quota}``
        (None when the scenario has no final quotas).
    generated : str
        When the comparison was made.
    """
    names = [s["name"] for s in scenarios]
    rows = [(h.label, [format_headline(h, s["headline"].get(h.key)) for s in scenarios]) for h in HEADLINES]
    group_rows = []
    for g in groups:
        cells = []
        for name in names:
            v = g.get(name)
            cells.append((format_money(v["allocated"]), format_money(v["final_quota"])) if v else ("—", "—"))
        group_rows.append((g["customer_group"], cells))
    return (
        _report_env()
        .get_template("comparison.html.j2")
        .render(scenarios=scenarios, rows=rows, group_rows=group_rows, generated=generated)
    )
