"""Array helpers the synthetic extract's modules share: ranks within runs, and codes."""

from __future__ import annotations

import numpy as np
import polars as pl


def rank_in_run(starts_run: np.ndarray) -> np.ndarray:
    """0-based position of each row in its run of rows; a run starts where starts_run is True."""
    index = np.arange(len(starts_run))
    return index - np.maximum.accumulate(np.where(starts_run, index, 0))


def repeat_rank(counts: np.ndarray) -> np.ndarray:
    """0-based position of each row of ``np.repeat(x, counts)`` among the copies of its x."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def codes(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """Document and master-data codes: prefix plus zero-padded number, ``SO-0000042``."""
    return prefix + pl.Series(numbers, dtype=pl.Int64).cast(pl.String).str.zfill(width)
