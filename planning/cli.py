"""``planner``: the command line of the planner.

Exit codes: 0 success (exceptions found in the data are not failures),
2 invalid input (or a setting out of range), 3 another run holds the warehouse,
4 the extract is too large for this machine's free memory, 1 internal error.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from planning.config import (
    Settings,
    add_setting_flags,
    parse_as_of,
    setting_names,
)
from planning.errors import PlannerError


def _date(value: str) -> date:
    try:
        return parse_as_of(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def _version() -> str:
    """The installed package's version (a source tree that is not installed has none)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("planning")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planner", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"planner {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a synthetic ERP extract")
    generate.add_argument("--skus", type=_positive, required=True, help="number of SKUs")
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--out", type=Path, required=True, help="extract folder to write")
    generate.add_argument("--as-of", type=_date, default=date.today(), help="YYYY-MM-DD")

    validate = commands.add_parser("validate", help="validate an extract and report bad rows")
    validate.add_argument(
        "--extract", type=Path, required=True, help="the extract folder to validate (required)"
    )
    validate.add_argument(
        "--report", type=Path, help="folder to write quarantine.csv and validation.json into"
    )
    validate.add_argument(
        "--quarantine-limit-pct",
        metavar="VALUE",
        help="exit 2 when validation quarantines more than this percentage of any file's "
        "rows, as a run would refuse to publish (PLANNER_QUARANTINE_LIMIT_PCT; default 5); "
        "the run's other gate, against the last published run of PLANNER_WAREHOUSE, "
        "applies too",
    )

    run = commands.add_parser(
        "run",
        help="run the nightly planning job and publish the plan",
        description="Every setting is also read from the PLANNER_* variable in brackets; "
        "a flag wins over its variable.",
    )
    run.add_argument(
        "--as-of", type=_date, required=True, help="the plan's as-of date, YYYY-MM-DD (required)"
    )
    add_setting_flags(run, required=("extract_dir",))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        match args.command:
            case "generate":
                return _generate(args)
            case "validate":
                return _validate(args)
            case "run":
                return _run(args)
    except PlannerError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except OSError as error:  # an unwritable output folder, a full disk
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 1


def _generate(args: argparse.Namespace) -> int:
    from planning.extract.generate import generate_extract

    started = time.perf_counter()
    counts = generate_extract(args.out, skus=args.skus, seed=args.seed, as_of=args.as_of)
    rows = ", ".join(f"{name} {count}" for name, count in counts.items())
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s: {rows}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from planning.validation.gate import last_published, require_publishable
    from planning.validation.summary import (
        read_and_validate,
        require_plannable,
        write_validation_report,
    )

    settings = Settings.from_env(quarantine_limit_pct=args.quarantine_limit_pct)
    validated = read_and_validate(args.extract)
    if args.report:
        write_validation_report(args.report, validated)
        print(f"wrote {args.report / 'quarantine.csv'} and {args.report / 'validation.json'}")
    require_plannable(validated)
    require_publishable(validated, settings, last_published(settings))
    print(f"{args.extract}: valid, {validated.rows_quarantined} rows quarantined")
    return 0


def _run(args: argparse.Namespace) -> int:
    from planning.pipeline import run_plan

    settings = Settings.from_env(**{name: getattr(args, name) for name in setting_names()})
    outcome = run_plan(settings.extract_dir, args.as_of, settings)
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
