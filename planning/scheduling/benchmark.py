"""Solving a benchmark instance with the planner's scheduler, and the result line."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from planning.config import SolverSettings
from planning.scheduling.instances import read_instance
from planning.scheduling.problem import build_problem
from planning.scheduling.schedule_run import schedule_problem


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
