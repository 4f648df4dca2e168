"""Errors of the scheduler, mapped to the CLI's exit code 2 (invalid input)."""

from __future__ import annotations

from planning.errors import InvalidExtractError


class SchedulingInputError(InvalidExtractError):
    """The scheduling frames cannot be scheduled: a missing column, an operation on an
    unknown work center, a skill nobody has. The message names the frame, the column
    and the operation at fault."""


class InstanceFormatError(InvalidExtractError):
    """A benchmark instance file does not follow its text format; names file and line."""

    def __init__(self, path: str, line: int | None, reason: str):
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {reason}", file=str(path))
        self.line = line
