"""A run's folders: a run discards what killed runs of its warehouse left in staging."""

from __future__ import annotations

import json
from datetime import date

from planning.config import Settings
from planning.publish import FAILED_DIR, STAGING_DIR
from planning.run import begin_run


def _settings(tmp_path, warehouse: str = "planner.duckdb") -> Settings:
    return Settings(warehouse=tmp_path / "warehouse" / warehouse, out_dir=tmp_path / "plans")


def test_a_run_discards_the_staging_folder_a_killed_run_of_its_warehouse_left(tmp_path):
    settings = _settings(tmp_path)
    killed = begin_run(tmp_path / "extract", date(2026, 11, 23), settings, lambda _: None)
    lines: list[str] = []
    run = begin_run(tmp_path / "extract", date(2026, 11, 23), settings, lines.append)
    assert sorted(p.name for p in (settings.out_dir / STAGING_DIR).iterdir()) == [run.run_id]
    kept = settings.out_dir / FAILED_DIR / killed.run_id
    manifest = json.loads((kept / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert "killed" in manifest["error"] and run.run_id in manifest["error"]
    assert lines[-1] == (
        f"discarded run {killed.run_id}, killed before it finished: its files are in {kept}"
    )


def test_a_run_leaves_alone_the_staging_folder_of_another_warehouses_run(tmp_path):
    other = begin_run(tmp_path / "extract", date(2026, 11, 23), _settings(tmp_path, "other.duckdb"))
    settings = _settings(tmp_path)
    run = begin_run(tmp_path / "extract", date(2026, 11, 23), settings, lambda _: None)
    staged = sorted(p.name for p in (settings.out_dir / STAGING_DIR).iterdir())
    assert staged == sorted([other.run_id, run.run_id])
    assert not (settings.out_dir / FAILED_DIR).exists()
