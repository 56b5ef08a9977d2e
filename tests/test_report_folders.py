"""``alignment run`` never deletes or overwrites what it did not write; SIGTERM and SIGHUP leave nothing behind.

The destructive tests work in temporary folders and compare every file's bytes before and after.
Most replace the notebooks by a stand-in (``fake_notebooks``) so that the folder rules are tested in
seconds; the signal tests run a real notebook that sleeps, in a child process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from browser_support import write_fixture_company

from alignment.cli import main, run_command
from alignment.paths import SAMPLE_PARAMS
from alignment.problems import RunError
from alignment.report.execution import NotebookResult, Task
from alignment.report.folders import (
    BuildFolder,
    check_comparison,
    check_report_folder,
    clean_stale,
    new_build_folder,
    place_report,
    report_strangers,
    seal_report,
)
from tests.test_own_files import snapshot, users_folder

PROJECT = Path(__file__).resolve().parents[1]


def params_file(tmp_path: Path, name: str = "scenario.yaml") -> Path:
    if not (tmp_path / "company").exists():
        write_fixture_company(tmp_path / "company")
    path = tmp_path / name
    path.write_text("data_dir: company\n", encoding="utf-8")
    return path


def earlier_report(folder: Path, *extra: str) -> Path:
    """A report the workbook wrote (sealed), holding index.html and ``extra`` files."""
    (folder / "html").mkdir(parents=True)
    (folder / "index.html").write_text("previous report", encoding="utf-8")
    (folder / "html" / "01_a.html").write_text("page", encoding="utf-8")
    for name in extra:
        (folder / name).write_text(name, encoding="utf-8")
    (folder / "run.json").write_text(json.dumps({"scenario": folder.name}), encoding="utf-8")
    seal_report(folder)
    return folder


def fake_notebooks(monkeypatch: pytest.MonkeyPatch, during=None) -> list[Task]:
    """Replace the notebooks' execution by a stand-in that writes a page and an executed notebook.

    ``during(task)`` runs while the "notebook" runs (to change the report folder meanwhile).
    """
    import alignment.report.runner as runner

    seen: list[Task] = []

    def run_tasks(tasks, jobs, on_result):
        results = []
        for task in tasks:
            seen.append(task)
            if during is not None:
                during(task)
            nb = nbformat.v4.new_notebook()
            cell = nbformat.v4.new_code_cell(f"report_dir = {str(task.final_dir / 'tables')!r}")
            cell.metadata["tags"] = ["injected-parameters"]
            nb.cells = [cell]
            task.executed_path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(task.executed_path))
            task.html_path.parent.mkdir(parents=True, exist_ok=True)
            task.html_path.write_text(f"<p>{task.name}</p>", encoding="utf-8")
            result = NotebookResult(
                name=task.name,
                scenario=task.scenario,
                status="ok",
                started="",
                finished="",
                duration_s=0.0,
                notebook=f"notebooks/{task.notebook.name}",
                html=f"html/{task.name}.html",
            )
            on_result(result)
            results.append(result)
        return results

    monkeypatch.setattr(runner, "run_tasks", run_tasks)
    return seen


FIXTURES = PROJECT / "tests" / "fixtures" / "notebooks"


# --------------------------------------------------------------------------- 1. a report is recognised by its marker


class TestCheckReportFolder:
    def test_a_new_empty_or_earlier_report_folder_may_be_replaced(self, tmp_path: Path):
        check_report_folder(tmp_path / "new")
        (tmp_path / "empty").mkdir()
        check_report_folder(tmp_path / "empty")
        check_report_folder(earlier_report(tmp_path / "report", "notes.txt"))

    def test_a_folder_holding_a_bare_run_json_is_not_a_report(self, tmp_path: Path, capsys):
        # the reproduction: {} in run.json made the folder look like a report, and it was wiped
        out = tmp_path / "w"
        users_folder(out)
        (out / "run.json").write_text("{}\n", encoding="utf-8")
        before = snapshot(out)
        assert run_command([params_file(tmp_path)], out=out, notebooks_dir=FIXTURES) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [
            f"alignment run: --out: {out} holds photos/, notes.txt, run.json, which alignment run did not "
            "write: expected a new or empty folder, or a report alignment run wrote (which is replaced)"
        ]
        assert snapshot(out) == before

    def test_a_folder_of_plan_tables_is_refused_naming_the_command(self, tmp_path: Path):
        """``alignment plan`` wrote the folder: the workbook did, but not as a report ``run`` may replace."""
        out = tmp_path / "tables"
        assert main(["plan", str(SAMPLE_PARAMS), "--out", str(out)]) == 0
        before = snapshot(out)
        with pytest.raises(RunError, match=r"which alignment run did not write: expected a new or empty"):
            check_report_folder(out)
        assert snapshot(out) == before

    def test_a_report_with_a_file_added_or_changed_is_refused(self, tmp_path: Path):
        out = earlier_report(tmp_path / "r")
        (out / "html" / "mine.html").write_text("mine", encoding="utf-8")
        with pytest.raises(RunError, match=r"holds html/mine.html, which alignment run did not write"):
            check_report_folder(out)
        (out / "html" / "mine.html").unlink()
        (out / "index.html").write_text("edited by hand", encoding="utf-8")
        with pytest.raises(RunError, match=r"holds index.html \(changed since it was written\)"):
            check_report_folder(out)

    def test_a_report_of_an_earlier_release_is_recognised_by_its_layout(self, tmp_path: Path):
        out = tmp_path / "old"
        for name in (
            "index.html",
            "headline.json",
            "html/01_a.html",
            "notebooks/01_a.ipynb",
            "tables/rollup.csv",
        ):
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_text(name, encoding="utf-8")
        run = {"scenario": "old", "package": {"name": "alignment-workbook"}, "notebooks": [{"name": "01_a"}]}
        (out / "run.json").write_text(json.dumps(run), encoding="utf-8")
        check_report_folder(out)
        (out / "tables" / "my_pivot.csv").write_text("mine", encoding="utf-8")
        with pytest.raises(RunError, match="holds tables/my_pivot.csv"):
            check_report_folder(out)

    def test_a_file_is_refused(self, tmp_path: Path):
        (tmp_path / "f").write_text("x")
        with pytest.raises(RunError, match="is a file"):
            check_report_folder(tmp_path / "f")

    def test_a_mount_point_is_refused(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        (tmp_path / "mnt").mkdir()
        real = os.path.ismount
        monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == tmp_path / "mnt" or real(p))
        with pytest.raises(RunError, match="is a mount point"):
            check_report_folder(tmp_path / "mnt")

    def test_the_real_root_mount_point_is_refused(self):
        with pytest.raises(RunError, match="is a mount point"):
            check_report_folder(Path("/"))

    def test_a_place_that_cannot_be_written_is_refused(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        (tmp_path / "ro").mkdir()
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != tmp_path / "ro" and real(p, mode))
        with pytest.raises(RunError, match=f"{tmp_path / 'ro'} cannot be written"):
            check_report_folder(tmp_path / "ro" / "report")

    @pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permissions")
    def test_a_read_only_folder_is_refused_before_any_notebook(self, tmp_path: Path, capsys):
        params = params_file(tmp_path)
        (tmp_path / "ro").mkdir()
        (tmp_path / "ro").chmod(0o555)
        try:
            assert run_command([params], out=tmp_path / "ro" / "report", notebooks_dir=FIXTURES) == 2
        finally:
            (tmp_path / "ro").chmod(0o755)
        assert "cannot be written (read-only)" in capsys.readouterr().err

    @pytest.mark.parametrize("where", ["company", "company/reports"])
    def test_the_data_folder_or_a_folder_inside_it_is_refused(self, tmp_path: Path, capsys, where: str):
        params = params_file(tmp_path)
        before = snapshot(tmp_path / "company")
        assert run_command([params], out=tmp_path / where, notebooks_dir=FIXTURES) == 2
        assert "is the data folder" in capsys.readouterr().err
        assert snapshot(tmp_path / "company") == before

    def test_a_comparison_html_of_the_users_is_never_overwritten(self, tmp_path: Path, capsys):
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "comparison.html").write_text("<p>my own comparison</p>", encoding="utf-8")
        a, b = params_file(tmp_path, "a.yaml"), params_file(tmp_path, "b.yaml")
        before = snapshot(tmp_path / "out")
        assert run_command([a, b], out=tmp_path / "out", notebooks_dir=FIXTURES) == 2
        assert "comparison.html is not a comparison the workbook wrote" in capsys.readouterr().err
        assert snapshot(tmp_path / "out") == before
        (tmp_path / "out" / "comparison.html").write_text(
            "<html><head><title>Scenario comparison — alignment report</title>", encoding="utf-8"
        )
        check_comparison(tmp_path / "out")


# --------------------------------------------------------------------------- 2. checked again at the swap


class TestPlaceReport:
    def build(self, tmp_path: Path, out: Path, text: str = "new") -> BuildFolder:
        build = new_build_folder(out)
        (build.path / "index.html").write_text(text, encoding="utf-8")
        (build.path / "run.json").write_text(json.dumps({"scenario": out.name}), encoding="utf-8")
        return build

    def place(self, build: BuildFolder, out: Path, lines: list[str]) -> Path:
        try:
            return place_report(build, out, lambda target: seal_report(build.path), lines.append)
        finally:
            build.release()

    def test_replaces_an_earlier_report_whole_and_leaves_nothing_beside_it(self, tmp_path: Path):
        out = earlier_report(tmp_path / "report", "stale.txt")
        lines: list[str] = []
        assert self.place(self.build(tmp_path, out), out, lines) == out
        assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
        assert sorted(p.name for p in out.iterdir()) == ["index.html", "run.json"]
        assert report_strangers(out) == [] and lines == []

    def test_creates_the_report_when_none_existed(self, tmp_path: Path):
        out = tmp_path / "r"
        assert self.place(self.build(tmp_path, out), out, []) == out
        assert (out / "index.html").read_text(encoding="utf-8") == "new"

    def test_a_folder_that_gained_other_files_is_left_and_the_report_goes_beside_it(self, tmp_path: Path):
        out = earlier_report(tmp_path / "report")
        build = self.build(tmp_path, out)
        (out / "notes.txt").write_text("written while the run ran", encoding="utf-8")
        (tmp_path / "report-2").mkdir()
        (tmp_path / "report-2" / "x").write_text("x", encoding="utf-8")
        before = snapshot(out)
        lines: list[str] = []
        where = self.place(build, out, lines)
        assert where == tmp_path / "report-3"
        assert snapshot(out) == before
        assert (where / "index.html").read_text(encoding="utf-8") == "new"
        assert lines == [
            f"alignment run: {out} now holds notes.txt, which alignment run did not write: left as it is; "
            f"the report is written to {where} instead"
        ]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "report-2", "report-3"]

    def test_two_runs_into_one_folder_end_with_one_complete_report(self, tmp_path: Path):
        out = tmp_path / "report"
        first, second = self.build(tmp_path, out, "first"), self.build(tmp_path, out, "second")
        self.place(first, out, [])
        self.place(second, out, [])
        assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
        assert (out / "index.html").read_text(encoding="utf-8") == "second"
        assert report_strangers(out) == []


class TestRunAtTheSwap:
    def test_a_file_put_into_out_during_the_run_is_kept(self, tmp_path: Path, monkeypatch, capsys):
        out = earlier_report(tmp_path / "reports" / "scenario")

        def user_adds_a_file(task: Task) -> None:
            (out / "notes.txt").write_text("mine, saved during the run", encoding="utf-8")

        fake_notebooks(monkeypatch, during=user_adds_a_file)
        params = params_file(tmp_path)
        status = run_command([params], out=out, notebooks_dir=FIXTURES)
        captured = capsys.readouterr()
        assert status == 0
        assert (out / "notes.txt").read_text(encoding="utf-8") == "mine, saved during the run"
        assert (out / "index.html").read_text(encoding="utf-8") == "previous report"
        beside = tmp_path / "reports" / "scenario-2"
        assert f"left as it is; the report is written to {beside} instead" in captured.err
        assert str(beside / "index.html") in captured.out
        assert report_strangers(beside) == []
        nb = nbformat.read(beside / "notebooks" / "01_fixture_customers.ipynb", as_version=4)
        assert repr(str(beside / "tables")) in nb.cells[0].source  # the notebooks name where they are
        assert sorted(p.name for p in out.parent.iterdir()) == ["scenario", "scenario-2"]

    def test_run_json_lists_every_file_of_the_report(self, tmp_path: Path, monkeypatch):
        fake_notebooks(monkeypatch)
        out = tmp_path / "r"
        assert run_command([params_file(tmp_path)], out=out, notebooks_dir=FIXTURES) == 0
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        assert run["written_by"] == "alignment run"
        listed = sorted(run["files"])
        on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
        assert listed == [n for n in on_disk if n != "run.json"]
        assert "html/01_fixture_customers.html" in listed and "index.html" in listed
        # and a second run replaces it
        assert run_command([params_file(tmp_path)], out=out, notebooks_dir=FIXTURES) == 0
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# --------------------------------------------------------------------------- 5. what killed runs leave behind


class TestStale:
    def test_a_building_folder_whose_lock_nobody_holds_is_removed(self, tmp_path: Path):
        out = tmp_path / "report"
        (tmp_path / ".report.abc123.building" / "tables").mkdir(parents=True)
        (tmp_path / ".report.abc123.lock").write_text("", encoding="utf-8")
        (tmp_path / ".report.old_build.building").mkdir()  # an earlier release's, without a lock
        (tmp_path / ".report.notes.txt").write_text("mine", encoding="utf-8")  # not a build folder
        lines = clean_stale(out)
        assert sorted(p.name for p in tmp_path.iterdir()) == [".report.notes.txt"]
        assert len(lines) == 2

    def test_a_live_runs_building_folder_is_kept(self, tmp_path: Path):
        out = tmp_path / "report"
        live = new_build_folder(out)
        try:
            assert clean_stale(out) == []
            assert live.path.is_dir() and live.lock.is_file()
        finally:
            live.release()
        assert list(tmp_path.iterdir()) == []

    def test_a_previous_report_renamed_away_is_put_back_or_removed_but_never_a_users_folder(
        self, tmp_path: Path
    ):
        out = tmp_path / "report"
        earlier_report(tmp_path / ".report.abc.old")
        clean_stale(out)
        assert (out / "index.html").read_text(encoding="utf-8") == "previous report"
        earlier_report(tmp_path / ".report.def.old")
        clean_stale(out)
        assert not (tmp_path / ".report.def.old").exists()
        users_folder(tmp_path / ".report.ghi.old")
        before = snapshot(tmp_path / ".report.ghi.old")
        clean_stale(out)
        assert snapshot(tmp_path / ".report.ghi.old") == before

    def test_the_next_run_into_the_same_place_cleans_them(self, tmp_path: Path, monkeypatch, capsys):
        fake_notebooks(monkeypatch)
        out = tmp_path / "r"
        (tmp_path / ".r.k1ll3d.building" / "tables").mkdir(parents=True)
        (tmp_path / ".r.k1ll3d.lock").write_text("", encoding="utf-8")
        assert run_command([params_file(tmp_path)], out=out, notebooks_dir=FIXTURES) == 0
        assert "removed .r.k1ll3d.building, left by a run that was stopped" in capsys.readouterr().err
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".r")) == []


# --------------------------------------------------------------------------- 5. SIGTERM and SIGHUP


SLEEPER = """\
import sys
import alignment.report.runner as runner
from alignment.cli import main

found = runner.find_notebooks
runner.find_notebooks = lambda folder=None: found(sys.argv[1])
sys.exit(main(["run", sys.argv[2], "--out", sys.argv[3], "--jobs", sys.argv[4]]))
"""

# workers that do not stop when told to (as a worker whose kernel no longer answers would not)
DEAF_WORKERS = """\
import signal
import alignment.report.scheduling as scheduling

scheduling.install_in_worker = lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)
scheduling.STOP_GRACE_S = 2.0
"""


def sleeping_notebooks(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(1, count + 1):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        params = nbformat.v4.new_code_cell("report_dir = None")
        params.metadata["tags"] = ["parameters"]
        nb.cells = [
            params,
            nbformat.v4.new_code_cell(
                f"import pathlib, time\npathlib.Path(report_dir, 'started-{i}').write_text('x')\ntime.sleep(300)"
            ),
        ]
        nbformat.write(nb, str(folder / f"0{i}_sleep.ipynb"))
    return folder


@pytest.fixture
def short_temp() -> Iterator[Path]:
    """A temporary folder with a short name (a kernel's socket path must stay under ~100 characters)."""
    folder = Path(tempfile.mkdtemp(prefix="alk-", dir="/tmp" if Path("/tmp").is_dir() else None))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def start_sleeping_run(
    tmp_path: Path, jobs: int, temp: Path, *, deaf_workers: bool = False
) -> tuple[subprocess.Popen, Path, Path]:
    """A run of notebooks that sleep, in a child process, once every notebook has started.

    ``temp`` is the child's temporary folder: its kernels' folders go there.
    """
    params = params_file(tmp_path)
    notebooks = sleeping_notebooks(tmp_path / "nb", jobs)
    out = tmp_path / "reports" / "r"
    script = tmp_path / "sleeper.py"
    script.write_text((DEAF_WORKERS if deaf_workers else "") + SLEEPER, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(notebooks), str(params), str(out), str(jobs)],
        env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while len(list(out.parent.glob(".r.*.building/tables/started-*"))) < jobs:
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            raise AssertionError(f"the notebooks did not start: {child.communicate()}")
        time.sleep(0.5)
    return child, out, temp


def processes_naming(text: str) -> list[str]:
    """Command lines of running processes that mention ``text`` (kernels name their connection file)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmd:
            found.append(f"{proc.name}: {cmd}")
    return found


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "jobs", "status"),
    [
        ("SIGTERM", 1, 143),
        ("SIGHUP", 2, 129),
    ],
)
def test_a_signal_stops_the_run_like_ctrl_c_and_leaves_nothing_behind(
    tmp_path: Path, short_temp: Path, name, jobs, status
):
    child, out, temp = start_sleeping_run(tmp_path, jobs, short_temp)
    child.send_signal(getattr(signal, name))
    try:
        _, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == status, err
    assert f"alignment: stopped by {name}" in err and "Traceback" not in err
    assert list(out.parent.iterdir()) == []  # no build folder, no lock
    deadline = time.monotonic() + 10
    while processes_naming(str(temp)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert processes_naming(str(temp)) == []  # every kernel shut down
    assert list(temp.iterdir()) == []  # kernel sockets and connection files removed


@pytest.mark.notebook
@pytest.mark.slow
def test_workers_that_do_not_stop_are_killed_with_their_kernels_after_a_grace_time(
    tmp_path: Path, short_temp: Path
):
    child, out, temp = start_sleeping_run(tmp_path, 2, short_temp, deaf_workers=True)
    assert len(list(temp.glob("alignment-kernel-*"))) == 2  # named by the worker running each kernel
    child.send_signal(signal.SIGHUP)
    try:
        _, err = child.communicate(timeout=60)  # the notebooks sleep for 300 s
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == 129, err
    assert "alignment: stopped by SIGHUP" in err and "Traceback" not in err
    assert list(out.parent.iterdir()) == []
    assert processes_naming(str(temp)) == []  # killed, not left to stop by themselves
    assert list(temp.iterdir()) == []


@pytest.mark.notebook
@pytest.mark.slow
def test_a_killed_runs_building_folder_is_cleaned_by_the_next_run(
    tmp_path: Path, short_temp: Path, monkeypatch, capsys
):
    child, out, temp = start_sleeping_run(tmp_path, 1, short_temp)
    os.killpg(child.pid, signal.SIGKILL)  # nothing can clean up after this
    child.communicate()
    left = sorted(p.name for p in out.parent.iterdir())
    assert [n for n in left if n.endswith(".building")], left
    try:
        fake_notebooks(monkeypatch)
        assert main(["run", str(tmp_path / "scenario.yaml"), "--out", str(out)]) == 0
        assert sorted(p.name for p in out.parent.iterdir()) == ["r"]
        assert "left by a run that was stopped" in capsys.readouterr().err
    finally:  # its kernel, orphaned, stops by itself when it sees its parent gone; else it is stopped here
        deadline = time.monotonic() + 10
        while processes_naming(str(temp)) and time.monotonic() < deadline:
            time.sleep(0.5)
        for line in processes_naming(str(temp)):
            os.kill(int(line.split(":")[0]), signal.SIGKILL)
