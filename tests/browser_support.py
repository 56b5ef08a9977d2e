"""Headless Chromium for tests: open a page from a file with every network request blocked and counted.

Usage in a test module::

    @pytest.fixture(scope="module")
    def browser():
        with launch_chromium() as b:
            yield b

    @pytest.mark.browser
    def test_page(browser, tmp_path):
        visit = open_offline(browser, tmp_path / "page.html", screenshot=ARTIFACTS / "page.png")
        visit.assert_clean()

Debian's ``/usr/bin/chromium`` is driven by Playwright's sync API (never ``playwright install``).
Without the browser the tests skip with the reason, except under CI (the ``CI`` variable set), where a
missing browser fails them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from alignment.report.pack import LAUNCH_ARGS as PACK_LAUNCH_ARGS

CHROMIUM = Path(os.environ.get("ALIGNMENT_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = list(PACK_LAUNCH_ARGS)  # the flags the board pack's print starts Chromium with
PROJECT_DIR = Path(__file__).resolve().parents[1]
ARTIFACTS = PROJECT_DIR / "test-artifacts"
VIEWPORT = {"width": 1280, "height": 900}


def readme_image(name: str) -> Path:
    """Where a browser test saves a screenshot the README shows.

    ``make screenshots`` (``UPDATE_README_IMAGES=1``) writes them into ``docs/img/``; any other test run
    writes them under ``test-artifacts/readme/``, so running the tests leaves the source tree as it was.
    """
    folder = (
        PROJECT_DIR / "docs" / "img"
        if os.environ.get("UPDATE_README_IMAGES") == "1"
        else ARTIFACTS / "readme"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


CHART_TIMEOUT_MS = 30_000

# Counts, per chart container, the SVG or canvas it holds and the data marks drawn in it
# (Vega's SVG renderer draws each mark as a child of a <g class="... role-mark ...">).
_CHARTS_JS = """
() => Array.from(document.querySelectorAll('.alignment-chart')).map(el => ({
  id: el.id,
  svg: el.querySelectorAll('svg').length,
  canvas: el.querySelectorAll('canvas').length,
  marks: el.querySelectorAll('svg g.role-mark > *').length,
  canvasDrawn: Array.from(el.querySelectorAll('canvas')).some(c => c.width > 0 && c.height > 0),
}))
"""


def require_chromium() -> Path:
    """The browser's path; skips the test when it is missing, or fails it under CI."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as exc:  # pragma: no cover - the test extras install it
            _missing(f"Python playwright is not installed ({exc})")
        return CHROMIUM
    _missing(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    raise AssertionError("unreachable")  # pragma: no cover


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run under CI: {reason}")
    pytest.skip(reason)


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``); skips, or fails under CI, when it is missing."""
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(path), args=LAUNCH_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """The browser as a session fixture, for modules that import it."""
    with launch_chromium() as browser:
        yield browser


@dataclass
class PageVisit:
    """What happened while a page loaded offline."""

    url: str
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    chart_state: dict[str, Any] | None = None
    text: str = ""

    @property
    def requests(self) -> int:
        """Requests beyond the page's own file (all blocked)."""
        return len(self.blocked)

    def undrawn_charts(self) -> list[dict[str, Any]]:
        """Chart containers without an SVG or canvas holding marks."""
        return [
            c
            for c in self.charts
            if not ((c["svg"] and c["marks"] > 0) or (c["canvas"] and c["canvasDrawn"]))
        ]

    def assert_clean(self) -> None:
        """No request left the page, no console or page error, no dialog, every chart drawn."""
        assert self.blocked == [], f"{self.url}: {self.requests} blocked requests: {self.blocked[:5]}"
        assert self.console_errors == [], f"{self.url}: console errors: {self.console_errors[:5]}"
        assert self.page_errors == [], f"{self.url}: page errors: {self.page_errors[:5]}"
        assert self.dialogs == [], f"{self.url}: a script opened dialogs: {self.dialogs}"
        assert self.undrawn_charts() == [], f"{self.url}: charts not drawn: {self.undrawn_charts()}"


def open_offline(
    browser: Any,
    path: str | Path,
    *,
    screenshot: str | Path | None = None,
    full_page: bool = True,
    hover_first_mark: bool = False,
    viewport: dict[str, int] | None = None,
    act: Callable[[Any], None] | None = None,
) -> PageVisit:
    """Open ``path`` from a file with every other request blocked and counted; wait for its charts.

    Only the page's own ``file://`` URL (and ``data:``/``blob:`` URLs it makes itself) may load.
    With ``hover_first_mark`` the pointer rests on the first chart's first mark, and
    ``chart_state["tooltip"]`` holds the tooltip's text. ``act`` is called with the Playwright page
    once the charts are drawn (to move a control, read what it shows), before the screenshot; the
    requests it causes are blocked and counted too.
    """
    url = Path(path).resolve().as_uri()
    visit = PageVisit(url=url)
    context = browser.new_context(viewport=viewport or VIEWPORT, service_workers="block")
    page = context.new_page()

    def allowed(request_url: str) -> bool:
        return request_url.split("#", 1)[0] == url or request_url.startswith(("data:", "blob:"))

    def route(route: Any) -> None:
        if allowed(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def on_request(request: Any) -> None:
        if not allowed(request.url):
            visit.blocked.append(request.url)

    def on_dialog(dialog: Any) -> None:
        visit.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    context.route("**/*", route)
    page.on("request", on_request)
    page.on("console", lambda msg: visit.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("console", lambda msg: visit.console_warnings.append(msg.text) if msg.type == "warning" else None)
    page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
    page.on("dialog", on_dialog)
    try:
        page.goto(url, wait_until="load")
        if page.locator(".alignment-chart").count():
            page.wait_for_function(
                "() => window.alignmentCharts && window.alignmentCharts.done", timeout=CHART_TIMEOUT_MS
            )
        visit.chart_state = page.evaluate("() => window.alignmentCharts || null")
        visit.charts = page.evaluate(_CHARTS_JS)
        visit.text = page.inner_text("body")
        if hover_first_mark and visit.charts:
            mark = page.locator(".alignment-chart svg g.role-mark > *").first
            mark.hover(force=True)
            page.wait_for_timeout(300)
            tooltip = page.locator("#vg-tooltip-element")
            visit.chart_state = {
                **(visit.chart_state or {}),
                "tooltip": tooltip.inner_text() if tooltip.count() and tooltip.is_visible() else "",
            }
        if act is not None:
            act(page)
        if screenshot is not None:
            Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=full_page)
    finally:
        context.close()
    return visit


# --------------------------------------------------------------------------- shared report runs
# Running notebooks is the slow part of the suite: each report below is built once per test run and
# only read by the tests. Within a process the result is cached here; pytest-xdist workers share the
# reports through a folder all of them see, built by whichever worker gets its lock first.

FIXTURE_NOTEBOOKS = PROJECT_DIR / "tests" / "fixtures" / "notebooks"
XSS_NAME = "<script>alert(1)</script>"
FIXTURE_CUSTOMERS = f"""customer_id,customer_name,customer_group,region,account_owner
C001,Acme Ltd,Enterprise,North,S01
C002,Brightline,SMB,South,S02
C003,{XSS_NAME},SMB,North,S01
"""


@dataclass(frozen=True)
class ReportRun:
    """A finished ``alignment run``: where its reports are, its exit status and terminal output."""

    out: Path
    exit_status: int
    stdout: str
    stderr: str
    seconds: float
    params: tuple[Path, ...] = ()
    data_changes: tuple[str, ...] = ()  # files of the data folders added, removed or changed by the run

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "exit_status": self.exit_status,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "seconds": self.seconds,
            "params": [str(p) for p in self.params],
            "data_changes": list(self.data_changes),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ReportRun:
        return cls(
            out=Path(d["out"]),
            exit_status=d["exit_status"],
            stdout=d["stdout"],
            stderr=d["stderr"],
            seconds=d["seconds"],
            params=tuple(Path(p) for p in d["params"]),
            data_changes=tuple(d.get("data_changes", ())),
        )


_RUNS: dict[str, ReportRun] = {}


def shared_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this test run sees (the session's own one without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no workers to share with
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _shared_run(key: str, base: Path, build: Any) -> ReportRun:
    """The run named ``key`` under ``base``: built once by ``build(folder)``, then read back."""
    if key in _RUNS:
        return _RUNS[key]
    import json

    folder = base / f"run-{key}"
    done = folder / "run-result.json"
    with _exclusive(base / f"run-{key}.lock"):
        if done.is_file():
            result = ReportRun.from_json(json.loads(done.read_text(encoding="utf-8")))
        else:
            folder.mkdir(parents=True, exist_ok=True)
            result = build(folder)
            done.write_text(json.dumps(result.to_json()), encoding="utf-8")
    _RUNS[key] = result
    return result


def write_fixture_company(folder: Path) -> Path:
    """The tiny company of ``tiny_company``, with a customer named like a script tag."""
    from tiny_company import write_company

    return write_company(folder, customers=FIXTURE_CUSTOMERS)


def folder_snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder``: its SHA-256 and modification time (ns), by relative path."""
    import hashlib

    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def snapshot_changes(
    before: dict[str, tuple[str, int]], after: dict[str, tuple[str, int]]
) -> tuple[str, ...]:
    """The files added, removed or changed (in bytes or modification time) between two snapshots."""
    return tuple(sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k)))


def run_report(params: list[Path], out: Path, **options: Any) -> ReportRun:
    """Run ``alignment.cli.run_command``, capturing the terminal and any change to the data folders."""
    import contextlib
    import io
    import time

    from alignment.cli import run_command
    from alignment.params import load_params
    from alignment.problems import ParamsError

    data_dirs = []
    for p in params:
        with contextlib.suppress(ParamsError):  # a bad params file: the run refuses it, reads no data
            data_dirs.append(load_params(p).data_dir)
    data_dirs = sorted(set(data_dirs))
    before = {d: folder_snapshot(d) for d in data_dirs}
    stdout, stderr = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = run_command(params_files=params, out=out, **options)
    seconds = time.perf_counter() - t0
    changes = tuple(
        f"{d}/{name}" for d in data_dirs for name in snapshot_changes(before[d], folder_snapshot(d))
    )
    return ReportRun(
        out=out,
        exit_status=status,
        stdout=stdout.getvalue(),
        stderr=stderr.getvalue(),
        seconds=seconds,
        params=tuple(params),
        data_changes=changes,
    )


def fixture_report(base: Path) -> ReportRun:
    """The fixture notebooks (one fails in cell 5) on the fixture company, two at a time.

    A file left in the report folder beforehand must be gone afterwards (the report is replaced whole).
    """

    def build(folder: Path) -> ReportRun:
        write_fixture_company(folder / "company")
        params = folder / "fixture.yaml"
        params.write_text("data_dir: company\n", encoding="utf-8")
        from alignment.report.folders import seal_report

        (folder / "report").mkdir(exist_ok=True)
        (folder / "report" / "stale.txt").write_text("from the previous run", encoding="utf-8")
        (folder / "report" / "run.json").write_text('{"scenario": "fixture"}', encoding="utf-8")
        seal_report(folder / "report")  # an earlier report the workbook wrote, holding stale.txt
        return run_report([params], folder / "report", jobs=2, notebooks_dir=FIXTURE_NOTEBOOKS)

    return _shared_run("fixture", base, build)


def comparison_report(base: Path) -> ReportRun:
    """Two scenarios of the fixture company (growth 5% and 30%), one notebook each; money is shown in
    € thousands (the ``display`` section of the first scenario, which the comparison follows)."""

    def build(folder: Path) -> ReportRun:
        write_fixture_company(folder / "company")
        display = "display: {money_scale: thousands, currency: €}\n"
        low, high = folder / "low.yaml", folder / "high.yaml"
        low.write_text(f"data_dir: company\ntarget: {{growth: 0.05}}\n{display}", encoding="utf-8")
        high.write_text("data_dir: company\ntarget: {growth: 0.30}\n", encoding="utf-8")
        return run_report(
            [low, high],
            folder / "reports",
            jobs=2,
            only="01_fixture_customers",
            notebooks_dir=FIXTURE_NOTEBOOKS,
        )

    return _shared_run("comparison", base, build)


def sample_ready() -> str | None:
    """Why the real notebooks cannot run on the sample yet (None when they can)."""
    from alignment.paths import NOTEBOOKS_DIR, SAMPLE_DATA_DIR, SAMPLE_PARAMS
    from alignment.report.notebooks import find_notebooks

    if not (SAMPLE_DATA_DIR / "customers.csv").is_file():
        return f"no sample data in {SAMPLE_DATA_DIR}"
    if not SAMPLE_PARAMS.is_file():
        return f"no {SAMPLE_PARAMS}"
    if not find_notebooks(NOTEBOOKS_DIR):
        return f"no notebooks in {NOTEBOOKS_DIR}"
    return None


def sample_report(base: Path) -> ReportRun:
    """The real notebooks on the shipped sample with ``params/sample.yaml``, two at a time.

    With the board pack where Chromium can print it: one run of the sample serves the report's tests
    and the pack's (it is the suite's longest single piece of work).
    """
    from alignment.paths import SAMPLE_PARAMS

    return _shared_run(
        "sample",
        base,
        lambda folder: run_report([SAMPLE_PARAMS], folder / "sample", jobs=2, pack=CHROMIUM.is_file()),
    )
