"""The publication gate: before a run plans, what validation kept is compared
with what it read and with the last published run of the same warehouse; a run
that would publish a plan from an extract gone wrong is refused (exit 2,
nothing published) unless ``publish_anyway`` lets it through, which the
manifest records (``publication_gate``).

Two checks:

- **quarantine**: more than ``quarantine_limit_pct`` of any file's rows
  quarantined (dates written DD/MM/YYYY, a shifted column);
- **change**: total open independent demand (sales order lines' open qty and
  forecast qty), available stock, or open supply (open purchase orders, work
  orders and transfers) more than ``change_limit_pct`` away from the same
  total of the last published run (a half-written export, a missing plant).
"""

from __future__ import annotations

import json
import math
from typing import Any

import polars as pl

from planning.config import Settings
from planning.errors import PublicationRefusedError
from planning.publish import MANIFEST, latest_run
from planning.validation.validate import ValidatedExtract

# the totals the change check compares: name -> (table, qty column, rows) parts
EVERY_ROW = pl.lit(True)
TOTALS = {
    "open independent demand": (
        ("sales_orders", "qty_open", EVERY_ROW),
        ("forecast", "qty", EVERY_ROW),
    ),
    "available stock": (("on_hand", "qty", pl.col("status") == "available"),),
    "open supply": (
        ("open_purchase_orders", "qty_open", EVERY_ROW),
        ("open_work_orders", "qty_open", EVERY_ROW),
        ("open_transfers", "qty", EVERY_ROW),
    ),
}


def quarantine_refusals(validated: ValidatedExtract, limit_pct: float) -> list[tuple[str, str]]:
    """Per file whose quarantined share of the rows read is above ``limit_pct``:
    the file and a message with the rows lost and the reason behind most of them."""
    refusals = []
    for file in validated.reports:
        if not file.present or file.rows_read == 0:
            continue
        share = 100 * file.rows_quarantined / file.rows_read
        if share <= limit_pct:
            continue
        (field, reason, rows), *_ = (
            validated.quarantine.filter(pl.col("file") == file.file)
            .group_by("field", "reason")
            .agg(rows=pl.col("row_number").n_unique())
            .sort("rows", "field", descending=[True, False])
            .rows()
        )
        refusals.append(
            (
                file.file,
                f"{file.file}: validation quarantined {file.rows_quarantined} of {file.rows_read} "
                f"rows ({share:.1f} %), more than the {limit_pct:g} % limit "
                f"(PLANNER_QUARANTINE_LIMIT_PCT); {rows} of them for {field}: {reason}",
            )
        )
    return refusals


def extract_totals(validated: ValidatedExtract) -> dict[str, float]:
    """``TOTALS`` of the rows validation kept (stock: available only)."""
    totals = {}
    for name, parts in TOTALS.items():
        total = 0.0
        for table, column, kept in parts:
            rows = validated.tables.get(table)
            if rows is not None and rows.height:
                total += float(rows.filter(kept)[column].sum())
        totals[name] = round(total, 4)
    return totals


def change_refusals(
    totals: dict[str, float], last: dict[str, Any] | None, limit_pct: float
) -> list[tuple[str, str]]:
    """Per total more than ``limit_pct`` away from the last published run's
    (``last``: its manifest, whose ``publication_gate`` holds them; None or
    without totals: nothing to compare)."""
    before = ((last or {}).get("publication_gate") or {}).get("totals") or {}
    refusals = []
    for name, now in totals.items():
        was = before.get(name)
        if not was:  # no earlier figure, or nothing to compare a share with
            continue
        change = 100 * (now - was) / was
        if math.isfinite(change) and abs(change) > limit_pct:
            refusals.append(
                (
                    name,
                    f"{name}: {now:,.0f} against {was:,.0f} in the last published run "
                    f"{last['run_id']} ({change:+,.1f} %), more than the {limit_pct:g} % limit "
                    "(PLANNER_CHANGE_LIMIT_PCT)",
                )
            )
    return refusals


def last_published(settings: Settings) -> dict[str, Any] | None:
    """The manifest of the run ``latest`` points at, when it planned for the
    same warehouse; else None."""
    folder = latest_run(settings.out_dir)
    if folder is None:
        return None
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if manifest.get("warehouse") == str(settings.warehouse) else None


def require_publishable(
    validated: ValidatedExtract, settings: Settings, last: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The gate: PublicationRefusedError naming the first refusal (and what
    else is over its limit), unless ``settings.publish_anyway``; else what the
    manifest records (``publication_gate``), with the extract's totals."""
    totals = extract_totals(validated)
    refusals = quarantine_refusals(validated, settings.quarantine_limit_pct)
    refusals += change_refusals(totals, last, settings.change_limit_pct)
    if refusals and not settings.publish_anyway:
        others = [what for what, _ in refusals[1:]]
        also = f"; also over the limit: {', '.join(others)}" if others else ""
        raise PublicationRefusedError(
            f"{refusals[0][1]}{also}; a run does not publish this extract (--publish-anyway, "
            "or PLANNER_PUBLISH_ANYWAY=true, publishes it regardless)"
        )
    return {
        "quarantine_limit_pct": settings.quarantine_limit_pct,
        "change_limit_pct": settings.change_limit_pct,
        "compared_with": (last or {}).get("run_id"),
        "totals": totals,
        "published_anyway": bool(refusals),
        "refusals": [message for _, message in refusals],
    }
