"""Benchmark files: both layouts parse into scheduling frames; bad files name file and line."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from scheduling import main  # bench/scheduling.py
from scheduling_instances import InstanceFormatError, guess_format, read_best_known, read_instance

BENCHMARKS = Path(__file__).resolve().parents[4] / "shared" / "benchmarks"
needs_benchmarks = pytest.mark.skipif(
    not BENCHMARKS.is_dir(), reason="the shared benchmark folder is not checked out"
)


def _write(tmp_path: Path, text: str, name: str = "case.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_job_shop_file_becomes_one_order_per_job_and_one_unit_per_machine(tmp_path):
    path = _write(tmp_path, "2 2\n0 3 1 4\n\n1 2 0 5\n")
    instance = read_instance(path)
    assert (instance.name, instance.format, instance.jobs, instance.machines) == (
        "case",
        "jobshop",
        2,
        2,
    )
    expected = pl.DataFrame(
        {
            "order_id": ["J1", "J1", "J2", "J2"],
            "op_seq": [1, 2, 1, 2],
            "work_center_id": ["M0", "M1", "M1", "M0"],
            "duration_minutes": [3, 4, 2, 5],
        }
    )
    assert_frame_equal(instance.operations, expected)
    assert_frame_equal(
        instance.resources,
        pl.DataFrame({"work_center_id": ["M0", "M1"], "capacity_units": [1, 1]}),
    )


def test_a_flexible_job_shop_file_lists_every_alternative(tmp_path):
    # 1-based machines as in Brandimarte's files; job 1: op 1 on M1 (4) or M2 (6)
    path = _write(tmp_path, "2 2 1.5\n2 2 1 4 2 6 1 2 3\n1 1 1 7\n")
    instance = read_instance(path)
    assert instance.format == "fjsp"
    assert instance.operations.rows() == [
        ("J1", 1, "M1", 4),
        ("J1", 1, "M2", 6),
        ("J1", 2, "M2", 3),
        ("J2", 1, "M1", 7),
    ]
    assert instance.resources.get_column("work_center_id").to_list() == ["M1", "M2"]


def test_the_format_is_guessed_from_the_header_and_the_layout(tmp_path):
    assert guess_format(_write(tmp_path, "1 2\n0 3 1 4\n")) == "jobshop"
    assert guess_format(_write(tmp_path, "1 2 1\n1 1 0 3\n")) == "fjsp"
    # two header numbers but only the flexible layout fits the job line
    assert guess_format(_write(tmp_path, "1 2\n2 1 0 3 1 1 4\n")) == "fjsp"


@needs_benchmarks
def test_every_shared_benchmark_parses_and_has_a_best_known_makespan():
    best_known = read_best_known(BENCHMARKS)
    for path in sorted(BENCHMARKS.glob("*/*.txt")):
        instance = read_instance(path)
        assert instance.operations.height > 0
        assert instance.name in best_known
    assert best_known["ft06"] == (55, 55)
    mk01 = read_instance(BENCHMARKS / "fjsp" / "mk01.txt")
    assert (mk01.format, mk01.jobs, mk01.machines) == ("fjsp", 10, 6)
    assert mk01.resources.get_column("work_center_id").to_list()[0] == "M0"


@pytest.mark.parametrize(
    ("text", "format", "line", "reason"),
    [
        ("2 2 2 2\n0 3 1 4\n1 2 0 5\n", "jobshop", 1, "the header must hold 2 numbers"),
        ("2 2\n0 3 1 4\n", "jobshop", 2, "announces 2 jobs but only 1 job lines"),
        ("1 2\n0 3 1\n", "jobshop", 2, "one number is left over"),
        ("1 2\n0 3 x 4\n", "jobshop", 2, "'x' is not a whole number"),
        ("1 2\n0 3 2 4\n", "jobshop", 2, "machine 2 is outside 0..1"),
        ("1 2\n0 0 1 4\n", "jobshop", 2, "duration 0 must be at least 1"),
        ("1 2\n0 3 1 4\n1 3 0 4\n", "jobshop", 3, "more lines than the 1 jobs"),
        ("1 2 1\n2 1 0 3\n", "fjsp", 2, "the line ends after 1 of 2 operations"),
        ("1 2 1\n1 2 0 3\n", "fjsp", 2, "must list at least one and then 2"),
        ("1 2 1\n1 1 0 3 7\n", "fjsp", 2, "numbers left over"),
        ("1 2 1\n1 2 0 3 0 4\n", "fjsp", 2, "lists a machine twice"),
        ("1 2 1\n0\n", "fjsp", 2, "a job needs at least one operation"),
    ],
)
def test_a_malformed_file_names_the_file_and_line(tmp_path, text, format, line, reason):
    path = _write(tmp_path, text)
    with pytest.raises(InstanceFormatError) as raised:
        read_instance(path, format)
    assert raised.value.line == line
    assert str(raised.value).startswith(f"{path}, line {line}: ")
    assert reason in str(raised.value)
    assert raised.value.exit_code == 2


def test_an_empty_or_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(InstanceFormatError, match="the file is empty"):
        read_instance(_write(tmp_path, "\n# nothing\n"))
    with pytest.raises(InstanceFormatError, match="cannot read the file"):
        read_instance(tmp_path / "missing.txt")


def test_the_bench_script_reports_a_bad_file_in_one_line_with_exit_code_2(tmp_path, capsys):
    path = _write(tmp_path, "2 2\n0 3 1 4\n1 2 0 x\n")
    assert main([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: {path}, line 3: 'x' is not a whole number\n"


def test_the_bench_script_rejects_a_non_positive_time_limit(tmp_path, capsys):
    path = _write(tmp_path, "1 1\n0 3\n")
    assert main([str(path), "--time-limit", "0"]) == 2
    assert capsys.readouterr().err.startswith("error: --time-limit")
