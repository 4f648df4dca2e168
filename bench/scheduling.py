"""Benchmark the finite-capacity scheduler: an instance file, or all and a synthetic plant.

With FILE, one job-shop or flexible job-shop instance (format guessed from the file
unless ``--format`` says) goes through the planner's own scheduler, the same model
that schedules work orders. It prints the instance's size and dispatching makespan,
then ``instance=NAME makespan=M bound=B status=S seconds=T``. Settings not given as
flags come from the ``PLANNER_SCHEDULE_*`` variables. Exit code 2 for a malformed
file or a setting out of range.

Without FILE, every instance file under the benchmarks folder (``jobshop/*.txt``,
``fjsp/*.txt``) is solved and compared with its best-known makespan from
``best_known.csv``. Then a synthetic plant at the scale target (5,000 operations on
50 work centers, with shifts, alternatives, changeovers and personnel) is scheduled
within its own limit.

    .venv/bin/python bench/scheduling.py FILE [--format jobshop|fjsp]
        [--time-limit 60] [--workers N]
    .venv/bin/python bench/scheduling.py [--folder ../shared/benchmarks]
        [--time-limit 60] [--workers 2] [--instances ft06 la01 ...]
        [--synthetic-operations 5000] [--synthetic-work-centers 50]
        [--synthetic-time-limit 120] [--no-synthetic]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from scheduling_instances import FORMATS, read_best_known, read_instance
from synthetic_plant import synthetic_case

from planning.config import Settings, SolverSettings
from planning.errors import PlannerError
from planning.scheduling.problem import build_problem
from planning.scheduling.schedule_run import schedule_operations, schedule_problem

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = REPO_DIR.parent / "shared" / "benchmarks"


@dataclass(frozen=True)
class BenchmarkResult:
    """Makespan and bound in the instance's time units; seconds of wall time spent
    building and solving (parsing excluded)."""

    instance: str
    format: str
    jobs: int
    machines: int
    operations: int
    heuristic_makespan: int
    makespan: int
    bound: int
    status: str
    seconds: float

    def line(self) -> str:
        return (
            f"instance={self.instance} makespan={self.makespan} bound={self.bound} "
            f"status={self.status} seconds={self.seconds:.1f}"
        )


def run_benchmark(
    path: Path | str, *, format: str | None = None, settings: SolverSettings | None = None
) -> BenchmarkResult:
    """Read ``path`` (format guessed when None) and minimize its makespan with the same
    model the planner schedules work orders with. Raises InstanceFormatError for a
    malformed file."""
    instance = read_instance(path, format)
    started = time.perf_counter()
    problem = build_problem(instance.operations, instance.resources)
    _, report = schedule_problem(problem, settings or SolverSettings())
    return BenchmarkResult(
        instance=instance.name,
        format=instance.format,
        jobs=instance.jobs,
        machines=instance.machines,
        operations=len(problem.operations),
        heuristic_makespan=report.heuristic.makespan,
        makespan=report.makespan,
        bound=report.makespan_bound,
        status=report.status,
        seconds=time.perf_counter() - started,
    )


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("file", type=Path, nargs="?", metavar="FILE", help="one instance file")
    parser.add_argument("--format", choices=FORMATS, help="FILE's; default: guessed from it")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--workers", type=_positive, help="CP-SAT workers (default 2)")
    parser.add_argument("--seed", type=int, help="CP-SAT random seed (default 1)")
    parser.add_argument("--instances", nargs="+", help="instance names (default: all)")
    parser.add_argument("--synthetic-operations", type=int, default=5000)
    parser.add_argument("--synthetic-work-centers", type=int, default=50)
    parser.add_argument("--synthetic-time-limit", type=float, default=120.0)
    parser.add_argument("--no-synthetic", action="store_true")
    args = parser.parse_args(argv)
    if args.file is not None:
        try:
            return _file(args)
        except PlannerError as error:
            print(f"error: {error}", file=sys.stderr)
            return error.exit_code
        except OSError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    workers = 2 if args.workers is None else args.workers
    seed = 1 if args.seed is None else args.seed
    settings = SolverSettings(time_limit_seconds=args.time_limit, workers=workers, seed=seed)
    _instances(args.folder, args.instances, settings)
    if not args.no_synthetic:
        _synthetic(
            args.synthetic_operations,
            args.synthetic_work_centers,
            SolverSettings(
                time_limit_seconds=args.synthetic_time_limit, workers=workers, seed=seed
            ),
        )
    return 0


def _file(args: argparse.Namespace) -> int:
    if not args.time_limit > 0:
        print(f"error: --time-limit must be positive, got {args.time_limit}", file=sys.stderr)
        return 2
    settings = Settings.from_env(
        schedule_time_limit=args.time_limit,
        schedule_workers=args.workers,
        schedule_seed=args.seed,
    )
    result = run_benchmark(args.file, format=args.format, settings=settings.solver)
    print(
        f"{result.instance}: {result.format}, {result.jobs} jobs, {result.machines} machines, "
        f"{result.operations} operations; dispatching rule makespan {result.heuristic_makespan}"
    )
    print(result.line())
    return 0


def _instances(folder: Path, names: list[str] | None, settings: SolverSettings) -> None:
    best_known = read_best_known(folder)
    paths = sorted(folder.glob("*/*.txt"), key=lambda p: (p.parent.name != "jobshop", p.stem))
    if names:
        paths = [p for p in paths if p.stem in names]
    print(
        f"{'instance':<9} {'makespan':>8} {'best':>6} {'gap %':>6} {'bound':>6} "
        f"{'status':<9} {'seconds':>7}"
    )
    for path in paths:
        result = run_benchmark(path, settings=settings)
        best = best_known.get(result.instance, (None, None))[1]
        gap = "" if best is None else f"{100 * (result.makespan - best) / best:.2f}"
        print(
            f"{result.instance:<9} {result.makespan:>8} {best or '':>6} {gap:>6} "
            f"{result.bound:>6} {result.status:<9} {result.seconds:>7.1f}",
            flush=True,
        )


def _synthetic(operations: int, work_centers: int, settings: SolverSettings) -> None:
    case = synthetic_case(operations, work_centers)
    started = time.perf_counter()
    outcome = schedule_operations(case.operations, case.resources, case.frames, settings=settings)
    seconds = time.perf_counter() - started
    report = outcome.report
    late = outcome.orders.filter("late").height
    heuristic = report.heuristic
    print(
        f"\nsynthetic plant: {operations} operations ({case.operations.height} alternatives) "
        f"in {outcome.orders.height} orders, {work_centers} work centers, "
        f"{case.frames.personnel.get_column('person_id').n_unique()} persons, "
        f"{settings.workers} workers, limit {settings.time_limit_seconds:.0f} s"
    )
    print(f"{'':<22} {'w. tardiness':>14} {'makespan':>9} {'setup min':>9}")
    print(
        f"{'dispatching rule':<22} {heuristic.weighted_tardiness / 100:>14.0f} "
        f"{heuristic.makespan:>9} {heuristic.total_setup:>9}"
    )
    print(
        f"{'CP-SAT ' + report.method:<22} {report.weighted_tardiness:>14.0f} "
        f"{report.makespan:>9} {report.total_setup_minutes:>9}"
    )
    print(
        f"{'lower bound':<22} {report.weighted_tardiness_bound:>14.0f} "
        f"{report.makespan_bound:>9} {'':>9}"
    )
    print(
        f"status={report.status} windows={report.windows} late orders={late} seconds={seconds:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
