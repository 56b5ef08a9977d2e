"""``alignment run``: batch runs, failures, headline.json, run.json, atomic reports, several scenarios.

The notebook runs are shared (``browser_support``): the fixture notebooks run once on a tiny company
(one of them fails in a known cell), two scenarios run once for the comparison, and the real
notebooks run once on the sample (slow).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from browser_support import (
    FIXTURE_NOTEBOOKS,
    XSS_NAME,
    comparison_report,
    fixture_report,
    folder_snapshot,
    run_report,
    sample_ready,
    sample_report,
    shared_base,
    snapshot_changes,
    write_fixture_company,
)

from alignment.cli import main
from alignment.money import to_cents
from alignment.outputs import write_headline_part
from alignment.problems import RunError
from alignment.report.assembly import load_scenarios, merge_headline, read_records
from alignment.report.execution import CellError, crashed_cell
from alignment.report.folders import seal_report, share_permissions
from alignment.report.notebooks import find_notebooks, select_notebooks
from alignment.vocabulary import HEADLINE_KEYS

FIXTURE_PAGES = ["01_fixture_customers", "02_fixture_charts", "03_fixture_fails"]
FAILURE_LINE = "03_fixture_fails failed in cell 5: ValueError: the fixture allocation does not add up"


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory: pytest.TempPathFactory):
    return fixture_report(shared_base(tmp_path_factory))


@pytest.fixture(scope="module")
def comparison_run(tmp_path_factory: pytest.TempPathFactory):
    return comparison_report(shared_base(tmp_path_factory))


def _params(tmp_path: Path, text: str = "data_dir: company\n", name: str = "scenario.yaml") -> Path:
    write_fixture_company(tmp_path / "company")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- notebooks and names


class TestSelectNotebooks:
    def test_finds_numbered_notebooks_in_name_order(self):
        assert [p.stem for p in find_notebooks(FIXTURE_NOTEBOOKS)] == [
            "01_fixture_customers",
            "02_fixture_charts",
            "03_fixture_fails",
        ]

    def test_only_keeps_name_order_and_accepts_spaces_and_extension(self):
        books = find_notebooks(FIXTURE_NOTEBOOKS)
        chosen = select_notebooks(books, "03_fixture_fails, 01_fixture_customers.ipynb")
        assert [p.stem for p in chosen] == ["01_fixture_customers", "03_fixture_fails"]

    def test_none_selects_all(self):
        books = find_notebooks(FIXTURE_NOTEBOOKS)
        assert select_notebooks(books, None) == books

    def test_unknown_name_lists_the_known_ones(self):
        with pytest.raises(RunError) as exc:
            select_notebooks(find_notebooks(FIXTURE_NOTEBOOKS), "01_fixture_customers,09_nope")
        assert str(exc.value) == (
            "alignment run: --only: unknown notebook '09_nope': expected one of "
            "01_fixture_customers, 02_fixture_charts, 03_fixture_fails"
        )


class TestCellError:
    def test_text_names_the_cell_and_the_last_line(self):
        err = CellError(cell=7, cell_index=9, cell_id=None, ename="ValueError", evalue="first\nsecond line\n")
        assert err.text == "in cell 7: ValueError: second line"

    def test_export_and_start_failures_say_where(self):
        assert (
            CellError(None, None, None, "OSError", "x", stage="export").text
            == "in the HTML export: OSError: x"
        )
        assert (
            CellError(None, None, None, "DeadKernelError", "died", stage="start").text
            == "before any cell ran: DeadKernelError: died"
        )


class TestCrashedCell:
    @staticmethod
    def _nb(*cells: tuple[int | None, str]) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell("# t")]
        for count, status in cells:
            cell = nbformat.v4.new_code_cell("x", execution_count=count)
            cell.metadata["papermill"] = {"status": status, "exception": status == "failed"}
            nb.cells.append(cell)
        return nb

    def test_a_cell_marked_failed_or_running(self):
        assert crashed_cell(self._nb((1, "completed"), (2, "failed"), (None, "pending"))) == (2, 2)
        assert crashed_cell(self._nb((1, "completed"), (2, "running"))) == (2, 2)

    def test_a_dead_kernel_is_placed_at_the_last_cell_that_ran(self):
        # papermill marks the cell that killed the kernel as completed
        assert crashed_cell(self._nb((1, "completed"), (4, "completed"), (None, "completed"))) == (2, 4)

    def test_nothing_ran(self):
        assert crashed_cell(self._nb((None, "pending"))) is None


# --------------------------------------------------------------------------- pieces of the report


def test_share_permissions_opens_private_temporary_files(tmp_path: Path):
    import os
    import stat

    folder = tmp_path / "report"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "page.html").write_text("x")
    os.chmod(folder / "html" / "page.html", 0o600)
    os.chmod(folder / "html", 0o700)
    mask = os.umask(0o022)
    try:
        share_permissions(folder)
    finally:
        os.umask(mask)
    assert stat.S_IMODE((folder / "html" / "page.html").stat().st_mode) == 0o644
    assert stat.S_IMODE((folder / "html").stat().st_mode) == 0o755


class TestMergeHeadline:
    def test_every_contract_key_is_present_null_where_not_computed(self, tmp_path: Path):
        write_headline_part(tmp_path, "01_target_setting", {"top_down_target": 1234.5})
        write_headline_part(
            tmp_path, "04_report_card", {"report_card_score": {"marketing": 2.5, "sales": 3.0}}
        )
        merged = merge_headline(tmp_path)
        assert list(merged)[: len(HEADLINE_KEYS)] == list(HEADLINE_KEYS)
        assert merged["top_down_target"] == 1234.5
        assert merged["report_card_score"] == {"marketing": 2.5, "sales": 3.0}
        assert merged["gap"] is None and merged["forecast"] is None

    def test_no_parts_gives_all_nulls(self, tmp_path: Path):
        assert merge_headline(tmp_path) == dict.fromkeys(HEADLINE_KEYS)

    def test_records_stay_out_of_the_headline(self, tmp_path: Path):
        totals = {
            "SMB": {"allocated_from_gap": 0.1, "change_from_committed": 0.3, "final_quota": 300.3},
            "Total": {"allocated_from_gap": 0.1, "change_from_committed": 0.3, "final_quota": 300.3},
        }
        write_headline_part(tmp_path, "03_gap_allocation", {"gap": 0.3, "group_totals": totals})
        assert "group_totals" not in merge_headline(tmp_path)
        assert read_records(tmp_path)["group_totals"] == totals
        assert read_records(tmp_path)["review_summary"] is None  # its notebook did not record it


class TestLoadScenarios:
    def test_default_out_is_reports_stem_for_one_and_reports_for_several(self, tmp_path: Path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        a = _params(tmp_path, name="a.yaml")
        b = _params(tmp_path, name="b.yaml")
        assert [s.out_dir for s in load_scenarios([a], None)] == [tmp_path / "reports" / "a"]
        assert [s.out_dir for s in load_scenarios([a, b], None)] == [
            tmp_path / "reports" / "a",
            tmp_path / "reports" / "b",
        ]
        assert [s.out_dir for s in load_scenarios([a, b], Path("x"))] == [
            tmp_path / "x" / "a",
            tmp_path / "x" / "b",
        ]

    def test_same_stem_twice_is_refused(self, tmp_path: Path):
        a = _params(tmp_path, name="a.yaml")
        (tmp_path / "other").mkdir()
        b = _params(tmp_path / "other", name="a.yaml")
        with pytest.raises(RunError, match="same name a"):
            load_scenarios([a, b], None)


# --------------------------------------------------------------------------- exit 2: nothing runs


class TestBadInputStopsBeforeAnyNotebook:
    def test_every_params_file_is_checked_and_reported(self, tmp_path: Path, capsys):
        good = _params(tmp_path, name="good.yaml")
        bad1 = _params(tmp_path, "data_dir: company\ntarget: {growht: 0.1}\n", name="bad1.yaml")
        bad2 = _params(tmp_path, "data_dir: nowhere\n", name="bad2.yaml")
        status = main(["run", str(good), str(bad1), str(bad2), "--out", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert status == 2
        assert "bad1.yaml: target.growht: unknown key — did you mean target.growth?" in err
        assert "nowhere" in err
        assert "Traceback" not in err
        assert not (tmp_path / "out").exists()

    def test_unknown_only_name_is_exit_2(self, tmp_path: Path, capsys):
        params = _params(tmp_path)
        status = main(["run", str(params), "--only", "99_missing", "--out", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert status == 2
        assert "--only: unknown notebook '99_missing': expected one of" in err
        assert not (tmp_path / "out").exists()

    def test_jobs_below_one_is_exit_2(self, tmp_path: Path, capsys):
        params = _params(tmp_path)
        assert main(["run", str(params), "--jobs", "0", "--out", str(tmp_path / "out")]) == 2
        assert "--jobs: value 0: expected a whole number >= 1" in capsys.readouterr().err


class TestCrashLeavesPreviousReport:
    def test_a_run_that_dies_leaves_the_old_report_and_no_build_folder(self, tmp_path: Path, monkeypatch):
        import alignment.report.runner as runner

        params = _params(tmp_path)
        out = tmp_path / "reports" / "scenario"
        out.mkdir(parents=True)
        (out / "index.html").write_text("previous report", encoding="utf-8")
        (out / "run.json").write_text('{"scenario": "scenario"}', encoding="utf-8")
        seal_report(out)  # an earlier report the workbook wrote

        def boom(*args, **kwargs):
            raise RuntimeError("the machine went down")

        monkeypatch.setattr(runner, "run_tasks", boom)
        with pytest.raises(RuntimeError):
            runner.run([params], out=out, notebooks_dir=FIXTURE_NOTEBOOKS, progress=False)
        assert (out / "index.html").read_text(encoding="utf-8") == "previous report"
        assert sorted(p.name for p in out.parent.iterdir()) == ["scenario"]


# --------------------------------------------------------------------------- the shared fixture run


@pytest.mark.notebook
class TestFixtureRun:
    def test_a_failing_notebook_gives_exit_1_and_the_others_finish(self, fixture_run):
        assert fixture_run.exit_status == 1
        for name in FIXTURE_PAGES:
            assert (fixture_run.out / "html" / f"{name}.html").is_file()
            assert (fixture_run.out / "notebooks" / f"{name}.ipynb").is_file()

    def test_the_terminal_says_which_notebook_failed_where_and_why(self, fixture_run):
        assert f"alignment run: fixture: {FAILURE_LINE}" in fixture_run.stderr
        assert "Traceback" not in fixture_run.stderr
        assert "fixture: 3 notebooks, 2 ok, 1 failed" in fixture_run.stdout
        assert "notebook" in fixture_run.stderr  # the progress bar

    def test_index_names_the_failure(self, fixture_run):
        index = (fixture_run.out / "index.html").read_text(encoding="utf-8")
        assert (
            '<a href="html/03_fixture_fails.html">03_fixture_fails</a> failed in cell 5: '
            "ValueError: the fixture allocation does not add up" in index
        )
        for name in FIXTURE_PAGES:
            assert f'href="html/{name}.html"' in index

    def test_the_failed_page_is_exported_with_the_error(self, fixture_run):
        page = (fixture_run.out / "html" / "03_fixture_fails.html").read_text(encoding="utf-8")
        assert (
            "This notebook failed</strong> in cell 5: ValueError: the fixture allocation does not add up"
            in page
        )
        assert "Committed against potential" in page  # the chart drawn before the failure

    def test_the_previous_report_was_replaced_whole(self, fixture_run):
        assert not (fixture_run.out / "stale.txt").exists()
        leftovers = [p.name for p in fixture_run.out.parent.iterdir() if p.name.startswith(".")]
        assert leftovers == []

    def test_tables_land_in_tables_and_headline_parts_are_removed(self, fixture_run):
        tables = fixture_run.out / "tables"
        assert (tables / "final_quotas.csv").is_file()
        assert not (tables / ".headline").exists()

    def test_headline_json_has_every_contract_key(self, fixture_run):
        headline = json.loads((fixture_run.out / "headline.json").read_text(encoding="utf-8"))
        assert set(HEADLINE_KEYS) <= set(headline)
        # committed 12000 + 5000 + 1000; potential 31000; actuals 1000 + 500.50 - 20 + 1100
        assert headline["bottom_up_quota"] == 18000.0
        assert headline["final_quota_total"] == 31000.0
        assert headline["top_down_target"] == 34100.00
        assert headline["ytd_actual"] == 2580.5
        assert headline["gap"] is None and headline["report_card_score"] is None

    def test_run_json_records_parameters_hashes_version_and_timings(self, fixture_run):
        from alignment import __version__

        run = json.loads((fixture_run.out / "run.json").read_text(encoding="utf-8"))
        assert run["status"] == "failed"
        assert run["package"] == {"name": "alignment-workbook", "version": __version__}
        assert run["parameters"]["data_dir"] == str((fixture_run.params[0].parent / "company").resolve())
        assert run["parameters"]["target"]["growth"] == 0.10
        for stem, entry in run["inputs"].items():
            data = Path(entry["file"]).read_bytes()
            assert entry["sha256"] == hashlib.sha256(data).hexdigest(), stem
        assert set(run["inputs"]) >= {
            "customers",
            "products",
            "people",
            "channel_strategy",
            "actuals",
            "sales_input",
        }
        assert run["started"] <= run["finished"]
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", run["started"])
        by_name = {n["name"]: n for n in run["notebooks"]}
        assert [n["name"] for n in run["notebooks"]] == FIXTURE_PAGES
        assert by_name["01_fixture_customers"]["status"] == "ok"
        assert by_name["01_fixture_customers"]["duration_s"] > 0
        assert by_name["01_fixture_customers"]["error"] is None
        assert by_name["03_fixture_fails"]["status"] == "failed"
        assert by_name["03_fixture_fails"]["error"]["cell"] == 5
        assert (
            by_name["03_fixture_fails"]["error"]["message"]
            == "ValueError: the fixture allocation does not add up"
        )
        assert run["options"] == {
            "only": None,
            "jobs": 2,
            "show_code": False,
            "table_format": "csv",
            "pack": False,
        }

    def test_run_json_lists_every_file_the_run_wrote(self, fixture_run):
        from alignment.ownership import digest
        from alignment.report.folders import report_strangers

        run = json.loads((fixture_run.out / "run.json").read_text(encoding="utf-8"))
        assert run["written_by"] == "alignment run"
        on_disk = {
            p.relative_to(fixture_run.out).as_posix(): digest(p)
            for p in fixture_run.out.rglob("*")
            if p.is_file() and p.name != "run.json"
        }
        assert run["files"] == on_disk
        assert sorted(run["folders"]) == ["html", "notebooks", "tables"]
        assert report_strangers(fixture_run.out) == []

    def test_executed_notebooks_name_the_final_tables_folder(self, fixture_run):
        nb = nbformat.read(fixture_run.out / "notebooks" / "01_fixture_customers.ipynb", as_version=4)
        injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert str(fixture_run.out / "tables") in injected.source
        assert ".building" not in nbformat.writes(nb)

    def test_charts_compile_with_vega_lite_5_as_jupyterlab_has_and_with_vega_lite_6(self, fixture_run):
        import vl_convert

        specs = []
        for name in FIXTURE_PAGES:
            nb = nbformat.read(fixture_run.out / "notebooks" / f"{name}.ipynb", as_version=4)
            specs += [
                o["data"]["application/vnd.vegalite.v5+json"]
                for c in nb.cells
                if c.cell_type == "code"
                for o in c.outputs
                if "application/vnd.vegalite.v5+json" in o.get("data", {})
            ]
        assert len(specs) == 5
        for spec in specs:
            assert vl_convert.vegalite_to_vega(spec, vl_version="5.8")  # JupyterLab 4 ships 5.6
            assert vl_convert.vegalite_to_vega(spec, vl_version="6.4")

    def test_data_values_show_as_text(self, fixture_run):
        page = (fixture_run.out / "html" / "01_fixture_customers.html").read_text(encoding="utf-8")
        assert XSS_NAME not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --------------------------------------------------------------------------- several scenarios


@pytest.mark.notebook
class TestSeveralScenarios:
    def test_one_report_per_scenario_and_a_comparison(self, comparison_run):
        assert comparison_run.exit_status == 0
        parent = comparison_run.out
        assert sorted(p.name for p in parent.iterdir()) == ["comparison.html", "high", "low"]
        for name in ("low", "high"):
            assert (parent / name / "html" / "01_fixture_customers.html").is_file()
            assert not (parent / name / "html" / "02_fixture_charts.html").exists()
            run = json.loads((parent / name / "run.json").read_text(encoding="utf-8"))
            assert run["options"]["only"] == ["01_fixture_customers"]

    def test_comparison_shows_headlines_and_groups_side_by_side(self, comparison_run):
        page = (comparison_run.out / "comparison.html").read_text(encoding="utf-8")
        assert '<a href="low/index.html">low</a>' in page and '<a href="high/index.html">high</a>' in page
        # potential 31000 x 1.05 and x 1.30, in thousands with the currency (the first scenario's display)
        assert "€32.5K" in page and "€40.3K" in page and "32,550.00" not in page
        for group in ("Enterprise", "SMB", "Total"):
            assert f"<td>{group}</td>" in page
        # allocated: (20000-12000) + (8000-5000) + (3000-1000), in thousands
        assert "13.0" in page and "13,000.00" not in page
        assert "Money in € thousands, as the display settings give it." in page

    def test_each_index_links_the_comparison(self, comparison_run):
        index = (comparison_run.out / "low" / "index.html").read_text(encoding="utf-8")
        assert 'href="../comparison.html"' in index


def growth_gate_notebooks(folder: Path) -> Path:
    """The fixture customers' page, failing in its last cell when target.growth is above 20%."""
    nb = nbformat.read(FIXTURE_NOTEBOOKS / "01_fixture_customers.ipynb", as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            'if target["growth"] > 0.20:\n    raise ValueError("growth above 20% is not planned here")'
        )
    )
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "01_fixture_gate.ipynb")
    return folder


@pytest.mark.notebook
class TestOneScenarioFails:
    @pytest.fixture(scope="class")
    @classmethod
    def mixed_run(cls, tmp_path_factory: pytest.TempPathFactory):
        folder = tmp_path_factory.mktemp("mixed")
        write_fixture_company(folder / "company")
        low, high = folder / "low.yaml", folder / "high.yaml"
        low.write_text("data_dir: company\ntarget: {growth: 0.05}\n", encoding="utf-8")
        high.write_text("data_dir: company\ntarget: {growth: 0.30}\n", encoding="utf-8")
        return run_report(
            [low, high], folder / "reports", jobs=2, notebooks_dir=growth_gate_notebooks(folder / "notebooks")
        )

    def test_the_run_exits_1_and_keeps_both_reports(self, mixed_run):
        assert mixed_run.exit_status == 1, mixed_run.stderr[-2000:]
        parent = mixed_run.out
        assert sorted(p.name for p in parent.iterdir()) == ["comparison.html", "high", "low"]
        status = {
            name: json.loads((parent / name / "run.json").read_text(encoding="utf-8"))["status"]
            for name in ("low", "high")
        }
        assert status == {"low": "ok", "high": "failed"}
        assert (parent / "low" / "html" / "01_fixture_gate.html").is_file()
        assert "growth above 20% is not planned here" in mixed_run.stderr

    def test_the_data_folder_is_left_byte_identical(self, mixed_run):
        assert mixed_run.data_changes == ()


class TestDataFolderUntouched:
    """``run`` never writes to the data folder: every file keeps its bytes and its modification time,
    and none is added (CONTRACT 3)."""

    def test_by_the_fixture_run(self, fixture_run, tmp_path: Path):
        assert fixture_run.data_changes == ()
        company = Path(fixture_run.params[0]).parent / "company"
        fresh = write_fixture_company(tmp_path / "company")
        assert {p.name: p.read_bytes() for p in company.iterdir()} == {
            p.name: p.read_bytes() for p in fresh.iterdir()
        }

    @pytest.mark.notebook
    def test_by_several_scenarios(self, comparison_run):
        assert comparison_run.data_changes == ()

    def test_a_change_would_be_seen(self, tmp_path: Path):
        write_fixture_company(tmp_path)
        before = folder_snapshot(tmp_path)
        products = (tmp_path / "products.csv").stat()
        os.utime(tmp_path / "products.csv", ns=(products.st_atime_ns, products.st_mtime_ns + 10**9))
        with open(tmp_path / "customers.csv", "a", encoding="utf-8") as fh:
            fh.write("C004,New,SMB,North,S01\n")
        (tmp_path / "cache.parquet").write_bytes(b"x")
        changes = snapshot_changes(before, folder_snapshot(tmp_path))
        assert changes == ("cache.parquet", "customers.csv", "products.csv")


# --------------------------------------------------------------------------- the real notebooks


@pytest.mark.slow
@pytest.mark.notebook
def test_the_workbook_runs_on_the_sample(tmp_path_factory: pytest.TempPathFactory):
    reason = sample_ready()
    if reason:
        pytest.skip(reason)
    result = sample_report(shared_base(tmp_path_factory))
    assert result.exit_status == 0, result.stderr[-3000:]
    assert result.data_changes == ()  # the shipped data folder is left byte-identical
    books = find_notebooks()
    for nb in books:
        assert (result.out / "html" / f"{nb.stem}.html").is_file()
    headline = json.loads((result.out / "headline.json").read_text(encoding="utf-8"))
    assert set(HEADLINE_KEYS) <= set(headline)
    run = json.loads((result.out / "run.json").read_text(encoding="utf-8"))
    assert [n["status"] for n in run["notebooks"]] == ["ok"] * len(books)
    import vl_convert

    for nb_path in sorted((result.out / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for spec in [
            o["data"]["application/vnd.vegalite.v5+json"]
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.outputs
            if "application/vnd.vegalite.v5+json" in o.get("data", {})
        ]:
            assert vl_convert.vegalite_to_vega(spec, vl_version="5.8"), (
                nb_path.name
            )  # as JupyterLab 4 draws it


def _figure_cells(html: str) -> list[tuple[str, str]]:
    """(label, value) of every table row whose first cell is a registered figure's label."""
    import html as html_lib

    from alignment.vocabulary import FIGURES

    labels = {f.label for f in FIGURES}
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [
            html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        if len(cells) >= 2 and cells[0] in labels:
            out.append((cells[0], cells[1]))
    return out


@pytest.mark.slow
@pytest.mark.notebook
def test_the_sample_report_states_its_conclusion_first_with_one_value_per_label(tmp_path_factory):
    reason = sample_ready()
    if reason:
        pytest.skip(reason)
    result = sample_report(shared_base(tmp_path_factory))
    assert result.exit_status == 0, result.stderr[-3000:]
    index = (result.out / "index.html").read_text(encoding="utf-8")
    # the executive summary comes before the figures and the run's details
    assert index.index('id="summary"') < index.index("Headline figures") < index.index("Run details")
    assert "Summary: figures to the end of 2026-10" in index
    assert "The full-year forecast of 65.07M misses T&#39; (66.50M" in index
    assert "must bring 16.71M: 107% of their objective" in index
    assert index.count('href="html/05_monthly_review.html#T_flagged_row') == 3
    headline = json.loads((result.out / "headline.json").read_text(encoding="utf-8"))
    assert to_cents(headline["forecast_gap"]) == 6_506_851_602 - 6_649_920_854
    assert round(headline["required_run_rate"], 3) == 1.070
    assert headline["target_growth"] > 0
    # every risk links to a row that exists on page 05
    page05 = (result.out / "html" / "05_monthly_review.html").read_text(encoding="utf-8")
    for anchor in re.findall(r"05_monthly_review\.html#(T_flagged_row\d+_col0)", index):
        assert f'id="{anchor}"' in page05
    # no page shows an absolute path of the machine it ran on
    from alignment.paths import PROJECT_DIR

    for page in [result.out / "index.html", *sorted((result.out / "html").glob("*.html"))]:
        text = page.read_text(encoding="utf-8")
        assert str(PROJECT_DIR) not in text and str(result.out) not in text, page.name
    # one label, one value: a figure named on several pages has the same value on each
    seen: dict[str, set[str]] = {}
    for page in [result.out / "index.html", *sorted((result.out / "html").glob("*.html"))]:
        for label, value in _figure_cells(page.read_text(encoding="utf-8")):
            seen.setdefault(label, set()).add(value)
    assert len(seen) >= 8
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}
