"""Files the user owns are never deleted or overwritten: the ownership marker, ``plan`` and ``sample``.

The destructive tests work in temporary folders and compare every file's bytes before and after.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from alignment.cli import main
from alignment.engine.plan import PLAN_MARKER
from alignment.ownership import (
    FolderInUse,
    check_owned,
    describe,
    inside,
    read_marker,
    strangers,
    write_owned,
)
from alignment.sample import SAMPLE_MARKER, STEMS
from tests.tiny_company import write_company

MARKER = ".test-marker.json"
COMMAND = "alignment test"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes), folders as empty entries."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel + ("/" if path.is_dir() else "")] = b"" if path.is_dir() else path.read_bytes()
    return out


def text_writer(text: str):
    return lambda tmp: tmp.write_text(text, encoding="utf-8")


def users_folder(folder: Path) -> dict[str, bytes]:
    """A folder of the user's own things, as the issue found them wiped."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    (folder / "photos").mkdir()
    (folder / "photos" / "p.jpg").write_bytes(b"\xff\xd8 a photo")
    return snapshot(folder)


# --------------------------------------------------------------------------- the marker


class TestStrangers:
    def test_a_new_or_empty_folder_holds_none(self, tmp_path: Path):
        assert strangers(tmp_path / "new", None, MARKER) == []
        assert strangers(tmp_path, None, MARKER) == []

    def test_without_a_marker_everything_is_a_stranger(self, tmp_path: Path):
        users_folder(tmp_path)
        assert strangers(tmp_path, None, MARKER) == ["photos/", "notes.txt"]

    def test_only_the_listed_files_with_their_bytes_belong_to_the_command(self, tmp_path: Path):
        write_owned(tmp_path, MARKER, COMMAND, {"a.csv": text_writer("x\n1\n")})
        marker = read_marker(tmp_path / MARKER, COMMAND)
        assert marker is not None and strangers(tmp_path, marker, MARKER) == []
        (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "deep.txt").write_text("mine", encoding="utf-8")
        (tmp_path / "a.csv").write_text("x\n2\n", encoding="utf-8")  # same size, other bytes
        assert strangers(tmp_path, marker, MARKER) == [
            "sub/",
            "a.csv (changed since it was written)",
            "notes.txt",
        ]

    def test_a_link_is_never_the_commands(self, tmp_path: Path):
        write_owned(tmp_path / "f", MARKER, COMMAND, {"a.csv": text_writer("x\n")})
        (tmp_path / "elsewhere.csv").write_text("x\n", encoding="utf-8")
        (tmp_path / "f" / "a.csv").unlink()
        os.symlink(tmp_path / "elsewhere.csv", tmp_path / "f" / "a.csv")
        assert strangers(tmp_path / "f", read_marker(tmp_path / "f" / MARKER, COMMAND), MARKER) == ["a.csv"]

    def test_another_commands_marker_or_a_bare_one_is_no_marker(self, tmp_path: Path):
        (tmp_path / MARKER).write_text("{}", encoding="utf-8")
        assert read_marker(tmp_path / MARKER, COMMAND) is None
        (tmp_path / MARKER).write_text(json.dumps({"written_by": "other", "files": {}}), encoding="utf-8")
        assert read_marker(tmp_path / MARKER, COMMAND) is None
        (tmp_path / MARKER).write_text("not json", encoding="utf-8")
        assert read_marker(tmp_path / MARKER, COMMAND) is None

    def test_describe_names_three_then_counts(self):
        assert describe(["a", "b/"]) == "a, b/"
        assert describe(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"

    def test_inside(self, tmp_path: Path):
        assert inside(tmp_path, tmp_path)
        assert inside(tmp_path / "a" / "b", tmp_path)
        assert not inside(tmp_path.parent, tmp_path)
        assert not inside(tmp_path / ".." / (tmp_path.name + "-2"), tmp_path)


class TestWriteOwned:
    def test_refuses_a_folder_of_other_files_and_writes_nothing(self, tmp_path: Path):
        before = users_folder(tmp_path)
        with pytest.raises(FolderInUse, match="holds photos/, notes.txt, which alignment test did not write"):
            write_owned(tmp_path, MARKER, COMMAND, {"notes.txt": text_writer("replaced")})
        assert snapshot(tmp_path) == before

    def test_rewrites_its_own_folder_and_removes_only_its_own_files(self, tmp_path: Path):
        write_owned(tmp_path, MARKER, COMMAND, {"a.csv": text_writer("1"), "b.csv": text_writer("2")})
        write_owned(tmp_path, MARKER, COMMAND, {"a.parquet": text_writer("3")}, remove=["a.csv"])
        assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER, "a.parquet", "b.csv"]
        marker = read_marker(tmp_path / MARKER, COMMAND)
        assert sorted(marker["files"]) == ["a.parquet", "b.csv"]
        assert "writing" not in marker and "temporary" not in marker

    def test_force_writes_over_other_files(self, tmp_path: Path):
        users_folder(tmp_path)
        write_owned(tmp_path, MARKER, COMMAND, {"notes.txt": text_writer("replaced")}, force=True)
        assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "replaced"
        assert (tmp_path / "photos" / "p.jpg").is_file()

    def test_a_write_that_fails_half_way_leaves_a_folder_it_may_write_again(self, tmp_path: Path):
        write_owned(tmp_path, MARKER, COMMAND, {"a.csv": text_writer("old")})

        def fails(tmp: Path) -> None:
            tmp.write_text("half", encoding="utf-8")
            raise OSError("disk full")

        with pytest.raises(OSError, match="disk full"):
            write_owned(tmp_path, MARKER, COMMAND, {"a.csv": text_writer("new"), "b.csv": fails})
        assert (tmp_path / "a.csv").read_text(encoding="utf-8") == "old"
        assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER, "a.csv"]
        check_owned(tmp_path, MARKER, COMMAND, "--out")
        write_owned(tmp_path, MARKER, COMMAND, {"a.csv": text_writer("new")})
        assert (tmp_path / "a.csv").read_text(encoding="utf-8") == "new"

    def test_temporary_files_of_a_killed_write_are_its_own_and_cleaned(self, tmp_path: Path):
        write_owned(tmp_path, MARKER, COMMAND, {"a.csv": text_writer("old")})
        marker = read_marker(tmp_path / MARKER, COMMAND)
        # what a write killed after its first marker and its temporary file leaves behind
        (tmp_path / ".a.csv.123.abcd.tmp").write_text("ne", encoding="utf-8")
        marker["temporary"] = [".a.csv.123.abcd.tmp"]
        (tmp_path / MARKER).write_text(json.dumps(marker), encoding="utf-8")
        check_owned(tmp_path, MARKER, COMMAND, "--out")
        write_owned(tmp_path, MARKER, COMMAND, {"a.csv": text_writer("new")})
        assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER, "a.csv"]

    def test_the_markers_own_temporary_file_left_by_a_kill_is_known_and_cleaned(self, tmp_path: Path):
        write_owned(tmp_path, MARKER, COMMAND, {"a.csv": text_writer("old")})
        (tmp_path / f".{MARKER}.x1y2.tmp").write_text("{", encoding="utf-8")
        check_owned(tmp_path, MARKER, COMMAND, "--out")
        write_owned(tmp_path, MARKER, COMMAND, {"a.csv": text_writer("new")})
        assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER, "a.csv"]

    def test_a_file_replaced_after_the_marker_but_before_the_last_marker_is_known(self, tmp_path: Path):
        write_owned(tmp_path, MARKER, COMMAND, {"a.csv": text_writer("old")})
        marker = read_marker(tmp_path / MARKER, COMMAND)
        new = tmp_path / "new.tmp"
        new.write_text("new", encoding="utf-8")
        from alignment.ownership import digest

        marker["writing"] = {"a.csv": digest(new)}
        (tmp_path / MARKER).write_text(json.dumps(marker), encoding="utf-8")
        os.replace(new, tmp_path / "a.csv")  # killed here: the last marker was never written
        check_owned(tmp_path, MARKER, COMMAND, "--out")


# --------------------------------------------------------------------------- alignment plan


def plan_params(tmp_path: Path) -> tuple[Path, Path]:
    data = write_company(tmp_path / "data")
    params = tmp_path / "plan.yaml"
    params.write_text(f"data_dir: {data}\nfiscal_year: 2026\n", encoding="utf-8")
    return params, data


class TestPlanFolder:
    def test_a_users_table_of_the_same_name_is_refused_and_kept(self, tmp_path: Path, capsys):
        params, _ = plan_params(tmp_path)
        out = tmp_path / "out"
        out.mkdir()
        (out / "targets.csv").write_text("my own targets\n", encoding="utf-8")
        before = snapshot(out)
        assert main(["plan", str(params), "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith(f"alignment plan: --out: {out} holds targets.csv, which alignment plan")
        assert "Traceback" not in "\n".join(err)
        assert snapshot(out) == before

    @pytest.mark.parametrize("where", ["data", "data/plans"])
    def test_the_data_folder_or_a_folder_inside_it_is_refused(self, tmp_path: Path, capsys, where: str):
        params, data = plan_params(tmp_path)
        before = snapshot(data)
        assert main(["plan", str(params), "--out", str(tmp_path / where)]) == 2
        assert "is the data folder" in capsys.readouterr().err
        assert snapshot(data) == before

    def test_rerunning_into_its_own_folder_works_until_the_user_changes_a_table(self, tmp_path: Path, capsys):
        params, _ = plan_params(tmp_path)
        out = tmp_path / "out"
        assert main(["plan", str(params), "--out", str(out)]) == 0
        first = snapshot(out)
        assert main(["plan", str(params), "--out", str(out)]) == 0
        assert {k: v for k, v in snapshot(out).items() if k != PLAN_MARKER} == {
            k: v for k, v in first.items() if k != PLAN_MARKER
        }
        with open(out / "final_quotas.csv", "a", encoding="utf-8") as fh:
            fh.write("my note\n")
        edited = snapshot(out)
        capsys.readouterr()
        assert main(["plan", str(params), "--out", str(out)]) == 2
        assert "final_quotas.csv (changed since it was written)" in capsys.readouterr().err
        assert snapshot(out) == edited

    def test_an_empty_folder_is_fine_and_the_tables_are_listed(self, tmp_path: Path):
        params, _ = plan_params(tmp_path)
        (tmp_path / "out").mkdir()
        assert main(["plan", str(params), "--out", str(tmp_path / "out")]) == 0
        marker = read_marker(tmp_path / "out" / PLAN_MARKER, "alignment plan")
        assert sorted(marker["files"]) == [
            "final_quotas.csv",
            "monthly_objectives.csv",
            "rollup.csv",
            "targets.csv",
        ]


# --------------------------------------------------------------------------- alignment sample


class TestSampleFolder:
    def test_real_input_files_are_refused_and_kept(self, tmp_path: Path, capsys):
        data = write_company(tmp_path / "data")
        before = snapshot(data)
        assert main(["sample", "--out", str(data), "--customers", "5"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"alignment sample: --out: {data} holds ")
        assert "which alignment sample did not write" in err and "--force" in err
        assert len(err.splitlines()) == 1
        assert snapshot(data) == before

    def test_force_writes_over_them(self, tmp_path: Path):
        data = write_company(tmp_path / "data")
        before = (data / "customers.csv").read_bytes()
        assert main(["sample", "--out", str(data), "--customers", "5", "--force"]) == 0
        assert (data / "customers.csv").read_bytes() != before

    def test_sample_writes_again_into_its_own_folder_and_switches_format(self, tmp_path: Path):
        out = tmp_path / "fake"
        assert main(["sample", "--out", str(out), "--customers", "5"]) == 0
        assert main(["sample", "--out", str(out), "--customers", "6", "--seed", "3"]) == 0
        assert main(["sample", "--out", str(out), "--customers", "6", "--format", "parquet"]) == 0
        assert sorted(p.name for p in out.iterdir()) == sorted(
            [SAMPLE_MARKER, *(f"{stem}.parquet" for stem in STEMS)]
        )

    def test_a_file_the_user_added_to_a_sample_folder_is_refused(self, tmp_path: Path):
        out = tmp_path / "fake"
        assert main(["sample", "--out", str(out), "--customers", "5"]) == 0
        (out / "customers.xlsx").write_bytes(b"my spreadsheet")
        before = snapshot(out)
        assert main(["sample", "--out", str(out), "--customers", "5"]) == 2
        assert snapshot(out) == before
