"""Reading job-shop and flexible-job-shop benchmark files into scheduling frames, for
``bench/scheduling.py`` and the scheduler's tests.

``jobshop``: the OR-Library / Taillard text layout. First line ``n_jobs n_machines``,
then one line per job: its operations in order as pairs ``machine duration``
(machines numbered from 0).

``fjsp``: the Brandimarte ``.fjs`` layout. First line ``n_jobs n_machines [average
alternatives]``, then one line per job: the number of operations, then per operation
the number ``k`` of alternatives followed by ``k`` pairs ``machine duration``.
Machines are numbered from 1 in the original files and from 0 in some collections; a
file using machine 0 is read as 0-based, else as 1-based if it uses machine
``n_machines``, else as 0-based.

Blank lines and lines starting with ``#`` are skipped. Every problem raises
InstanceFormatError naming the file and line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from planning.errors import InvalidExtractError
from planning.scheduling.problem import OPERATIONS_SCHEMA, RESOURCES_SCHEMA

FORMATS = ("jobshop", "fjsp")


class InstanceFormatError(InvalidExtractError):
    """A benchmark instance file does not follow its text format; names file and line.
    Exit code 2, as for any invalid input."""

    def __init__(self, path: str, line: int | None, reason: str):
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {reason}", file=str(path))
        self.line = line


@dataclass(frozen=True)
class BenchmarkInstance:
    """A benchmark as scheduling frames: one order per job (``J01``...), op_seq from 1,
    one work center of one unit per machine (``M0``... in the file's numbering)."""

    name: str
    format: str
    jobs: int
    machines: int
    operations: pl.DataFrame
    resources: pl.DataFrame


def read_instance(path: Path | str, format: str | None = None) -> BenchmarkInstance:
    """Parse ``path`` in ``format`` (``jobshop`` or ``fjsp``; guessed when None)."""
    path = Path(path)
    lines = _lines(path)
    if format is None:
        format = guess_format(path, lines)
    if format == "jobshop":
        jobs, machines, routes = _parse_jobshop(path, lines)
    elif format == "fjsp":
        jobs, machines, routes = _parse_fjsp(path, lines)
    else:
        raise ValueError(f"unknown format {format!r}; expected one of {FORMATS}")
    return BenchmarkInstance(
        path.stem, format, jobs, machines, *_frames(routes, machines, _first_machine(routes))
    )


def guess_format(path: Path, lines: list[tuple[int, list[str]]] | None = None) -> str:
    """``fjsp`` for ``.fjs`` files or a three-number header, else whichever layout
    the file parses as (``jobshop`` first)."""
    lines = _lines(path) if lines is None else lines
    if path.suffix == ".fjs" or (lines and len(lines[0][1]) == 3):
        return "fjsp"
    try:
        _parse_jobshop(path, lines)
    except InstanceFormatError as jobshop_error:
        try:
            _parse_fjsp(path, lines)
        except InstanceFormatError:
            raise jobshop_error from None
        return "fjsp"
    return "jobshop"


Route = list[list[tuple[int, int]]]  # per operation: its (machine, duration) alternatives


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, tokens) of the non-blank, non-comment lines."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise InstanceFormatError(str(path), None, f"cannot read the file ({error})") from None
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.split()
        if tokens and not tokens[0].startswith("#"):
            lines.append((number, tokens))
    if not lines:
        raise InstanceFormatError(str(path), None, "the file is empty")
    return lines


def _integers(path: Path, number: int, tokens: list[str]) -> list[int]:
    try:
        return [int(token) for token in tokens]
    except ValueError:
        bad = next(t for t in tokens if not t.lstrip("-").isdigit())
        raise InstanceFormatError(str(path), number, f"{bad!r} is not a whole number") from None


def _header(
    path: Path, lines: list[tuple[int, list[str]]], sizes: tuple[int, ...]
) -> tuple[int, int]:
    number, tokens = lines[0]
    if len(tokens) not in sizes:
        expected = " or ".join(str(size) for size in sizes)
        raise InstanceFormatError(
            str(path), number, f"the header must hold {expected} numbers, found {len(tokens)}"
        )
    jobs, machines = _integers(path, number, tokens[:2])
    if jobs < 1 or machines < 1:
        raise InstanceFormatError(str(path), number, "jobs and machines must be at least 1")
    if len(lines) - 1 < jobs:
        raise InstanceFormatError(
            str(path),
            lines[-1][0],
            f"the header announces {jobs} jobs but only {len(lines) - 1} job lines follow",
        )
    if len(lines) - 1 > jobs:
        raise InstanceFormatError(
            str(path), lines[jobs + 1][0], f"more lines than the {jobs} jobs the header announces"
        )
    return jobs, machines


def _check_pair(path: Path, number: int, machine: int, duration: int, highest: int) -> None:
    if not 0 <= machine <= highest:
        raise InstanceFormatError(str(path), number, f"machine {machine} is outside 0..{highest}")
    if duration < 1:
        raise InstanceFormatError(str(path), number, f"duration {duration} must be at least 1")


def _parse_jobshop(
    path: Path, lines: list[tuple[int, list[str]]]
) -> tuple[int, int, list[tuple[int, Route]]]:
    jobs, machines = _header(path, lines, (2,))
    routes = []
    for number, tokens in lines[1 : jobs + 1]:
        values = _integers(path, number, tokens)
        if len(values) % 2:
            raise InstanceFormatError(
                str(path),
                number,
                "a job line holds pairs 'machine duration'; one number is left over",
            )
        route = []
        for machine, duration in zip(values[::2], values[1::2], strict=True):
            _check_pair(path, number, machine, duration, machines - 1)
            route.append([(machine, duration)])
        routes.append((number, route))
    return jobs, machines, routes


def _parse_fjsp(
    path: Path, lines: list[tuple[int, list[str]]]
) -> tuple[int, int, list[tuple[int, Route]]]:
    number, tokens = lines[0]
    jobs, machines = _header(path, lines, (2, 3))
    if len(tokens) == 3:
        try:
            float(tokens[2])
        except ValueError:
            raise InstanceFormatError(
                str(path), number, f"{tokens[2]!r} is not an average number of machines"
            ) from None
    routes = []
    for number, tokens in lines[1 : jobs + 1]:
        values = _integers(path, number, tokens)
        if values[0] < 1:
            raise InstanceFormatError(str(path), number, "a job needs at least one operation")
        position = 1
        route: Route = []
        for _ in range(values[0]):
            if position >= len(values):
                raise InstanceFormatError(
                    str(path), number, f"the line ends after {len(route)} of {values[0]} operations"
                )
            count = values[position]
            pairs = values[position + 1 : position + 1 + 2 * count]
            if count < 1 or len(pairs) < 2 * count:
                raise InstanceFormatError(
                    str(path),
                    number,
                    f"operation {len(route) + 1} must list at least one and then {count} "
                    "'machine duration' pairs",
                )
            options = list(zip(pairs[::2], pairs[1::2], strict=True))
            for machine, duration in options:
                _check_pair(path, number, machine, duration, machines)
            if len({machine for machine, _ in options}) < len(options):
                raise InstanceFormatError(
                    str(path), number, f"operation {len(route) + 1} lists a machine twice"
                )
            route.append(options)
            position += 1 + 2 * count
        if position != len(values):
            raise InstanceFormatError(
                str(path), number, f"numbers left over after the {values[0]} operations"
            )
        routes.append((number, route))
    first = _first_machine(routes)
    for number, route in routes:
        for options in route:
            for machine, _ in options:
                if not first <= machine < first + machines:
                    raise InstanceFormatError(
                        str(path),
                        number,
                        f"machine {machine} is outside {first}..{first + machines - 1}",
                    )
    return jobs, machines, routes


def _first_machine(routes: list[tuple[int, Route]]) -> int:
    used = {m for _, route in routes for options in route for m, _ in options}
    return 0 if 0 in used or not used else 1


def _frames(
    routes: list[tuple[int, Route]], machines: int, first: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    width = len(str(len(routes)))
    rows = [
        (f"J{job:0{width}d}", step, f"M{machine}", duration)
        for job, (_, route) in enumerate(routes, start=1)
        for step, options in enumerate(route, start=1)
        for machine, duration in options
    ]
    operations = pl.DataFrame(
        rows,
        schema={name: OPERATIONS_SCHEMA[name] for name in OPERATIONS_SCHEMA.names()[:4]},
        orient="row",
    )
    resources = pl.DataFrame(
        [(f"M{m}", 1) for m in range(first, first + machines)],
        schema=RESOURCES_SCHEMA,
        orient="row",
    )
    return operations, resources


def read_best_known(folder: Path | str) -> dict[str, tuple[int, int]]:
    """instance name -> (lower bound, upper bound) from every ``best_known.csv`` in
    ``folder`` and its subfolders; lower == upper means the optimum is proven."""
    best: dict[str, tuple[int, int]] = {}
    for path in sorted(Path(folder).rglob("best_known.csv")):
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                try:
                    best[row["instance"]] = (int(row["lower_bound"]), int(row["upper_bound"]))
                except (KeyError, TypeError, ValueError):
                    continue
    return best
