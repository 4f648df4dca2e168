"""Publishing a run: everything is written into a staging folder first and appears
under ``<out>/<run_id>/`` in one rename, then ``latest`` is switched atomically.

A failed run never touches the published runs nor ``latest``; its staging folder
moves to ``<out>/.failed/<run_id>/`` with a manifest saying why.
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


def write_csv(path: Path, frame: pl.DataFrame) -> None:
    frame.write_csv(path, date_format="%Y-%m-%d", datetime_format="%Y-%m-%dT%H:%M:%S")


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
