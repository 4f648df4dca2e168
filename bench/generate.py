"""Benchmark the synthetic extract generator: time, peak memory and output size per size.

Each size runs in a fresh Python process, so its peak resident memory is its
own (interpreter and imports included), and writes into a temporary folder
that is removed afterwards.

    .venv/bin/python bench/generate.py [--sizes 10000 100000 1000000] [--seed 42]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
AS_OF = date(2026, 11, 23)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # one run, into this folder
    args = parser.parse_args()
    if args.child:
        _run_once(args.child, skus=args.sizes[0], seed=args.seed, as_of=args.as_of)
        return
    print(f"{'skus':>10} {'seconds':>8} {'peak MiB':>9} {'rows written':>13} {'MiB on disk':>12}")
    for skus in args.sizes:
        figures = _measure(skus, seed=args.seed, as_of=args.as_of)
        print(
            f"{skus:>10,} {figures['seconds']:>8.1f} {figures['peak_mib']:>9.0f}"
            f" {figures['rows']:>13,} {figures['bytes'] / 2**20:>12.1f}",
            flush=True,
        )


def _measure(skus: int, *, seed: int, as_of: date) -> dict[str, float]:
    """Generate ``skus`` SKUs in a child process; return its figures."""
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as out:
        command = [
            sys.executable, __file__, "--child", out, "--sizes", str(skus),
            "--seed", str(seed), "--as-of", as_of.isoformat(),
        ]  # fmt: skip
        result = subprocess.run(command, check=True, capture_output=True, text=True)
        figures = json.loads(result.stdout)
        figures["bytes"] = sum(p.stat().st_size for p in Path(out).iterdir())
    return figures


def _run_once(out_dir: Path, *, skus: int, seed: int, as_of: date) -> None:
    """Generate into out_dir and print seconds, peak MiB and rows as JSON."""
    from planning.extract.generate import generate_extract

    started = time.perf_counter()
    row_counts = generate_extract(out_dir, skus=skus, seed=seed, as_of=as_of)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    figures = {"seconds": seconds, "peak_mib": peak_kib / 1024, "rows": sum(row_counts.values())}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
