"""The memory limit: an extract too large for this machine is refused up front."""

from __future__ import annotations

from datetime import date

import pytest
from extract_fixtures import MINIMAL_EXTRACT, write_extract

from planning import run
from planning.config import Settings
from planning.errors import ExtractTooLargeError
from planning.pipeline import run_plan


def test_an_extract_larger_than_free_memory_allows_is_refused_with_the_figures(tmp_path):
    extract = write_extract(tmp_path / "extract", MINIMAL_EXTRACT)
    size = sum(p.stat().st_size for p in extract.glob("*.csv"))
    needed = size * run.MEMORY_PER_EXTRACT_BYTE
    run.require_memory(extract, available=needed)  # just fits
    with pytest.raises(ExtractTooLargeError, match="GiB is free") as refused:
        run.require_memory(extract, available=needed - 1)
    assert refused.value.exit_code == 4
    assert str(extract) in str(refused.value)


def test_a_run_beyond_the_limit_publishes_nothing(tmp_path, monkeypatch):
    extract = write_extract(tmp_path / "extract", MINIMAL_EXTRACT)
    monkeypatch.setattr(run, "MEMORY_PER_EXTRACT_BYTE", 2**40)  # any extract is too big
    settings = Settings.from_env({}, warehouse=tmp_path / "w.duckdb", out_dir=tmp_path / "plans")
    outcome = run_plan(extract, date(2026, 11, 23), settings, report=lambda _: None)
    assert outcome.exit_code == 4
    assert outcome.status == "failed"
    assert not (tmp_path / "plans" / "latest").exists()
    assert not settings.warehouse.exists()
