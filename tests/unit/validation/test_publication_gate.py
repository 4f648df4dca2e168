"""The publication gate on what validation kept (``require_publishable``): a
file whose quarantined share of its rows is above the limit refuses the
extract, and ``planner validate`` exits 2 on it as a run would refuse to
publish it."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from hostile_cases import SAMPLE, read_sample

from planning.cli import main
from planning.errors import PublicationRefusedError
from planning.validation.summary import read_and_validate, require_publishable


def _with_day_first_dates(folder: Path, rows: int | None = None) -> Path:
    """The sample with the first ``rows`` sales order lines (all by default)
    due as DD/MM/YYYY, as a spreadsheet export may write them."""
    shutil.copytree(SAMPLE, folder)
    frame = read_sample("sales_orders.csv", folder)
    day_first = pl.col("due_date").str.strptime(pl.Date, "%Y-%m-%d").dt.strftime("%d/%m/%Y")
    hit = pl.int_range(pl.len()) < (frame.height if rows is None else rows)
    frame.with_columns(due_date=pl.when(hit).then(day_first).otherwise("due_date")).write_csv(
        folder / "sales_orders.csv"
    )
    return folder


def test_a_file_quarantined_above_the_limit_is_refused_with_its_rows_and_reason(tmp_path):
    lines = read_sample("sales_orders.csv").height
    validated = read_and_validate(_with_day_first_dates(tmp_path / "extract"), report=print)
    with pytest.raises(PublicationRefusedError) as refused:
        require_publishable(validated, 5.0)
    message = str(refused.value)
    assert message.startswith(
        f"sales_orders.csv: validation quarantined {lines} of {lines} rows (100.0 %), "
        "more than the 5 % limit (PLANNER_QUARANTINE_LIMIT_PCT); "
        f"{lines} of them for due_date: not a date in YYYY-MM-DD form"
    ), message
    # the milestones of those orders go with them
    assert "also over the limit: milestones.csv" in message
    assert "--publish-anyway" in message
    assert refused.value.exit_code == 2


def test_the_limit_is_a_share_of_each_file_and_publish_anyway_lets_it_through(tmp_path):
    lines = read_sample("sales_orders.csv").height
    under = 5 * lines // 100  # at most 5 % of the lines
    over = under + 1
    at_most = read_and_validate(_with_day_first_dates(tmp_path / "under", under), report=print)
    assert require_publishable(at_most, 5.0) == []
    above = read_and_validate(_with_day_first_dates(tmp_path / "over", over), report=print)
    with pytest.raises(PublicationRefusedError):
        require_publishable(above, 5.0)
    assert require_publishable(above, 100 * over / lines) == []
    (let_through,) = require_publishable(above, 5.0, anyway=True)
    assert let_through.startswith(f"sales_orders.csv: validation quarantined {over} of {lines}")


def test_planner_validate_exits_2_on_the_gate_and_takes_its_limit(tmp_path, capsys):
    extract = _with_day_first_dates(tmp_path / "extract")
    assert main(["validate", "--extract", str(extract)]) == 2
    assert capsys.readouterr().err.startswith("error: sales_orders.csv: validation quarantined")
    assert main(["validate", "--extract", str(extract), "--quarantine-limit-pct", "100"]) == 0
    assert main(["validate", "--extract", str(extract), "--quarantine-limit-pct", "-1"]) == 2
    assert "quarantine_limit_pct must be in [0, 100]" in capsys.readouterr().err
