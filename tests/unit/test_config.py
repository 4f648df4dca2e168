"""Settings: defaults, then PLANNER_* variables, then CLI flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from planning.config import PROJECT_DIR, Settings, parse_as_of


def test_defaults_live_in_the_project():
    settings = Settings.from_env({})
    assert settings.warehouse == PROJECT_DIR / "warehouse" / "planner.duckdb"
    assert settings.out_dir == PROJECT_DIR / "plans"
    assert settings.horizon_days == 182


def test_flags_override_environment_which_overrides_defaults(tmp_path):
    environ = {"PLANNER_WAREHOUSE": str(tmp_path / "env.duckdb"), "PLANNER_HORIZON_DAYS": "90"}
    settings = Settings.from_env(environ, warehouse=tmp_path / "flag.duckdb", out_dir=None)
    assert settings.warehouse == tmp_path / "flag.duckdb"
    assert settings.horizon_days == 90
    assert settings.out_dir == PROJECT_DIR / "plans"


def test_relative_paths_are_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({}, out_dir=Path("out")).out_dir == tmp_path / "out"


def test_a_horizon_below_one_day_is_refused():
    with pytest.raises(ValueError, match="horizon_days must be at least 1"):
        Settings(horizon_days=0)


def test_as_of_must_be_an_iso_date():
    assert parse_as_of("2026-11-23").isoformat() == "2026-11-23"
    with pytest.raises(ValueError, match="not a date in YYYY-MM-DD form"):
        parse_as_of("23/11/2026")
