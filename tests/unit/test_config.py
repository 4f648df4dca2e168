"""Settings: defaults, then PLANNER_* variables, then CLI flags."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pytest

from planning.config import (
    PROJECT_DIR,
    Settings,
    SolverSettings,
    add_setting_flags,
    parse_as_of,
    setting_names,
)
from planning.errors import SettingsError
from planning.run import PlanRun


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


def test_the_finite_schedule_stays_inside_the_planning_horizon():
    with pytest.raises(SettingsError, match=r"schedule_horizon_days \(14\) must not exceed"):
        Settings.from_env({"PLANNER_HORIZON_DAYS": "10"})
    assert Settings.from_env({"PLANNER_HORIZON_DAYS": "14"}).horizon_days == 14


def test_as_of_must_be_an_iso_date():
    assert parse_as_of("2026-11-23").isoformat() == "2026-11-23"
    with pytest.raises(ValueError, match="not a date in YYYY-MM-DD form"):
        parse_as_of("23/11/2026")


def test_nested_settings_come_from_the_environment_then_the_flags():
    environ = {
        "PLANNER_SCHEDULE_TIME_LIMIT": "30",
        "PLANNER_SCHEDULE_WORKERS": "4",
        "PLANNER_SCHEDULE_MAX_OPERATIONS": "150",
        "PLANNER_RESCHEDULE_IN_DAYS": "7",
        "PLANNER_DUCKDB_MEMORY_LIMIT": "1GB",
    }
    settings = Settings.from_env(environ, schedule_workers=2, action_tolerance_pct="2.5")
    solver = settings.solver
    assert (solver.time_limit_seconds, solver.workers, solver.seed) == (30.0, 2, 1)
    assert solver.max_operations == 150
    assert (settings.rules.reschedule_in_days, settings.rules.action_tolerance_pct) == (7, 2.5)
    assert settings.duckdb_memory_limit == "1GB"
    with pytest.raises(ValueError, match="time limit"):
        SolverSettings(time_limit_seconds=0)


def test_a_setting_of_the_wrong_type_or_out_of_range_names_its_variable_or_flag():
    with pytest.raises(SettingsError, match=r"PLANNER_HORIZON_DAYS='ninety': expected int"):
        Settings.from_env({"PLANNER_HORIZON_DAYS": "ninety"})
    with pytest.raises(SettingsError, match=r"at least 1, got 0 \(from PLANNER_SCHEDULE_WORKERS\)"):
        Settings.from_env({"PLANNER_SCHEDULE_WORKERS": "0"})
    with pytest.raises(SettingsError, match=r"\(from --mps-time-fence-days\)") as refused:
        Settings.from_env({}, mps_time_fence_days="-1")
    assert refused.value.exit_code == 2
    with pytest.raises(TypeError, match="unknown settings: horizon"):
        Settings.from_env({}, horizon="90")


def test_every_setting_has_a_flag_and_a_variable_documented_in_env_example():
    parser = argparse.ArgumentParser()
    add_setting_flags(parser)
    flags = {action.dest: action for action in parser._actions if action.dest != "help"}
    assert set(flags) == set(setting_names())
    assert flags["out_dir"].option_strings == ["--out"]
    assert flags["extract_dir"].option_strings == ["--extract"]
    assert flags["schedule_time_limit"].option_strings == ["--schedule-time-limit"]
    example = (PROJECT_DIR / ".env.example").read_text()
    for name, action in flags.items():
        variable = f"PLANNER_{name.upper()}"
        assert f"({variable}; default " in action.help
        assert f"\n{variable}=" in example, f"{variable} is not in .env.example"


def test_the_duckdb_memory_limit_reaches_the_runs_warehouse_connections(tmp_path):
    settings = Settings.from_env(
        {"PLANNER_DUCKDB_MEMORY_LIMIT": "1GiB"}, warehouse=tmp_path / "w.duckdb"
    )
    run = PlanRun("r1", tmp_path, date(2026, 11, 23), settings, {})
    with run.warehouse() as con:
        assert con.execute("select current_setting('memory_limit')").fetchall() == [("1.0 GiB",)]
