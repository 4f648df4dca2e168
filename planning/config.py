"""Run settings: one frozen dataclass read from ``PLANNER_*`` variables and CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_EXTRACT_DIR = PROJECT_DIR / "data" / "sample"


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

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then ``PLANNER_WAREHOUSE``, ``PLANNER_OUT_DIR``,
        ``PLANNER_HORIZON_DAYS``, then explicit overrides (CLI flags; None is ignored)."""
        environ = os.environ if environ is None else environ
        settings = cls()
        if value := environ.get("PLANNER_WAREHOUSE"):
            settings = replace(settings, warehouse=Path(value))
        if value := environ.get("PLANNER_OUT_DIR"):
            settings = replace(settings, out_dir=Path(value))
        if value := environ.get("PLANNER_HORIZON_DAYS"):
            settings = replace(settings, horizon_days=int(value))
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


def parse_as_of(value: str) -> date:
    """The planning date from ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"as-of date {value!r} is not a date in YYYY-MM-DD form") from None
