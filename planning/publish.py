"""Publishing a run: everything is written into a staging folder first and appears
under ``<out>/<run_id>/`` in one rename, then ``latest`` is switched atomically.

A failed run never touches the published runs nor ``latest``; its staging folder
moves to ``<out>/.failed/<run_id>/`` with a manifest saying why.

Published CSVs are opened by planners in Excel or LibreOffice, and their text
comes from the ERP extract, so :func:`write_csv` makes sure no text cell can run
as a formula (see :func:`neutralise_formulas`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from planning.precision import rounded

LATEST = "latest"
STAGING_DIR = ".staging"
FAILED_DIR = ".failed"
MANIFEST = "manifest.json"


def new_run_id(started_at: datetime) -> str:
    """Sortable by start time, unique across concurrent starts: ``20261125T020000Z-1a2b3c``."""
    return f"{started_at:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class RunFolder:
    out_dir: Path
    run_id: str

    @property
    def staging(self) -> Path:
        return self.out_dir / STAGING_DIR / self.run_id

    @property
    def published(self) -> Path:
        return self.out_dir / self.run_id

    @property
    def failed(self) -> Path:
        return self.out_dir / FAILED_DIR / self.run_id

    def create(self) -> Path:
        self.staging.mkdir(parents=True, exist_ok=False)
        return self.staging

    def publish(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest (with every file's checksum), then make the run visible."""
        _write_manifest(self.staging, manifest)
        os.replace(self.staging, self.published)
        link = self.out_dir / LATEST
        temporary = self.out_dir / f".{LATEST}-{self.run_id}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(self.run_id, target_is_directory=True)
        os.replace(temporary, link)
        return self.published

    def discard(self, manifest: dict[str, Any]) -> Path:
        """Keep what a failed run wrote, out of the published area, for diagnosis."""
        if not self.staging.exists():
            self.staging.mkdir(parents=True)
        _write_manifest(self.staging, manifest)
        self.failed.parent.mkdir(parents=True, exist_ok=True)
        if self.failed.exists():
            shutil.rmtree(self.failed)
        os.replace(self.staging, self.failed)
        return self.failed


def latest_run(out_dir: Path) -> Path | None:
    """The folder of the newest complete run, or None before the first one."""
    link = Path(out_dir) / LATEST
    return link.resolve() if link.exists() else None


def write_json(path: Path, content: Any) -> None:
    path.write_text(json.dumps(content, indent=2, default=str) + "\n", encoding="utf-8")


# A text cell starting with one of these runs as a formula in a spreadsheet (OWASP,
# "CSV injection"): =, + and - start formulas, @ a function call, and a leading tab or
# carriage return is dropped by some importers, exposing what follows.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"  # the spreadsheets' own "this cell is text" marker
# a plain decimal number (-12, +3.5, -1e15) is read as a number, never run as a formula
_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def write_csv(path: Path, frame: pl.DataFrame) -> None:
    """Write ``frame`` as a published CSV: ISO dates and timestamps, numbers
    with their kind's decimals (``planning.precision``), and no text cell that
    a spreadsheet would run as a formula (:func:`neutralise_formulas`)."""
    neutralise_formulas(rounded(frame)).write_csv(
        path,
        date_format="%Y-%m-%d",
        datetime_format="%Y-%m-%dT%H:%M:%S",
        float_scientific=False,  # 1e16 as digits: ERP imports often reject exponents
    )


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix with a single quote every text cell that starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return (the OWASP rule against CSV injection),
    so Excel and LibreOffice show it as text instead of running it.

    Only text (String, Categorical, Enum) columns are touched: numeric, date and
    boolean columns are written as they are, so negative quantities stay numbers.
    Two decisions:

    - a text cell that is a plain decimal number (an id like ``-12``, ``+3.5``,
      ``-1e15``) is left alone: a spreadsheet reads it as a number and runs
      nothing, and an ERP reading ids back gets them unchanged;
    - a text cell that already starts with a single quote gets one more, so the
      guard is reversible: a reader strips exactly one leading ``'`` from any
      text cell that starts with one (:func:`restore_text`), and gets the value
      as it was. A spreadsheet strips it too, and shows the value as written.
    """
    return frame.with_columns(
        _guarded(pl.col(name).cast(pl.String)).alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))
    )


def restore_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Undo :func:`neutralise_formulas` on a published CSV read back as text:
    one leading single quote is stripped from every String cell that has one."""
    return frame.with_columns(
        pl.when(pl.col(name).str.starts_with(FORMULA_GUARD))
        .then(pl.col(name).str.slice(len(FORMULA_GUARD)))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )


def _guarded(text: pl.Expr) -> pl.Expr:
    # a cell already starting with the guard gets one more, so the guard is reversible
    starts = pl.any_horizontal(text.str.starts_with(c) for c in (*FORMULA_TRIGGERS, FORMULA_GUARD))
    risky = starts & ~text.str.contains(_PLAIN_NUMBER)
    return pl.when(risky).then(pl.lit(FORMULA_GUARD) + text).otherwise(text)


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    files = [
        {
            "name": path.relative_to(folder).as_posix(),
            "bytes": path.stat().st_size,
            "sha256": _sha256(path),
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    ]
    write_json(folder / MANIFEST, manifest | {"files": files})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
