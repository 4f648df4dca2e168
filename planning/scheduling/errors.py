"""Errors of the scheduler, mapped to the CLI's exit code 2 (invalid input)."""

from __future__ import annotations

from planning.errors import InvalidExtractError


class SchedulingInputError(InvalidExtractError):
    """The scheduling frames cannot be scheduled: a missing column, an operation on an
    unknown work center, a skill nobody has. The message names the frame, the column
    and the operation at fault."""
