"""Benchmark the finite-capacity scheduler: public instances, then a synthetic plant.

Every instance file under the benchmarks folder (``jobshop/*.txt``, ``fjsp/*.txt``)
goes through the planner's own scheduler (the same model that schedules work orders)
and is compared with its best-known makespan from ``best_known.csv``. Then a
synthetic plant at the scale target (5,000 operations on 50 work centers, with
shifts, alternatives, changeovers and personnel) is scheduled within its own limit.

    .venv/bin/python bench/scheduling.py [--folder ../shared/benchmarks]
        [--time-limit 60] [--workers 2] [--instances ft06 la01 ...]
        [--synthetic-operations 5000] [--synthetic-work-centers 50]
        [--synthetic-time-limit 120] [--no-synthetic]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from planning.config import SolverSettings
from planning.scheduling.benchmark import run_benchmark
from planning.scheduling.instances import read_best_known
from planning.scheduling.schedule_run import schedule_operations
from planning.scheduling.synthetic import synthetic_case

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = REPO_DIR.parent / "shared" / "benchmarks"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--instances", nargs="+", help="instance names (default: all)")
    parser.add_argument("--synthetic-operations", type=int, default=5000)
    parser.add_argument("--synthetic-work-centers", type=int, default=50)
    parser.add_argument("--synthetic-time-limit", type=float, default=120.0)
    parser.add_argument("--no-synthetic", action="store_true")
    args = parser.parse_args()
    settings = SolverSettings(
        time_limit_seconds=args.time_limit, workers=args.workers, seed=args.seed
    )
    _instances(args.folder, args.instances, settings)
    if not args.no_synthetic:
        _synthetic(
            args.synthetic_operations,
            args.synthetic_work_centers,
            SolverSettings(
                time_limit_seconds=args.synthetic_time_limit, workers=args.workers, seed=args.seed
            ),
        )


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
    outcome = schedule_operations(**case.frames(), settings=settings)
    seconds = time.perf_counter() - started
    report = outcome.report
    late = outcome.orders.filter("late").height
    heuristic = report.heuristic
    print(
        f"\nsynthetic plant: {operations} operations ({case.operations.height} alternatives) "
        f"in {outcome.orders.height} orders, {work_centers} work centers, "
        f"{case.personnel.get_column('person_id').n_unique()} persons, "
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
    main()
