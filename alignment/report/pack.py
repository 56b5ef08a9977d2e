"""The board pack: ``pack.html`` and ``pack.pdf``, the report's conclusions on a few printed pages.

``alignment run --pack`` writes both into the report folder, beside index.html, so the marker
(``run.json``'s file list, :func:`alignment.report.folders.seal_report`) lists them as the report's own.
Nothing is computed again: the pack is put together from what the run already holds.

- The headline: the index's executive summary (:func:`alignment.report.summary.executive_summary`,
  from headline.json and the notebooks' records, :data:`alignment.manifest.RECORDS`) and its table of
  headline figures.
- The bridge, the allocation by customer group, the review, the report card and the celebration: each
  the matching lines of that summary, the allocation's ``group_totals`` record as a table, and a chart
  taken from the executed notebook (its Vega-Lite spec, drawn here as inline SVG by vl-convert). Each
  page links back to the section of its page in the report that holds the chart.
- A practice whose notebook did not run (``--only``) or failed has no page.

``pack.html`` is one file with no script and no request: CSS inline, charts as SVG. ``pack.pdf`` is
printed from it by headless Chromium (Debian's ``chromium``; ``ALIGNMENT_CHROMIUM`` names another):
A4 landscape, one section per page with its chart kept whole (``break-inside: avoid``), the page
number and the page count in the footer (CSS ``@page`` margin boxes). In the PDF a link back reads as
the page and section it names (a relative link would point into the folder the report was built in).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alignment.outputs import atomic_write_bytes, atomic_write_text
from alignment.paths import ASSETS_DIR
from alignment.presentation.tables import Display, format_value
from alignment.problems import RunError
from alignment.report.export import (
    VEGALITE_PREFIX,
    bundle_vegalite_version,
    export_spec,
    headline_rows,
    money_note,
    table_of_contents,
)
from alignment.report.summary import Line, Summary, executive_summary
from alignment.vocabulary import column

PACK_HTML = "pack.html"
PACK_PDF = "pack.pdf"
CHROMIUM_ENV = "ALIGNMENT_CHROMIUM"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
PRINT_TIMEOUT_S = 120
#: the flags every headless Chromium of the workbook starts with (the pack's print, the browser tests):
#: no sandbox (containers), no GPU, no request of its own (updates, sync, first-run pages)
LAUNCH_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
GROUP_FIGURES = ("allocated_from_gap", "change_from_committed", "final_quota")


class PackError(RunError):
    """The board pack could not be written (no browser, or the browser failed to print)."""


@dataclass(frozen=True)
class ChartSource:
    """Where a page of the pack takes its chart: a notebook and the start of the chart's title."""

    notebook: str
    title: str


@dataclass(frozen=True)
class PackChart:
    """A chart drawn for the pack, and the section of the report page that shows it."""

    svg: str
    title: str
    page: str  # html/NN_name.html
    anchor: str | None  # the id of the heading above the chart on that page
    heading: str | None


@dataclass(frozen=True)
class PackPage:
    """One printed page of the pack."""

    id: str
    title: str
    lines: list[Line] = field(default_factory=list)
    chart: PackChart | None = None
    table: tuple[list[str], list[list[str]]] | None = None
    link: str | None = None
    link_text: str | None = None


#: the pack's pages after the headline: id, title, the notebook behind it, its chart
SECTIONS: tuple[tuple[str, str, ChartSource], ...] = (
    (
        "bridge",
        "From bottom-up quota to the target",
        ChartSource("03_gap_allocation", "From bottom-up quota"),
    ),
    (
        "allocation",
        "Allocation of the gap by customer group",
        ChartSource("03_gap_allocation", "Allocation of the gap by customer group"),
    ),
    ("review", "The monthly review's flags", ChartSource("05_monthly_review", "Cumulative actual against")),
    ("report-card", "The report card", ChartSource("04_report_card", "The two sides' report-card scores")),
    (
        "celebration",
        "The quarter's celebration",
        ChartSource("06_quarterly_celebration", "revenue against objective by customer group"),
    ),
)


# --------------------------------------------------------------------------- the browser


def chromium_path() -> Path:
    """The Chromium that prints the PDF: ``$ALIGNMENT_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    return Path(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)


def check_chromium() -> Path:
    """The browser's path, before anything runs.

    Raises
    ------
    PackError
        One line naming the missing browser and how to install it.
    """
    path = chromium_path()
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise PackError(
            f"alignment run: --pack: {path} not found: pack.pdf is printed by headless Chromium; "
            f"install Debian's chromium (apt-get install chromium) or name one in {CHROMIUM_ENV}"
        )
    return path


def print_pdf(html_file: Path, pdf_file: Path, browser: Path | None = None) -> Path:
    """Print ``html_file`` to ``pdf_file`` (written atomically) with headless Chromium.

    The page's CSS sets the paper (A4 landscape) and the footer; Chromium's own header and footer
    (date, file path) are turned off.

    Raises
    ------
    PackError
        When the browser fails or writes no PDF.
    """
    browser = browser or check_chromium()
    with tempfile.TemporaryDirectory(prefix="alignment-pack-") as tmp:
        out = Path(tmp) / "pack.pdf"
        command = [
            str(browser),
            "--headless",
            *LAUNCH_ARGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            Path(html_file).resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise PackError(f"{pdf_file}: Chromium did not finish printing in {PRINT_TIMEOUT_S} s") from exc
        if not out.is_file() or out.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise PackError(f"{pdf_file}: Chromium printed nothing (exit {done.returncode}): {last}")
        return atomic_write_bytes(pdf_file, out.read_bytes())


# --------------------------------------------------------------------------- charts from the notebooks


def _title(spec: Mapping[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title or "")


def _heading(source: str) -> str | None:
    """The last Markdown heading (levels 1-3) of a cell's source."""
    found = None
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("# ", "## ", "### ")):
            found = stripped.lstrip("#").strip()
    return found


def find_chart(notebook: Path, title: str) -> tuple[dict[str, Any], str | None] | None:
    """The first chart of an executed notebook whose title contains ``title``, and the heading above it."""
    if not notebook.is_file():
        return None
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    heading = None
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            heading = _heading(source) or heading
            continue
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            mime = next((m for m in data if m.startswith(VEGALITE_PREFIX)), None)
            if mime is None:
                continue
            spec = data[mime]
            spec = json.loads(spec) if isinstance(spec, str) else spec
            if title in _title(spec):
                return spec, heading
    return None


def chart_svg(spec: Mapping[str, Any]) -> str:
    """A Vega-Lite spec drawn as SVG (vl-convert, no browser), sized by CSS through its viewBox."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(export_spec(spec), vl_version=bundle_vegalite_version())
    return svg[svg.index("<svg") :]


def _anchor(page: Path, heading: str | None) -> str | None:
    """The id of ``heading`` on the exported page, as its table of contents names it."""
    if heading is None or not page.is_file():
        return None
    for _, anchor, text in table_of_contents(page.read_text(encoding="utf-8")):
        if text == heading:
            return anchor
    return None


def pack_chart(report_dir: Path, source: ChartSource) -> PackChart | None:
    """The chart of ``source`` from the report's executed notebook, or None when it holds none."""
    found = find_chart(report_dir / "notebooks" / f"{source.notebook}.ipynb", source.title)
    if found is None:
        return None
    spec, heading = found
    page = f"html/{source.notebook}.html"
    return PackChart(
        svg=chart_svg(spec),
        title=_title(spec),
        page=page,
        anchor=_anchor(report_dir / page, heading),
        heading=heading,
    )


# --------------------------------------------------------------------------- the pages


def _lines_for(summary: Summary, notebook: str) -> list[Line]:
    return [line for line in summary.practices if line.link and line.link.startswith(f"html/{notebook}")]


def group_table(
    group_totals: Mapping[str, Mapping[str, float]] | None, display: Display | None = None
) -> tuple[list[str], list[list[str]]] | None:
    """Notebook 03's ``group_totals`` record as a table's header and rows (Total last)."""
    if not group_totals:
        return None
    names = sorted(g for g in group_totals if g != "Total") + (["Total"] if "Total" in group_totals else [])
    unit = f" ({display.money_unit()})" if display is not None and display.money_unit() else ""
    header = [column("customer_group").label] + [column(f).label + unit for f in GROUP_FIGURES]
    rows = [
        [g] + [format_value(group_totals[g].get(f), "money", display=display) for f in GROUP_FIGURES]
        for g in names
    ]
    return header, rows


def pack_pages(
    report_dir: Path, headline: Mapping[str, Any], records: Mapping[str, Any], display: Display | None = None
) -> list[PackPage]:
    """The pack's pages after the headline, each where its notebook ran and left its chart or record;
    money as ``display`` (the params file's ``display`` section) shows it."""
    summary = executive_summary(headline, records, _currency(display))
    pages = []
    for page_id, title, source in SECTIONS:
        chart = pack_chart(report_dir, source)
        lines: list[Line] = []
        table = None
        if page_id == "bridge":
            lines = _lines_for(summary, "03_gap_allocation")
        elif page_id == "allocation":
            table = group_table(records.get("group_totals"), display)
        elif page_id == "review":
            lines = _lines_for(summary, "05_monthly_review") + list(summary.risks)
        elif page_id == "report-card":
            lines = _lines_for(summary, "04_report_card")
        elif page_id == "celebration":
            lines = _lines_for(summary, "06_quarterly_celebration")
        if chart is None and table is None and not lines:
            continue
        link = f"html/{source.notebook}.html"
        if chart is not None and chart.anchor:
            link += f"#{chart.anchor}"
        shown = f"page {source.notebook}" + (f", section “{chart.heading}”" if chart and chart.anchor else "")
        pages.append(
            PackPage(
                id=page_id, title=title, lines=lines, chart=chart, table=table, link=link, link_text=shown
            )
        )
    return pages


@functools.cache
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ASSETS_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _currency(display: Display | None) -> str:
    return (display.currency or "") if display is not None else ""


def pack_html(
    scenario: str,
    ran_at: str,
    headline: Mapping[str, Any],
    summary: Summary,
    pages: Sequence[PackPage],
    *,
    links: bool = True,
    display: Display | None = None,
) -> str:
    """The pack as one self-contained page (autoescaped; charts are vl-convert's SVG of our own specs).

    With ``links`` False (the copy Chromium prints), a link back to the report reads as text.
    """
    return (
        _env()
        .get_template("pack.html.j2")
        .render(
            scenario=scenario,
            ran_at=ran_at,
            summary=summary,
            headline=headline_rows(headline, display),
            money_note=money_note(display),
            pages=pages,
            links=links,
            css=(ASSETS_DIR / "pack.css").read_text(encoding="utf-8"),
        )
    )


def write_pack(
    report_dir: Path,
    *,
    scenario: str,
    ran_at: str,
    headline: Mapping[str, Any],
    records: Mapping[str, Any],
    browser: Path | None = None,
    display: Display | None = None,
) -> list[Path]:
    """Write ``pack.html`` and ``pack.pdf`` into the report folder (atomically); returns their paths.

    Raises
    ------
    PackError
        When the PDF cannot be printed (``pack.html`` is written by then).
    """
    summary = executive_summary(headline, records, _currency(display))
    pages = pack_pages(report_dir, headline, records, display)
    html = atomic_write_text(
        report_dir / PACK_HTML, pack_html(scenario, ran_at, headline, summary, pages, display=display)
    )
    with tempfile.TemporaryDirectory(prefix="alignment-pack-") as tmp:
        printed = Path(tmp) / PACK_HTML
        printed.write_text(
            pack_html(scenario, ran_at, headline, summary, pages, links=False, display=display),
            encoding="utf-8",
        )
        pdf = print_pdf(printed, report_dir / PACK_PDF, browser)
    return [html, pdf]
