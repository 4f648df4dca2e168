"""Errors that end a run, each mapped to the CLI's exit code."""

from __future__ import annotations


class PlannerError(Exception):
    """Base of the planner's own errors; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class InvalidExtractError(PlannerError):
    """The extract cannot be planned at all: a required file or column is missing,
    a file is unreadable. Nothing is published; the message names file and column."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, column: str | None = None):
        super().__init__(message)
        self.file = file
        self.column = column


class PublicationRefusedError(PlannerError):
    """The publication gate refused the run: validation quarantined too much of a
    file. Nothing is published; the message names the file, the rows lost and the
    limit."""

    exit_code = 2


class StepFailedError(PlannerError):
    """An internal step (dbt build, a solver) failed; the last published plan stays."""

    exit_code = 1


class RunLockedError(PlannerError):
    """Another run holds the warehouse; this one did not start and changed nothing."""

    exit_code = 3


class ExtractTooLargeError(PlannerError):
    """The extract needs more memory than this machine has free; nothing was started."""

    exit_code = 4


class SettingsError(PlannerError, ValueError):
    """A setting (a ``PLANNER_*`` variable or a flag) has a value of the wrong
    type or out of range; nothing was started. The message names it."""

    exit_code = 2
