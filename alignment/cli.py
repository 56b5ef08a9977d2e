"""The ``alignment`` command: run, plan, validate, sample.

This module parses arguments and prints; the work is done by the layers below it. Imports of the
heavy layers (pandas, papermill) happen inside the command that needs them, so ``--help`` and
``--version`` answer at once.

Exit status: 0 success (warnings allowed), 1 a notebook failed, 2 bad parameters, inputs or
arguments. Errors are one line each, without a traceback unless ``--debug`` is given. Commands
that draw nothing (``validate``, ``plan``, ``sample``) never import altair.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from alignment import __version__
from alignment.problems import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, InputError, ParamsError, RunError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors exit 2 too, one line
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="alignment", description="The marketing-sales alignment workbook.")
    parser.add_argument("--version", action="version", version=f"alignment {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="execute the workbook's notebooks and export HTML and tables")
    run.add_argument("params", nargs="+", type=Path, metavar="PARAMS.yaml", help="one or more params files")
    run.add_argument("--out", type=Path, help="report folder (one params file) or parent folder (several)")
    run.add_argument(
        "--only", help="comma-separated notebook names, e.g. 03_gap_allocation,05_monthly_review"
    )
    run.add_argument("--jobs", type=int, default=1, help="notebooks run in parallel (default 1)")
    run.add_argument("--show-code", action="store_true", help="keep code cells in the HTML exports")
    run.add_argument(
        "--format",
        choices=("csv", "parquet"),
        default="csv",
        dest="table_format",
        help="format of the tables in tables/ (default csv; parquet for very large companies)",
    )
    run.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    plan = sub.add_parser("plan", help="the planning engine alone: targets, rollup, final quotas, objectives")
    plan.add_argument("params", type=Path, metavar="PARAMS.yaml")
    plan.add_argument("--out", type=Path, required=True, help="folder for the four tables")
    plan.add_argument(
        "--format",
        choices=("csv", "parquet"),
        default="csv",
        dest="table_format",
        help="format of the tables (default csv; parquet for very large companies)",
    )
    plan.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    val = sub.add_parser("validate", help="check every input file of a data folder")
    val.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    val.add_argument("--fiscal-year", type=int, help="plan year (default: the year of the latest actuals)")
    val.add_argument("--fiscal-year-start-month", type=int, default=1)
    val.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    sample = sub.add_parser("sample", help="write a synthetic company's input files")
    sample.add_argument("--out", type=Path, required=True)
    sample.add_argument("--customers", type=int, default=400)
    sample.add_argument("--seed", type=int, default=7)
    sample.add_argument("--format", choices=("csv", "parquet"), default="csv")
    sample.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except (ParamsError, InputError) as exc:
        if args.debug:
            raise
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("alignment: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"alignment {args.command}: error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        # `plan`, `validate` and `sample` exit 0 or 2; a path that cannot be written is a bad argument too
        return EXIT_FAILED if args.command == "run" and not isinstance(exc, OSError) else EXIT_BAD_INPUT


def _validate(args: argparse.Namespace) -> int:
    from alignment.inputs import check_folder

    _, problems, warnings = check_folder(
        args.data_dir, fiscal_year=args.fiscal_year, fiscal_year_start_month=args.fiscal_year_start_month
    )
    for p in problems + warnings:
        print(p.line(), file=sys.stderr)
    print(
        f"{args.data_dir}: {len(problems)} problem{'s' * (len(problems) != 1)}, "
        f"{len(warnings)} warning{'s' * (len(warnings) != 1)}"
    )
    return EXIT_BAD_INPUT if problems else EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from alignment.engine.plan import build_plan, write_plan_tables
    from alignment.loading import load_checked

    params, inputs, warnings = load_checked(args.params)

    for w in warnings:
        print(w, file=sys.stderr)
    plan = build_plan(inputs, params)
    paths = write_plan_tables(plan, args.out, table_format=args.table_format)
    for line in plan.summary_lines():
        print(line)
    print(f"wrote {len(paths)} tables to {args.out}")
    return EXIT_OK


def _sample(args: argparse.Namespace) -> int:
    from alignment.sample import write_sample

    if args.customers < 1:
        print(
            f"alignment sample: --customers: value {args.customers}: expected a whole number >= 1",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    if args.seed < 0:
        print(f"alignment sample: --seed: value {args.seed}: expected a whole number >= 0", file=sys.stderr)
        return EXIT_BAD_INPUT
    paths = write_sample(args.out, customers=args.customers, seed=args.seed, fmt=args.format)
    print(f"wrote {len(paths)} files to {args.out}")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    return run_command(
        params_files=args.params,
        out=args.out,
        only=args.only,
        jobs=args.jobs,
        show_code=args.show_code,
        debug=args.debug,
        table_format=args.table_format,
    )


def run_command(
    params_files: list[Path],
    out: Path | None = None,
    only: str | None = None,
    jobs: int = 1,
    show_code: bool = False,
    debug: bool = False,
    notebooks_dir: str | Path | None = None,
    table_format: str = "csv",
) -> int:
    """``alignment run``: 0 every notebook ran, 1 a notebook failed, 2 bad parameters, inputs or arguments.

    ``ParamsError`` and ``InputError`` propagate to ``alignment.cli.main``, which prints their
    one-line messages and exits 2.
    """
    from alignment.report.runner import run

    try:
        outcome = run(
            params_files,
            out=out,
            only=only,
            jobs=jobs,
            show_code=show_code,
            notebooks_dir=notebooks_dir,
            table_format=table_format,
        )
    except RunError as exc:
        if debug:
            raise
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    for s in outcome.scenarios:
        failed = [r for r in s.results if r.status != "ok"]
        seconds = sum(r.duration_s for r in s.results)
        n = len(s.results)
        summary = (
            f"{s.name}: {n} notebook{'s' * (n != 1)}, {n - len(failed)} ok, "
            f"{len(failed)} failed ({seconds:.1f} s of notebooks)"
        )
        print(f"{summary}: {_display_path(s.out_dir / 'index.html')}")
        for r in failed:
            print(f"alignment run: {s.name}: {r.line()}", file=sys.stderr)
            if debug and r.error is not None and r.error.traceback:
                print(r.error.traceback, file=sys.stderr)
    if outcome.comparison is not None:
        print(f"comparison: {_display_path(outcome.comparison)}")
    return outcome.exit_status


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_COMMANDS = {"validate": _validate, "plan": _plan, "sample": _sample, "run": _run}
