"""The scenario explorer live in JupyterLab 4, in headless Chromium: run the notebook, move a control,
see the headline figure change.

Starts its own JupyterLab on 127.0.0.1 with a token, on a copy of the notebook in a temporary folder,
and stops it at the end. Requests that leave 127.0.0.1 are blocked.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

import pytest
from browser_support import ARTIFACTS, launch_chromium, require_chromium

from alignment.paths import NOTEBOOKS_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NOTEBOOK = "07_scenario_explorer.ipynb"
TOKEN = "alignment-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JupyterLab server on a copy of the explorer notebook; yields its base URL."""
    require_chromium()
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOKS_DIR / NOTEBOOK, root / NOTEBOOK)
    home = tmp_path_factory.mktemp("lab-home")
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    # render every cell (no windowing) and ask no questions about news
    settings = home / "settings"
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": '{"windowingMode": "none"}',
        "@jupyterlab/apputils-extension/notification": '{"fetchNews": "false"}',
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(values)
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--port={port}",
            "--port-retries=0",
            "--allow-root",
            "--LabApp.extension_manager=readonly",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_move_a_control_and_the_headline_changes(lab: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with launch_chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        blocked: list[str] = []

        def route(route) -> None:  # only the local server
            if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort("blockedbyclient")

        context.route("**/*", route)
        page = context.new_page()
        page.goto(f"{lab}/lab/tree/{NOTEBOOK}?token={TOKEN}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
        # a run asked for while the kernel is still connecting can be lost: ask again until cells run
        for _attempt in range(3):
            page.wait_for_timeout(2000)
            page.locator(".jp-Notebook").first.click()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()
            try:
                page.wait_for_function(
                    "() => Array.from(document.querySelectorAll('.jp-InputPrompt'))"
                    ".some(p => /\\[(\\d+|\\*)\\]/.test(p.innerText))",
                    timeout=20_000,
                )
                break
            except Exception:
                continue

        figure = page.locator(".alignment-headline td.figure-final_quota_total")
        try:
            figure.wait_for(state="attached", timeout=120_000)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "explorer-failure.png"), full_page=True)
            raise
        figure.scroll_into_view_if_needed()
        page.wait_for_selector(
            ".alignment-explorer .vega-embed svg, .alignment-explorer .vega-embed canvas", timeout=60_000
        )
        before = figure.inner_text()
        page.locator(".alignment-explorer").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "explorer-before.png"))

        readout = page.locator(".alignment-over-assignment .widget-readout")
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("0.05")
        page.keyboard.press("Enter")
        page.wait_for_function(
            '(before) => { const el = document.querySelector(".alignment-headline td.figure-final_quota_total");'
            " return el && el.innerText !== before; }",
            arg=before,
            timeout=30_000,
        )
        after = figure.inner_text()
        page.screenshot(path=str(ARTIFACTS / "explorer-after.png"))
        context.close()

    t_before = Decimal(before.replace(",", ""))
    t_after = Decimal(after.replace(",", ""))
    # 5 % padding on the target: T' = T x 1.05, rounded to the cent half away from zero, exactly
    assert t_after == (t_before * Decimal("1.05")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert [u for u in blocked if "127.0.0.1" in u] == []
