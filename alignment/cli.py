"""The ``alignment`` command: run, plan, validate, sample, template, collect, diff.

This module parses arguments and prints; the work is done by the layers below it. Imports of the
heavy layers (pandas, papermill) happen inside the command that needs them, so ``--help`` and
``--version`` answer at once.

Exit status: 0 success (warnings allowed), 1 a notebook failed, 2 bad parameters, inputs or
arguments. Errors are one line each, without a traceback unless ``--debug`` is given. Commands
that draw nothing (``validate``, ``plan``, ``sample``, ``sources``, ``template``, ``collect``, ``diff``)
never import altair.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from alignment import __version__
from alignment.problems import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, InputError, ParamsError, RunError

if TYPE_CHECKING:  # the engine is imported by the commands that plan, not at start-up
    from alignment.engine.plan import Plan


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
        "--compare-to",
        type=Path,
        metavar="PREVIOUS_REPORT",
        help="an earlier report: the new one gets changes.html, what changed since",
    )
    run.add_argument(
        "--format",
        choices=("csv", "parquet"),
        default="csv",
        dest="table_format",
        help="format of the tables in tables/ (default csv; parquet for very large companies)",
    )
    run.add_argument(
        "--pack",
        action="store_true",
        help="also write the board pack: pack.html and pack.pdf (printed by headless Chromium)",
    )
    run.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    plan = sub.add_parser("plan", help="the planning engine alone: targets, rollup, final quotas, objectives")
    plan.add_argument("params", type=Path, metavar="PARAMS.yaml")
    plan.add_argument("--out", type=Path, required=True, help="folder for the four tables")
    plan.add_argument(
        "--replan",
        action="store_true",
        help="also re-plan the months after review.month: replan_quotas.csv, replan_objectives.csv",
    )
    plan.add_argument(
        "--format",
        choices=("csv", "parquet"),
        default="csv",
        dest="table_format",
        help="format of the tables (default csv; parquet for very large companies)",
    )
    plan.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    val = sub.add_parser(
        "validate", help="check every input file of a data folder, or the inputs a params file maps"
    )
    val.add_argument(
        "data_dir",
        type=Path,
        metavar="DATA_DIR|PARAMS.yaml",
        help="a data folder, or a params file (its data folder and sources)",
    )
    val.add_argument("--fiscal-year", type=int, help="plan year (default: the year of the latest actuals)")
    val.add_argument(
        "--fiscal-year-start-month", type=_month_number, default=1, help="1 = calendar year (default)"
    )
    val.add_argument(
        "--all", action="store_true", help="list every problem, not the first 20 of each file and column"
    )
    val.add_argument(
        "--problems-out",
        type=Path,
        metavar="FILE.csv",
        help="also write every problem and warning as a table (a new file, or one it wrote before)",
    )
    val.add_argument(
        "--encoding",
        action="append",
        default=[],
        metavar="STEM=ENCODING",
        help="read a CSV input that is not UTF-8, e.g. --encoding actuals=cp1252 (repeatable)",
    )
    val.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    src = sub.add_parser("sources", help="write the contract input files that a params file's sources map to")
    src.add_argument("params", type=Path, metavar="PARAMS.yaml")
    src.add_argument("--out", type=Path, required=True, help="folder for the contract files (CSV)")
    src.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    sample = sub.add_parser("sample", help="write a synthetic company's input files")
    sample.add_argument("--out", type=Path, required=True)
    sample.add_argument("--customers", type=int, default=400)
    sample.add_argument("--seed", type=int, default=7)
    sample.add_argument("--format", choices=("csv", "parquet"), default="csv")
    sample.add_argument(
        "--force",
        action="store_true",
        help="write even into a folder holding files that sample did not write",
    )
    sample.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    _add_round_trip_commands(sub)
    return parser


# --------------------------------------------------------------------------- the planning round trip


def _add_round_trip_commands(sub) -> None:
    """``template``, ``collect`` and ``diff``: sheets out to sales and back, and what changed."""
    debug = {"action": "store_true", "default": argparse.SUPPRESS, "help": "show tracebacks"}
    template = sub.add_parser("template", help="write sheets for sales to fill in")
    kinds = template.add_subparsers(dest="kind", required=True, parser_class=_Parser)
    si = kinds.add_parser("sales-input", help="one sales-input workbook per account owner")
    si.add_argument("params", type=Path, metavar="PARAMS.yaml")
    si.add_argument("--out", type=Path, required=True, help="a new or empty folder for the workbooks")
    si.add_argument(
        "--last-quotas",
        type=Path,
        help="last year's final quotas (a final_quotas.csv); default: the data folder's prior_quotas file",
    )
    si.add_argument("--debug", **debug)
    ra = kinds.add_parser(
        "review-actions", help="the monthly review's meeting sheet: flagged rows, open actions"
    )
    ra.add_argument("params", type=Path, metavar="PARAMS.yaml")
    ra.add_argument("--out", type=Path, required=True, help="the workbook to write (FILE.xlsx, new)")
    ra.add_argument("--debug", **debug)

    collect = sub.add_parser("collect", help="read filled sheets back into input files")
    kinds = collect.add_subparsers(dest="kind", required=True, parser_class=_Parser)
    si = kinds.add_parser("sales-input", help="the owners' filled workbooks -> one sales_input file")
    si.add_argument("folder", type=Path, metavar="DIR")
    si.add_argument("--out", type=Path, required=True, help="the sales_input file to write (.csv, new)")
    si.add_argument("--debug", **debug)
    ov = kinds.add_parser("overrides", help="new_quota cells of quota books -> rows of the overrides ledger")
    ov.add_argument("book", type=Path, metavar="BOOK_OR_DIR")
    ov.add_argument("--into", type=Path, required=True, help="the overrides file (kept, history added)")
    ov.add_argument("--on", help="the day of the change, YYYY-MM-DD (default: today)")
    ov.add_argument("--expires", help="the last month the new locks apply, YYYY-MM (default: no end)")
    ov.add_argument("--debug", **debug)
    ra = kinds.add_parser(
        "review-actions", help="a filled meeting sheet -> rows of the review_actions ledger"
    )
    ra.add_argument("book", type=Path, metavar="FILE.xlsx")
    ra.add_argument("--into", type=Path, required=True, help="the review_actions file (kept, history added)")
    ra.add_argument("--on", help="the day of the meeting's record, YYYY-MM-DD (default: today)")
    ra.add_argument("--debug", **debug)

    diff = sub.add_parser("diff", help="what changed between two reports, without re-running either")
    diff.add_argument("report_a", type=Path, metavar="REPORT_A")
    diff.add_argument("report_b", type=Path, metavar="REPORT_B")
    diff.add_argument("--out", type=Path, required=True, help="the page to write (FILE.html, new)")
    diff.add_argument("--debug", **debug)


def _print_problems(problems, warnings, limit: int = 200) -> None:
    for p in [*problems, *warnings][:limit]:
        print(p.line(), file=sys.stderr)
    rest = len(problems) + len(warnings) - limit
    if rest > 0:
        print(f"... and {rest} more", file=sys.stderr)


def _collect_outcome(problems, warnings, target: Path, done: str | None) -> int:
    """The closing lines every collect command prints: its problems and warnings, then either that nothing
    was written (exit 2, when ``done`` is None) or ``done``, what it read and wrote (exit 0)."""
    _print_problems(problems, warnings)
    if done is None:
        print(f"{len(problems)} problems: nothing written to {target}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(done)
    return EXIT_OK


def _recorded(r, into: Path) -> str:
    """What a collect command added to a ledger (:class:`alignment.ledger.Recorded`)."""
    return (
        f"{r.added} added to {into}, {r.superseded} earlier rows superseded, {r.unchanged} already recorded"
    )


def _collect(args: argparse.Namespace) -> int:
    from alignment.written import Refused

    try:
        if args.kind == "review-actions":
            return _collect_review_actions(args)
        return _collect_overrides(args) if args.kind == "overrides" else _collect_sales_input(args)
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT


def _collect_overrides(args: argparse.Namespace) -> int:
    import re

    from alignment.presentation.quota_edits import collect_overrides

    on = _day("overrides", args.on)
    if on is None:
        return EXIT_BAD_INPUT
    if args.expires and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.expires):
        print(
            f"alignment collect overrides: --expires: value {args.expires!r}: expected a month YYYY-MM",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    done = collect_overrides(args.book, args.into, on=on, expires=args.expires)
    summary = None
    if done.recorded is not None:
        summary = f"{len(done.entries)} new quotas in {len(done.books)} books: {_recorded(done.recorded, args.into)}"
    return _collect_outcome(done.problems, done.warnings, args.into, summary)


def _day(command: str, on: str | None) -> str | None:
    """``--on`` as a day ``YYYY-MM-DD`` (default today); None (after one line on stderr) when it is not one."""
    import datetime as dt
    import re

    on = on or dt.date.today().isoformat()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", on):
        print(f"alignment collect {command}: --on: value {on!r}: expected a date YYYY-MM-DD", file=sys.stderr)
        return None
    return on


def _collect_review_actions(args: argparse.Namespace) -> int:
    from alignment.presentation.review_sheet import collect_review_sheet

    on = _day("review-actions", args.on)
    if on is None:
        return EXIT_BAD_INPUT
    done = collect_review_sheet(args.book, args.into, on=on)
    summary = None
    if done.recorded is not None:
        summary = f"{len(done.entries)} actions on the sheet: {_recorded(done.recorded, args.into)}"
    return _collect_outcome(done.problems, done.warnings, args.into, summary)


def _collect_sales_input(args: argparse.Namespace) -> int:
    from alignment.presentation.sales_sheets import collect_sales_input

    done = collect_sales_input(args.folder, args.out)
    summary = None
    if done.written is not None:
        summary = (
            f"{len(done.sales_input)} rows from {len(done.books)} workbooks ({done.left_empty} rows left empty) "
            f"written to {args.out}"
        )
    return _collect_outcome(done.problems, done.warnings, args.out, summary)


def _template(args: argparse.Namespace) -> int:
    from alignment.loading import load_checked
    from alignment.presentation.sales_sheets import write_sales_input_templates
    from alignment.written import Refused

    params, inputs, warnings = load_checked(args.params)
    for w in warnings:
        print(w, file=sys.stderr)
    if args.kind == "review-actions":
        return _template_review_actions(args, params, inputs)
    try:
        paths = write_sales_input_templates(inputs, params, args.out, last_quotas=args.last_quotas)
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {len(paths)} sales-input workbooks to {args.out}")
    return EXIT_OK


def _template_review_actions(args: argparse.Namespace, params, inputs) -> int:
    from alignment.engine.plan import build_plan
    from alignment.practices.review import monthly_review
    from alignment.presentation.review_sheet import write_review_sheet
    from alignment.written import Refused, check_file

    try:  # before the work: a file in the way is refused at once
        check_file(args.out, "alignment template: --out")
        review = monthly_review(build_plan(inputs, params).monthly_objectives, inputs, params)
        path = write_review_sheet(review, inputs, params, args.out)
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    flagged = int(review["flagged"].sum())
    print(f"wrote the review sheet for {params.review.month} ({flagged} flagged rows) to {path}")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from alignment.report.diff import DiffError, write_diff
    from alignment.written import Refused

    try:
        path, summary = write_diff(args.report_a, args.report_b, args.out)
    except (Refused, DiffError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    for line in summary:
        print(line)
    print(f"wrote {path}")
    return EXIT_OK


def _month_number(text: str) -> int:
    """A month number 1-12 for ``--fiscal-year-start-month``; anything else is refused (exit 2)."""
    number = int(text) if text.strip().isdigit() else 0
    if not 1 <= number <= 12:
        raise argparse.ArgumentTypeError(f"value {text!r}: expected a whole month number from 1 to 12")
    return number


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
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM / SIGHUP in `run` (128 + the signal's number)
        print(f"alignment: {exc or 'interrupted'}", file=sys.stderr)
        return getattr(exc, "exit_status", 130)
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
    from alignment.problem_table import ProblemsOutError, refusal, write_problem_table
    from alignment.problems import SHOWN_PER_COLUMN, bounded_lines

    if args.data_dir.suffix.lower() in (".yaml", ".yml") and not args.data_dir.is_dir():
        return _validate_params(args)
    encoding, wrong = _encodings(args.encoding)
    if args.problems_out is not None and (why := refusal(args.problems_out, args.data_dir)):
        wrong.append(f"alignment validate: --problems-out: {why}")
    if wrong:
        print("\n".join(wrong), file=sys.stderr)
        return EXIT_BAD_INPUT
    _, problems, warnings = check_folder(
        args.data_dir,
        fiscal_year=args.fiscal_year,
        fiscal_year_start_month=args.fiscal_year_start_month,
        encoding=encoding,
    )
    limit = None if args.all else SHOWN_PER_COLUMN
    lines = bounded_lines(problems, limit) + bounded_lines(warnings, limit)
    if lines:
        sys.stderr.write("\n".join(lines) + "\n")
    if args.problems_out is not None:
        try:
            write_problem_table(problems + warnings, args.problems_out, args.data_dir)
        except ProblemsOutError as exc:
            print(f"alignment validate: --problems-out: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"wrote {len(problems) + len(warnings):,} problems and warnings to {args.problems_out}")
    print(
        f"{args.data_dir}: {len(problems)} problem{'s' * (len(problems) != 1)}, "
        f"{len(warnings)} warning{'s' * (len(warnings) != 1)}"
    )
    return EXIT_BAD_INPUT if problems else EXIT_OK


def _validate_params(args: argparse.Namespace) -> int:
    """``alignment validate PARAMS.yaml``: the params file, its data folder and its sources."""
    from alignment.params import check_against_inputs, load_params
    from alignment.problem_table import ProblemsOutError, refusal, write_problem_table
    from alignment.problems import Problem
    from alignment.sources.load import check_sources

    params = load_params(args.data_dir)
    if args.problems_out is not None and (why := refusal(args.problems_out, params.data_dir)):
        print(f"alignment validate: --problems-out: {why}", file=sys.stderr)
        return EXIT_BAD_INPUT
    inputs, problems, warnings, mapped = check_sources(
        params.data_dir,
        params.sources,
        fiscal_year=params.fiscal_year,
        fiscal_year_start_month=params.fiscal_year_start_month,
    )
    from alignment.problems import SHOWN_PER_COLUMN, bounded_lines

    limit = None if args.all else SHOWN_PER_COLUMN
    errors, more = check_against_inputs(params, inputs) if inputs is not None else ([], [])
    lines = bounded_lines(problems, limit) + errors
    notes = bounded_lines(warnings, limit) + more
    for line in lines + notes:
        print(line, file=sys.stderr)
    for stem, m in mapped.items():
        print(f"{stem}: {_origin_line(m.origin())}")
    n, w = len(problems) + len(errors), len(warnings) + len(more)
    if args.problems_out is not None:
        # the params file's own findings (rules against the data) are rows naming the params file
        name = args.data_dir.name
        own = [Problem(name, None, None, None, e.removeprefix(f"{name}: ")) for e in errors]
        own += [Problem(name, None, None, None, m.removeprefix(f"{name}: "), "warning") for m in more]
        try:
            write_problem_table(
                [*problems, *own[: len(errors)], *warnings, *own[len(errors) :]], args.problems_out
            )
        except ProblemsOutError as exc:
            print(f"alignment validate: --problems-out: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"wrote {n + w:,} problems and warnings to {args.problems_out}")
    print(f"{args.data_dir}: {n} problem{'s' * (n != 1)}, {w} warning{'s' * (w != 1)}")
    return EXIT_BAD_INPUT if lines else EXIT_OK


def _origin_line(origin: dict) -> str:
    read, rows = origin.get("rows_read"), origin.get("rows")
    kept = origin.get("rows_kept", read)
    parts = [origin.get("source", ""), f"{read:,} rows read"]
    if kept != read:
        parts.append(f"{kept:,} kept")
    if rows != kept:
        parts.append(f"{rows:,} after summing")
    return ", ".join(parts)


def _sources(args: argparse.Namespace) -> int:
    """``alignment sources PARAMS.yaml --out DIR``: the contract files the mapping produced."""
    from alignment.loading import load_checked
    from alignment.params import load_params
    from alignment.sources.load import check_out_folder, write_inputs

    params = load_params(args.params)
    problem = check_out_folder(args.out, params.data_dir)
    if problem:
        print(f"alignment sources: --out: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    params, inputs, warnings = load_checked(args.params)
    for w in warnings:
        print(w, file=sys.stderr)
    written = write_inputs(inputs, args.out)
    for stem, origin in inputs.origins.items():
        print(f"{stem}: {_origin_line(origin)} -> {args.out / (stem + '.csv')}")
    print(f"wrote {len(written)} files to {args.out}")
    return EXIT_OK


def _encodings(values: list[str]) -> tuple[dict[str, str], list[str]]:
    """``--encoding STEM=ENCODING`` values as a mapping, and one message per wrong value."""
    from alignment.params import encoding_expected

    encoding: dict[str, str] = {}
    wrong: list[str] = []
    for text in values:
        stem, sep, codec = text.partition("=")
        expected = "STEM=ENCODING, such as actuals=cp1252" if not sep else encoding_expected(stem, codec)
        if expected is None:
            encoding[stem] = codec
        else:
            wrong.append(f"alignment validate: --encoding: value {text!r}: expected {expected}")
    return encoding, wrong


def _plan(args: argparse.Namespace) -> int:
    from alignment.engine.plan import build_plan, check_plan_folder, write_plan_tables
    from alignment.loading import load_checked

    params, inputs, warnings = load_checked(args.params)
    try:  # a new or empty folder, or one plan wrote before; never the data folder (checked before the work)
        check_plan_folder(args.out, params.data_dir)
    except RunError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT

    for w in warnings:
        print(w, file=sys.stderr)
    plan = build_plan(inputs, params)
    replan = None
    if args.replan:
        from alignment.engine.replan import build_replan, replan_writers

        replan = build_replan(plan, inputs, params)
    try:
        paths = write_plan_tables(
            plan,
            args.out,
            extra=replan_writers(replan) if replan is not None else None,
            table_format=args.table_format,
        )
    except RunError as exc:  # something appeared in the folder meanwhile: it is left as it is
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    for line in plan_summary(plan):
        print(line)
    for line in replan.summary_lines() if replan is not None else []:
        print(line)
    print(f"wrote {len(paths)} tables to {args.out}")
    return EXIT_OK


def plan_summary(plan: Plan) -> list[str]:
    """``alignment plan``'s lines for the terminal: T, Q, G, the final total and what is unallocated."""
    lines = [
        f"top-down target T:        {plan.top_down_target:>18,.2f}",
        f"bottom-up quota Q:        {plan.bottom_up_quota:>18,.2f}",
    ]
    if plan.padded_target != plan.top_down_target:
        lines.append(f"padded target T':         {plan.padded_target:>18,.2f}")
    if plan.gap > 0:
        lines.append(f"gap G:                    {plan.gap:>18,.2f}")
    else:
        lines.append(
            f"gap G:                    {plan.gap:>18,.2f}  (surplus {plan.surplus:,.2f}: nothing allocated)"
        )
    lines.append(f"final quotas:             {plan.final_quota_total:>18,.2f}")
    lines.append(f"unallocated:              {plan.unallocated:>18,.2f}")
    return lines


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
    try:
        paths = write_sample(
            args.out, customers=args.customers, seed=args.seed, fmt=args.format, force=args.force
        )
    except RunError as exc:  # the folder holds files sample did not write: nothing is written
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
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
        compare_to=args.compare_to,
        table_format=args.table_format,
        pack=args.pack,
    )


def run_command(
    params_files: list[Path],
    out: Path | None = None,
    only: str | None = None,
    jobs: int = 1,
    show_code: bool = False,
    debug: bool = False,
    notebooks_dir: str | Path | None = None,
    compare_to: Path | None = None,
    table_format: str = "csv",
    pack: bool = False,
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
            compare_to=compare_to,
            table_format=table_format,
            pack=pack,
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
    for s in outcome.scenarios if pack else ():
        if (s.out_dir / "pack.pdf").is_file():
            print(f"{s.name}: board pack: {_display_path(s.out_dir / 'pack.pdf')}")
    if outcome.comparison is not None:
        print(f"comparison: {_display_path(outcome.comparison)}")
    return outcome.exit_status


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_COMMANDS = {
    "validate": _validate,
    "plan": _plan,
    "sample": _sample,
    "run": _run,
    "template": _template,
    "collect": _collect,
    "diff": _diff,
    "sources": _sources,
}
