"""The scheduler on public benchmarks: proven optima within the time targets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scheduling import main, run_benchmark  # bench/scheduling.py
from scheduling_instances import read_best_known

from planning.config import SolverSettings

BENCHMARKS = Path(__file__).resolve().parents[4] / "shared" / "benchmarks"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "benchmarks"  # ft06, mk03
needs_shared = pytest.mark.skipif(
    not BENCHMARKS.is_dir(), reason="the shared benchmark folder is not checked out"
)
TARGET = SolverSettings(time_limit_seconds=60, workers=2, seed=1)


def test_ft06_reaches_its_optimum_of_55():
    result = run_benchmark(FIXTURES / "ft06.txt", settings=TARGET)
    assert (result.makespan, result.bound, result.status) == (55, 55, "OPTIMAL")
    assert result.seconds < 10


def test_the_bench_script_ends_with_the_result_line(capsys):
    code = main([str(FIXTURES / "mk03.txt"), "--time-limit", "20"])
    assert code == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(
        r"instance=mk03 makespan=204 bound=204 status=OPTIMAL seconds=\d+\.\d", last
    ), last


@needs_shared
@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        *("jobshop/ft10", "jobshop/ft20", "jobshop/abz5", "fjsp/mk01"),
        *(f"jobshop/la0{number}" for number in range(1, 6)),
    ],
)
def test_closed_instances_reach_the_proven_optimum_within_a_minute_on_two_cores(name):
    result = run_benchmark(BENCHMARKS / f"{name}.txt", settings=TARGET)
    optimum = read_best_known(BENCHMARKS)[result.instance][1]
    assert result.makespan == optimum
    assert result.seconds < 65  # the limit, plus model building


@needs_shared
@pytest.mark.slow
def test_ta01_gets_within_one_percent_of_1231_in_a_minute():
    result = run_benchmark(BENCHMARKS / "jobshop" / "ta01.txt", settings=TARGET)
    assert result.makespan <= 1231 * 1.01
    assert result.bound <= 1231
