"""The publication gate (``planning.validation.gate``): a file whose
quarantined share of its rows is above the limit, or totals far from the last
published run's, refuse the extract; ``planner validate`` exits 2 on it as a
run would refuse to publish it."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from hostile_cases import SAMPLE, read_sample

from planning.cli import main
from planning.config import Settings
from planning.errors import PublicationRefusedError
from planning.validation.gate import extract_totals, require_publishable
from planning.validation.summary import read_and_validate


def _settings(**values) -> Settings:
    return Settings.from_env({}, **values)


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
        require_publishable(validated, _settings())
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
    assert require_publishable(at_most, _settings())["refusals"] == []
    above = read_and_validate(_with_day_first_dates(tmp_path / "over", over), report=print)
    with pytest.raises(PublicationRefusedError):
        require_publishable(above, _settings())
    limit = _settings(quarantine_limit_pct=100 * over / lines)
    assert require_publishable(above, limit)["refusals"] == []
    gate = require_publishable(above, _settings(publish_anyway=True))
    assert gate["published_anyway"]
    (let_through,) = gate["refusals"]
    assert let_through.startswith(f"sales_orders.csv: validation quarantined {over} of {lines}")


def test_planner_validate_exits_2_on_the_gate_and_takes_its_limit(tmp_path, capsys):
    extract = _with_day_first_dates(tmp_path / "extract")
    assert main(["validate", "--extract", str(extract)]) == 2
    assert capsys.readouterr().err.startswith("error: sales_orders.csv: validation quarantined")
    assert main(["validate", "--extract", str(extract), "--quarantine-limit-pct", "100"]) == 0
    assert main(["validate", "--extract", str(extract), "--quarantine-limit-pct", "-1"]) == 2
    assert "quarantine_limit_pct must be in [0, 100]" in capsys.readouterr().err


def test_totals_far_from_the_last_published_run_are_refused(tmp_path):
    validated = read_and_validate(SAMPLE, report=print)
    totals = extract_totals(validated)
    sales = read_sample("sales_orders.csv")["qty_open"].cast(pl.Float64).sum()
    forecast = read_sample("forecast.csv")["qty"].cast(pl.Float64).sum()
    assert totals["open independent demand"] == pytest.approx(sales + forecast)
    assert all(total > 0 for total in totals.values())
    last = {"run_id": "R1", "publication_gate": {"totals": dict(totals)}}
    assert require_publishable(validated, _settings(), last)["compared_with"] == "R1"
    # the last run had 2.5 times the stock: this one has 60 % less, above 50 %
    last["publication_gate"]["totals"]["available stock"] *= 2.5
    with pytest.raises(PublicationRefusedError) as refused:
        require_publishable(validated, _settings(), last)
    assert str(refused.value).startswith("available stock: ")
    assert "in the last published run R1 (-60.0 %), more than the 50 % limit" in str(refused.value)
    assert require_publishable(validated, _settings(change_limit_pct=60), last)["refusals"] == []
