"""Reading an extract folder into text frames, one per contract file.

Every value is read as text so that validation can say exactly which value in
which row failed to parse; casting to the contract's types happens after
validation. Problems that make a file unusable as a whole raise
:class:`InvalidExtractError` naming the file (and the column, where one is at fault).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from planning.contract import EXTRACT_FILES, MANIFEST_FILE, MANIFEST_KEYS, ExtractFile
from planning.errors import InvalidExtractError

SOURCE_ROW = "_source_row"  # 1-based data row number in the file (1 = first row after the header)


@dataclass(frozen=True)
class ExtractTable:
    """The rows of one extract file as text, with every contract column present."""

    spec: ExtractFile
    path: Path | None  # None when the file is absent (it then has no rows)
    rows: pl.DataFrame
    ignored_columns: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        return self.path.name if self.path else f"{self.spec.name}.csv"


@dataclass(frozen=True)
class Extract:
    """An extract folder: its manifest and one table per contract file."""

    directory: Path
    manifest: dict[str, str]
    tables: dict[str, ExtractTable]


def read_extract(directory: Path) -> Extract:
    """Read every contract file of ``directory``; raise InvalidExtractError if unusable."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InvalidExtractError(f"extract folder {directory} does not exist or is not a folder")
    tables = {spec.name: read_table(directory, spec) for spec in EXTRACT_FILES}
    return Extract(directory, read_manifest(directory), tables)


def find_file(directory: Path, spec: ExtractFile) -> Path | None:
    """``<name>.csv``, else ``<name>.parquet``, else None."""
    for suffix in (".csv", ".parquet"):
        path = directory / f"{spec.name}{suffix}"
        if path.is_file():
            return path
    return None


def read_table(directory: Path, spec: ExtractFile) -> ExtractTable:
    path = find_file(directory, spec)
    if path is None:
        if spec.required_file:
            raise InvalidExtractError(
                f"{spec.name}.csv: required file is missing from {directory}", file=spec.name
            )
        return ExtractTable(spec, None, _empty_rows(spec))
    raw = _read_parquet(path) if path.suffix == ".parquet" else _read_csv(path)
    raw = raw.rename({c: c.strip().lstrip("\ufeff").strip() for c in raw.columns})
    _check_header(path, spec, raw.columns)
    present = [c for c in spec.column_names if c in raw.columns]
    ignored = tuple(c for c in raw.columns if c not in spec.column_names)
    rows = (
        raw.select([_clean_text(c) for c in (*present, *ignored)])
        .with_row_index(SOURCE_ROW, offset=1)
        # a row without a single value (a blank line, as many exports end
        # with) is no row; the rows after it keep their numbers in the file
        .filter(~pl.all_horizontal(pl.exclude(SOURCE_ROW).is_null()))
        .with_columns(
            pl.lit(None, pl.String).alias(c) for c in spec.column_names if c not in present
        )
        .select(pl.col(SOURCE_ROW).cast(pl.Int64), *spec.column_names)
    )
    if spec.required_file and rows.height == 0:
        raise InvalidExtractError(
            f"{path.name}: has a header but no rows; the {spec.name} master cannot be empty",
            file=path.name,
        )
    return ExtractTable(spec, path, rows, ignored)


def _clean_text(column: str) -> pl.Expr:
    """Trim surrounding blanks; an empty value is a missing one."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text).alias(column)


def _empty_rows(spec: ExtractFile) -> pl.DataFrame:
    schema = {SOURCE_ROW: pl.Int64} | {c: pl.String for c in spec.column_names}
    return pl.DataFrame(schema=schema)


def _read_csv(path: Path) -> pl.DataFrame:
    empty = InvalidExtractError(
        f"{path.name}: file is empty (not even a header row)", file=path.name
    )
    with path.open("rb") as handle:
        if not handle.read(4096).strip():
            raise empty
    try:
        return pl.read_csv(path, infer_schema=False, encoding="utf8", raise_if_empty=True)
    except pl.exceptions.NoDataError:
        raise empty from None
    except pl.exceptions.ComputeError as error:
        if "utf-8" in str(error).lower() or "utf8" in str(error).lower():
            raise InvalidExtractError(
                f"{path.name}: not valid UTF-8 ({_first_invalid_utf8(path)}); "
                "export the file as UTF-8",
                file=path.name,
            ) from None
        raise InvalidExtractError(
            f"{path.name}: cannot be read as CSV: {_first_line(error)}", file=path.name
        ) from None
    except (pl.exceptions.PolarsError, OSError) as error:
        raise InvalidExtractError(
            f"{path.name}: cannot be read as CSV: {_first_line(error)}", file=path.name
        ) from None


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise InvalidExtractError(
            f"{path.name}: cannot be read as Parquet: {_first_line(error)}", file=path.name
        ) from None
    return frame.with_columns(pl.all().cast(pl.String))


def _check_header(path: Path, spec: ExtractFile, columns: list[str]) -> None:
    missing = [c for c in spec.required_columns if c not in columns]
    if not missing:
        return
    hint = ""
    if len(columns) == 1 and any(sep in columns[0] for sep in (";", "\t", "|")):
        hint = "; the header looks like it uses another delimiter: the contract asks for commas"
    raise InvalidExtractError(
        f"{path.name}: required column {', '.join(missing)} is missing "
        f"(found: {', '.join(columns) or 'none'}){hint}",
        file=path.name,
        column=missing[0],
    )


def _first_invalid_utf8(path: Path) -> str:
    with path.open("rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                bad_byte = line[error.start : error.start + 1]
                return f"line {line_number}, byte {error.start + 1}: {bad_byte!r}"
    return "invalid byte sequence"


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def read_manifest(directory: Path) -> dict[str, str]:
    """The extract's ``manifest.json``; without one, an id is derived from the files' content."""
    path = directory / MANIFEST_FILE
    if not path.is_file():
        return {
            "extract_id": f"content-{content_digest(directory)[:16]}",
            "created_at": "",
            "source_system": "unknown (no manifest.json)",
        }
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidExtractError(
            f"{MANIFEST_FILE}: not valid JSON: {error}", file=MANIFEST_FILE
        ) from None
    if not isinstance(manifest, dict) or not manifest.get("extract_id"):
        raise InvalidExtractError(
            f"{MANIFEST_FILE}: field extract_id is missing or empty",
            file=MANIFEST_FILE,
            column="extract_id",
        )
    return {key: str(manifest.get(key) or "") for key in MANIFEST_KEYS}


def content_digest(directory: Path) -> str:
    """SHA-256 over the names and bytes of the extract's contract files."""
    digest = hashlib.sha256()
    for spec in EXTRACT_FILES:
        path = find_file(directory, spec)
        if path is None:
            continue
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()
