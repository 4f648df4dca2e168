"""What a run tells about its extract's validation: per-file counts and the kinds
of quarantined values on the console, ``quarantine.csv`` and ``validation.json``
in the run folder, and whether anything is left to plan.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from planning.errors import InvalidExtractError
from planning.extract.read import read_extract
from planning.publish import write_csv, write_json
from planning.validation.validate import ValidatedExtract, validate_extract

MASTER_FILES = ("locations", "items", "skus")  # nothing can be planned without valid rows here


def read_and_validate(extract_dir: Path, report: Callable[[str], None] = print) -> ValidatedExtract:
    """Read and validate an extract, telling what was found; InvalidExtractError
    when a file is unusable."""
    validated = validate_extract(read_extract(Path(extract_dir)))
    for line in describe_validation(validated):
        report(line)
    return validated


def require_plannable(validated: ValidatedExtract) -> ValidatedExtract:
    """The extract itself; InvalidExtractError when no valid location, item or SKU
    is left to plan."""
    empty = [name for name in MASTER_FILES if validated.tables[name].height == 0]
    if empty:
        raise InvalidExtractError(
            f"{empty[0]}.csv: no valid rows remain after validation "
            f"({validated.rows_quarantined} rows quarantined); nothing can be planned",
            file=f"{empty[0]}.csv",
        )
    return validated


def describe_validation(validated: ValidatedExtract, examples: int = 3) -> list[str]:
    """Per-file counts and, per kind of failure, a few rows a data engineer can look up."""
    lines = []
    for file in validated.reports:
        if not file.present:
            continue
        line = f"  {file.file}: {file.rows_read} rows, {file.rows_loaded} loaded"
        if file.rows_quarantined:
            line += f", {file.rows_quarantined} quarantined"
        if file.ignored_columns:
            line += f" (columns not in the contract ignored: {', '.join(file.ignored_columns)})"
        lines.append(line)
    kinds = (
        validated.quarantine.group_by("file", "field", "reason", maintain_order=True)
        .agg(
            pl.len().alias("rows"),
            pl.col("row_number").head(examples),
            pl.col("value").head(examples),
        )
        .sort("file", "field")
    )
    for kind in kinds.iter_rows(named=True):
        where = ", ".join(
            f"row {row} ({value!r})" if value is not None else f"row {row} (empty)"
            for row, value in zip(kind["row_number"], kind["value"], strict=True)
        )
        more = f" and {kind['rows'] - examples} more" if kind["rows"] > examples else ""
        lines.append(
            f"  quarantined {kind['file']} field {kind['field']}: {kind['reason']}: {where}{more}"
        )
    return lines


def quarantine_by_reason(validated: ValidatedExtract) -> list[dict[str, Any]]:
    """Rows quarantined per file, field and reason, most rows first, for the
    manifest and the top of the report."""
    return (
        validated.quarantine.group_by("file", "field", "reason")
        .agg(pl.col("row_number").n_unique().alias("rows"))
        .sort(["rows", "file", "field", "reason"], descending=[True, False, False, False])
        .to_dicts()
    )


def write_validation_report(folder: Path, validated: ValidatedExtract) -> None:
    """``quarantine.csv`` (every failing row) and ``validation.json`` (every expectation)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "quarantine.csv", validated.quarantine)
    write_json(folder / "validation.json", _validation_results(validated))


def file_counts(validated: ValidatedExtract) -> dict[str, dict[str, int]]:
    """Rows read, loaded and quarantined per file of the extract, for the manifest."""
    return {
        r.file: {"read": r.rows_read, "loaded": r.rows_loaded, "quarantined": r.rows_quarantined}
        for r in validated.reports
        if r.present
    }


def _validation_results(validated: ValidatedExtract) -> dict[str, Any]:
    """Every expectation's outcome per file, compact enough to read."""
    return {
        "extract": validated.manifest,
        "files": [
            {
                "file": r.file,
                "present": r.present,
                "rows_read": r.rows_read,
                "rows_loaded": r.rows_loaded,
                "rows_quarantined": r.rows_quarantined,
                "ignored_columns": list(r.ignored_columns),
                "expectations": [vars(o) for o in r.outcomes],
            }
            for r in validated.reports
        ],
    }
