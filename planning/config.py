"""Run settings: one frozen dataclass read from ``PLANNER_*`` variables and CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_EXTRACT_DIR = PROJECT_DIR / "data" / "sample"


@dataclass(frozen=True)
class PlanningRules:
    """The planning rules a site may tune (CONTRACT.md section 3); days are calendar days.

    - ``mps_time_fence_days``: inside this many days from as-of, end items
      (``dim_skus.is_mps_item``) get no new planned orders; only firm supply.
    - ``reschedule_in_days``: an existing receipt due at most this many days
      after a shortfall is pulled in (an ``expedite`` message) instead of
      planning a new order.
    - ``action_tolerance_days``: date moves of this many days or fewer get no
      ``expedite``/``defer`` message.
    - ``action_tolerance_pct``: an excess of at most this share of a receipt's
      quantity gets no ``reduce`` message.
    - ``schedule_horizon_days``: the finite schedule covers work orders released,
      in progress, or planned to start within this many days.
    """

    mps_time_fence_days: int = 0
    reschedule_in_days: int = 14
    action_tolerance_days: int = 1
    action_tolerance_pct: float = 5.0
    schedule_horizon_days: int = 14

    def __post_init__(self) -> None:
        for name in ("mps_time_fence_days", "reschedule_in_days", "action_tolerance_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)}")
        if self.schedule_horizon_days < 1:
            days = self.schedule_horizon_days
            raise ValueError(f"schedule_horizon_days must be 1 or more, got {days}")
        if not 0 <= self.action_tolerance_pct < 100:
            raise ValueError(
                f"action_tolerance_pct must be in [0, 100), got {self.action_tolerance_pct}"
            )


@dataclass(frozen=True)
class Settings:
    """Where a run reads and writes, and the planning horizon.

    ``horizon_days`` counts daily buckets from ``as_of`` (calendar days).
    """

    warehouse: Path = PROJECT_DIR / "warehouse" / "planner.duckdb"
    out_dir: Path = PROJECT_DIR / "plans"
    horizon_days: int = 182
    dbt_project_dir: Path = PROJECT_DIR
    dbt_threads: int = 2
    rules: PlanningRules = PlanningRules()

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then ``PLANNER_WAREHOUSE``, ``PLANNER_OUT_DIR``,
        ``PLANNER_HORIZON_DAYS`` and ``PLANNER_<RULE>`` for each planning rule
        (``PLANNER_MPS_TIME_FENCE_DAYS`` ...), then explicit overrides (CLI
        flags; None is ignored)."""
        environ = os.environ if environ is None else environ
        settings = cls()
        if value := environ.get("PLANNER_WAREHOUSE"):
            settings = replace(settings, warehouse=Path(value))
        if value := environ.get("PLANNER_OUT_DIR"):
            settings = replace(settings, out_dir=Path(value))
        if value := environ.get("PLANNER_HORIZON_DAYS"):
            settings = replace(settings, horizon_days=int(value))
        rules = {
            name: kind(environ[f"PLANNER_{name.upper()}"])
            for name, kind in RULE_TYPES.items()
            if environ.get(f"PLANNER_{name.upper()}")
        }
        if rules:
            settings = replace(settings, rules=replace(settings.rules, **rules))
        given = {k: v for k, v in overrides.items() if v is not None}
        settings = replace(settings, **given)
        return replace(
            settings,
            warehouse=Path(settings.warehouse).resolve(),
            out_dir=Path(settings.out_dir).resolve(),
        )

    def __post_init__(self) -> None:
        if self.horizon_days < 1:
            raise ValueError(f"horizon_days must be at least 1, got {self.horizon_days}")


RULE_TYPES = {
    "mps_time_fence_days": int,
    "reschedule_in_days": int,
    "action_tolerance_days": int,
    "action_tolerance_pct": float,
    "schedule_horizon_days": int,
}


def parse_as_of(value: str) -> date:
    """The planning date from ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"as-of date {value!r} is not a date in YYYY-MM-DD form") from None
