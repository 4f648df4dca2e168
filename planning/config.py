"""Run settings: one frozen dataclass tree, read from ``PLANNER_*`` variables and
CLI flags by one loop over its fields.

A field declared with ``setting(...)`` is a setting: it names its environment
variable, and ``planner run`` has a flag for it (``--`` and the variable's name
after ``PLANNER_``, in lower case with dashes, unless the field names another).
Precedence: defaults, then the environment, then flags. Nothing is read at
import time: callers ask for ``Settings.from_env()`` when they start.
"""

from __future__ import annotations

import argparse
import os
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from planning.errors import SettingsError

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_EXTRACT_DIR = PROJECT_DIR / "data" / "sample"
# what may constrain the supply plan (planning.mrp.constrained)
PLAN_CONSTRAINTS = ("capacity", "material", "lead_time")


def setting(default: Any, env: str, help: str, *, flag: str | None = None) -> Any:
    """A field read from the variable ``env`` and from a ``planner run`` flag."""
    return field(default=default, metadata={"env": env, "help": help, "flag": flag})


@dataclass(frozen=True)
class PlanningRules:
    """The planning rules a site may tune (CONTRACT.md section 3); days are calendar days."""

    mps_time_fence_days: int = setting(
        0,
        "PLANNER_MPS_TIME_FENCE_DAYS",
        "days from as-of in which end items get no new planned orders, only firm supply",
    )
    reschedule_in_days: int = setting(
        14,
        "PLANNER_RESCHEDULE_IN_DAYS",
        "an open receipt due at most this many days after a shortfall is expedited "
        "instead of planning a new order",
    )
    action_tolerance_days: int = setting(
        1,
        "PLANNER_ACTION_TOLERANCE_DAYS",
        "date moves of this many days or fewer get no expedite/defer message",
    )
    action_tolerance_pct: float = setting(
        5.0,
        "PLANNER_ACTION_TOLERANCE_PCT",
        "an excess of at most this percentage of a receipt gets no reduce message",
    )
    schedule_horizon_days: int = setting(
        14,
        "PLANNER_SCHEDULE_HORIZON_DAYS",
        "the finite schedule takes work orders released, in progress, or planned to "
        "start within this many days",
    )
    milestone_slack_days: int = setting(
        2,
        "PLANNER_MILESTONE_SLACK_DAYS",
        "a milestone projected to complete less than this many days before its due date is at risk",
    )
    plan_constraints: str = setting(
        "capacity,material,lead_time",
        "PLANNER_PLAN_CONSTRAINTS",
        "what constrains the supply plan: a comma-separated list of capacity, material and "
        "lead_time, or none for the unconstrained MRP",
    )

    def __post_init__(self) -> None:
        for name in (
            "mps_time_fence_days",
            "reschedule_in_days",
            "action_tolerance_days",
            "milestone_slack_days",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)}")
        if self.schedule_horizon_days < 1:
            days = self.schedule_horizon_days
            raise ValueError(f"schedule_horizon_days must be 1 or more, got {days}")
        unknown = self.constraints - set(PLAN_CONSTRAINTS)
        if unknown:
            raise ValueError(
                f"plan_constraints: unknown {', '.join(sorted(unknown))}; expected some of "
                f"{', '.join(PLAN_CONSTRAINTS)}, or none"
            )
        if not 0 <= self.action_tolerance_pct < 100:
            raise ValueError(
                f"action_tolerance_pct must be in [0, 100), got {self.action_tolerance_pct}"
            )

    @property
    def constraints(self) -> frozenset[str]:
        """The constraints of ``plan_constraints``; empty for ``none``."""
        names = {name.strip().lower() for name in self.plan_constraints.split(",")}
        return frozenset(names - {"", "none"})


@dataclass(frozen=True)
class SolverSettings:
    """How long and how wide the finite scheduler searches.

    ``time_limit_seconds`` is the wall time of a whole schedule run (heuristic,
    model building and CP-SAT together); ``workers`` the CP-SAT threads; ``seed``
    makes runs repeatable. A plant's most urgent ``max_operations`` operations
    are scheduled. Models with more than ``decompose_above_operations``
    operations are improved in windows of ``window_operations`` operations
    instead of as a whole.
    """

    time_limit_seconds: float = setting(
        30.0,
        "PLANNER_SCHEDULE_TIME_LIMIT",
        "CP-SAT time limit in seconds, shared by the plants of a CLI run",
    )
    workers: int = setting(2, "PLANNER_SCHEDULE_WORKERS", "CP-SAT search workers")
    seed: int = setting(1, "PLANNER_SCHEDULE_SEED", "CP-SAT random seed")
    max_operations: int = setting(
        2000,
        "PLANNER_SCHEDULE_MAX_OPERATIONS",
        "operations per plant the finite schedule takes, most urgent first",
    )
    decompose_above_operations: int = 2000
    window_operations: int = 500
    log_search: bool = False

    def __post_init__(self) -> None:
        if self.time_limit_seconds <= 0:
            raise ValueError(f"time limit must be positive, got {self.time_limit_seconds}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.max_operations < 1:
            raise ValueError(f"max_operations must be at least 1, got {self.max_operations}")


@dataclass(frozen=True)
class Settings:
    """Where a run reads and writes, the planning horizon, the rules, the solver.

    ``horizon_days`` counts daily buckets from ``as_of`` (calendar days).
    """

    extract_dir: Path = setting(
        SAMPLE_EXTRACT_DIR,
        "PLANNER_EXTRACT_DIR",
        "the extract folder",
        flag="--extract",
    )
    warehouse: Path = setting(
        PROJECT_DIR / "warehouse" / "planner.duckdb", "PLANNER_WAREHOUSE", "DuckDB warehouse file"
    )
    out_dir: Path = setting(
        PROJECT_DIR / "plans", "PLANNER_OUT_DIR", "folder runs are published to", flag="--out"
    )
    horizon_days: int = setting(182, "PLANNER_HORIZON_DAYS", "planning horizon in calendar days")
    # DuckDB may otherwise take 80 % of the machine's memory for its buffers, on
    # top of the planner's own frames; past this it spills to disk
    duckdb_memory_limit: str = setting(
        "3GB", "PLANNER_DUCKDB_MEMORY_LIMIT", "memory DuckDB may use before spilling to disk"
    )
    quarantine_limit_pct: float = setting(
        5.0,
        "PLANNER_QUARANTINE_LIMIT_PCT",
        "a run refuses to publish when validation quarantines more than this percentage "
        "of any file's rows",
    )
    change_limit_pct: float = setting(
        50.0,
        "PLANNER_CHANGE_LIMIT_PCT",
        "a run refuses to publish when open demand, available stock or open supply moves "
        "by more than this percentage from the last published run",
    )
    publish_anyway: bool = setting(
        False,
        "PLANNER_PUBLISH_ANYWAY",
        "publish although the publication gate refuses; the manifest records it",
    )
    task_retries: int = setting(
        2, "PLANNER_TASK_RETRIES", "retries of each task of the nightly_planning DAG"
    )
    dbt_project_dir: Path = PROJECT_DIR
    dbt_threads: int = 2
    rules: PlanningRules = PlanningRules()
    solver: SolverSettings = SolverSettings()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **flags: object) -> Settings:
        """Defaults, then every setting's ``PLANNER_*`` variable in ``environ``
        (``os.environ`` by default), then ``flags`` by setting name (the
        variable's name after ``PLANNER_``, lower case: ``warehouse``,
        ``schedule_time_limit``; None is ignored). SettingsError names the
        variable or flag whose value is not of its type or out of range."""
        environ = os.environ if environ is None else environ
        unknown = set(flags) - {leaf.name for leaf in _leaves(cls)}
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        values: dict[tuple[str, ...], tuple[object, str]] = {}  # field path: (value, source)
        for leaf in _leaves(cls):
            if environ.get(leaf.env):
                values[leaf.path] = _parse(environ[leaf.env], leaf.kind, leaf.env), leaf.env
            if flags.get(leaf.name) is not None:
                values[leaf.path] = _parse(flags[leaf.name], leaf.kind, leaf.flag), leaf.flag
        settings = _build(cls, (), values)
        return replace(
            settings,
            extract_dir=Path(settings.extract_dir).resolve(),
            warehouse=Path(settings.warehouse).resolve(),
            out_dir=Path(settings.out_dir).resolve(),
        )

    def __post_init__(self) -> None:
        if self.change_limit_pct < 0:
            raise ValueError(f"change_limit_pct must be 0 or more, got {self.change_limit_pct}")
        if not 0 <= self.quarantine_limit_pct <= 100:
            raise ValueError(
                f"quarantine_limit_pct must be in [0, 100], got {self.quarantine_limit_pct}"
            )
        if self.horizon_days < 1:
            raise ValueError(f"horizon_days must be at least 1, got {self.horizon_days}")
        if self.rules.schedule_horizon_days > self.horizon_days:
            # the work centers' available windows (a mart) cover the planning horizon only
            raise ValueError(
                f"schedule_horizon_days ({self.rules.schedule_horizon_days}) must not exceed "
                f"horizon_days ({self.horizon_days})"
            )


def add_setting_flags(parser: argparse.ArgumentParser, required: tuple[str, ...] = ()) -> None:
    """A flag per setting (``--warehouse``, ``--schedule-time-limit`` ...); each
    parses to its setting's name, None when not given. The settings named in
    ``required`` must be given as flags."""
    for leaf in _leaves(Settings):
        if leaf.name in required:
            text = f"{leaf.help} (required)"
        else:
            text = f"{leaf.help} ({leaf.env}; default {_shown(leaf.default)})"
        if leaf.kind is bool:  # a switch: given, it is true
            parser.add_argument(
                leaf.flag, dest=leaf.name, action="store_const", const="true", help=text
            )
        else:
            parser.add_argument(
                leaf.flag,
                dest=leaf.name,
                metavar="VALUE",
                help=text,
                required=leaf.name in required,
            )


def _shown(default: Any) -> str:
    """A default as help texts show it: folders in the project relative to it."""
    if isinstance(default, Path) and default.is_relative_to(PROJECT_DIR):
        return f"{default.relative_to(PROJECT_DIR)} in the project"
    if isinstance(default, bool):
        return "off" if not default else "on"
    return str(default)


def setting_names() -> list[str]:
    """The names of every setting, as ``from_env`` takes them as flags."""
    return [leaf.name for leaf in _leaves(Settings)]


class _Leaf(NamedTuple):
    """A field declared with ``setting``: its name (the variable's after
    ``PLANNER_``, lower case), where it sits in the tree, its type, variable,
    flag and help."""

    name: str
    path: tuple[str, ...]
    kind: type
    env: str
    flag: str
    help: str
    default: Any


def _leaves(cls: type, path: tuple[str, ...] = ()) -> Iterator[_Leaf]:
    """Every field of the tree declared with ``setting``, in declaration order."""
    hints = typing.get_type_hints(cls)
    for item in fields(cls):
        kind = hints[item.name]
        if is_dataclass(kind):
            yield from _leaves(kind, (*path, item.name))
        elif "env" in item.metadata:
            env = item.metadata["env"]
            name = env.removeprefix("PLANNER_").lower()
            flag = item.metadata["flag"] or f"--{name.replace('_', '-')}"
            yield _Leaf(
                name, (*path, item.name), kind, env, flag, item.metadata["help"], item.default
            )


def _build(cls: type, path: tuple[str, ...], values: Mapping[tuple[str, ...], tuple]) -> Any:
    """An instance of ``cls`` with the given leaf values, defaults elsewhere."""
    hints = typing.get_type_hints(cls)
    arguments = {}
    for item in fields(cls):
        here = (*path, item.name)
        if is_dataclass(hints[item.name]):
            arguments[item.name] = _build(hints[item.name], here, values)
        elif here in values:
            arguments[item.name] = values[here][0]
    try:
        return cls(**arguments)
    except ValueError as error:
        sources = [source for key, (_, source) in values.items() if key[:-1] == path]
        raise SettingsError(f"{error} (from {', '.join(sources) or 'the defaults'})") from None


def _parse(value: object, kind: type, source: str) -> object:
    if kind is bool:
        text = str(value).strip().lower()
        if text not in ("1", "true", "yes", "0", "false", "no"):
            raise SettingsError(f"{source}={value!r}: expected true or false")
        return text in ("1", "true", "yes")
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{source}={value!r}: expected {kind.__name__}") from None


def parse_as_of(value: str) -> date:
    """The planning date from ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"as-of date {value!r} is not a date in YYYY-MM-DD form") from None
